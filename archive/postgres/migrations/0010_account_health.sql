-- Account health: what the health checks need beside what the store
-- already holds (own posts, set-aside work, failed actions). One row per
-- account, written by the poller (each poll's outcome) and the daily check
-- (debug_token and the webhook subscription). An error is kept as its
-- class only ("token", "throttled", "graph_100"), never its text, so that
-- nothing the platform echoes (a token) lands here.
--
-- Times are nanoseconds since the epoch, UTC; 0 means "not set".
CREATE TABLE account_health (
    account_key                   TEXT    PRIMARY KEY REFERENCES accounts (key),
    last_poll_ok_at               BIGINT NOT NULL DEFAULT 0,
    last_poll_failed_at           BIGINT NOT NULL DEFAULT 0,
    last_poll_error               TEXT    NOT NULL DEFAULT '',
    failing_since                 BIGINT NOT NULL DEFAULT 0,
    consecutive_failures          BIGINT NOT NULL DEFAULT 0,
    token_checked_at              BIGINT NOT NULL DEFAULT 0,
    token_valid                   BIGINT NOT NULL DEFAULT 0,
    token_expires_at              BIGINT NOT NULL DEFAULT 0,
    token_data_access_expires_at  BIGINT NOT NULL DEFAULT 0,
    token_error                   TEXT    NOT NULL DEFAULT '',
    subscription_checked_at       BIGINT NOT NULL DEFAULT 0,
    subscribed                    BIGINT NOT NULL DEFAULT 0,
    subscription_error            TEXT    NOT NULL DEFAULT ''
);

-- The newest post an account wrote itself.
CREATE INDEX posts_author ON posts (account_key, author_id, created_at);
