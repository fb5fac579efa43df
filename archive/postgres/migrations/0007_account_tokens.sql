-- Secrets at rest: an account's access token set with "uppsikt account
-- token set" is kept sealed with AES-256-GCM under the installation's token
-- key (secrets.token_key in the configuration, never stored here). The
-- store sees only the sealed bytes, which key sealed them and a one-way
-- fingerprint of the token.
CREATE TABLE account_tokens (
    account_key  TEXT    PRIMARY KEY REFERENCES accounts (key),
    sealed       BYTEA    NOT NULL,
    key_id       TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    set_by       TEXT    NOT NULL,
    set_at       BIGINT NOT NULL
);
