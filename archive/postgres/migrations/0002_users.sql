-- Users of the web page and Slack, their sessions, and the review messages
-- announcing cases on Slack.

CREATE TABLE users (
    name          TEXT    PRIMARY KEY,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'moderator', 'archivist', 'viewer')),
    password_hash TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- id is the SHA-256 of the cookie's secret, never the secret itself.
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    user_name   TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf        TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE notices (
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    surface     TEXT    NOT NULL,
    channel     TEXT    NOT NULL DEFAULT '',
    ref         TEXT    NOT NULL DEFAULT '',
    shown       TEXT    NOT NULL DEFAULT '',
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, surface)
);

CREATE INDEX notices_unsettled ON notices (surface, shown);
