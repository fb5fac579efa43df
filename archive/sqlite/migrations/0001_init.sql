-- uppsikt store, first schema.
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC; 0 means "not set"
-- (Go's zero time). Lists of names and categories are JSON arrays in TEXT.

CREATE TABLE accounts (
    key          TEXT    PRIMARY KEY,
    platform     TEXT    NOT NULL,
    platform_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    owners       TEXT    NOT NULL DEFAULT '[]',
    substitutes  TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'disconnected', 'closed')),
    status_note  TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL
) STRICT;

-- A post row may be a stub (stub = 1) when a comment on it arrived before the
-- post itself; SavePost fills it in.
CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    account_key    TEXT    NOT NULL REFERENCES accounts (key),
    platform_id    TEXT    NOT NULL,
    author_id      TEXT    NOT NULL DEFAULT '',
    author_name    TEXT    NOT NULL DEFAULT '',
    message        TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL DEFAULT 0,
    permalink_url  TEXT    NOT NULL DEFAULT '',
    raw            BLOB,
    first_seen_at  INTEGER NOT NULL,
    stub           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_key, platform_id)
) STRICT;

CREATE TABLE comments (
    id                INTEGER PRIMARY KEY,
    account_key       TEXT    NOT NULL REFERENCES accounts (key),
    post_platform_id  TEXT    NOT NULL,
    platform_id       TEXT    NOT NULL,
    parent_id         TEXT    NOT NULL DEFAULT '',
    author_id         TEXT    NOT NULL DEFAULT '',
    author_name       TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL DEFAULT 0,
    permalink_url     TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL CHECK (state IN ('visible', 'hidden', 'deleted')),
    state_at          INTEGER NOT NULL,
    first_seen_at     INTEGER NOT NULL,
    versions          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_key, platform_id),
    FOREIGN KEY (account_key, post_platform_id) REFERENCES posts (account_key, platform_id)
) STRICT;

CREATE INDEX comments_post ON comments (account_key, post_platform_id);
CREATE INDEX comments_state ON comments (state);

-- Every text uppsikt has seen of a comment. Immutable: a version is evidence.
CREATE TABLE comment_versions (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL REFERENCES comments (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    message     TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    seen_at     INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    raw         BLOB,
    UNIQUE (comment_id, version),
    UNIQUE (comment_id, hash)
) STRICT;

CREATE TRIGGER comment_versions_no_update BEFORE UPDATE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are immutable');
END;

CREATE TRIGGER comment_versions_no_delete BEFORE DELETE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are immutable');
END;

-- The full-text index over every version's text (FTS5, when the build has
-- it) is made at Open by the build, not here: see search_fts5.go.

-- The pipeline's queue: one item per new comment version. done_at is 0
-- while the item waits.
CREATE TABLE work_items (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (comment_id, version),
    FOREIGN KEY (comment_id, version) REFERENCES comment_versions (comment_id, version)
) STRICT;

CREATE INDEX work_items_pending ON work_items (created_at, id) WHERE done_at = 0;

CREATE TABLE verdicts (
    comment_id  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    flagged     INTEGER NOT NULL,
    categories  TEXT    NOT NULL DEFAULT '[]',
    verdict     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (comment_id, version),
    FOREIGN KEY (comment_id, version) REFERENCES comment_versions (comment_id, version)
) STRICT;

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    comment_id   INTEGER NOT NULL REFERENCES comments (id),
    version      INTEGER NOT NULL,
    account_key  TEXT    NOT NULL REFERENCES accounts (key),
    state        TEXT    NOT NULL
                         CHECK (state IN ('open', 'escalated', 'approved', 'kept', 'registered', 'done')),
    categories   TEXT    NOT NULL DEFAULT '[]',
    opened_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    FOREIGN KEY (comment_id, version) REFERENCES comment_versions (comment_id, version)
) STRICT;

-- At most one unresolved case per comment.
CREATE UNIQUE INDEX cases_one_unresolved ON cases (comment_id)
    WHERE state IN ('open', 'escalated', 'approved');
CREATE INDEX cases_state ON cases (state);

CREATE TABLE decisions (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    kind     TEXT    NOT NULL,
    by_user  TEXT    NOT NULL,
    surface  TEXT    NOT NULL,
    reason   TEXT    NOT NULL DEFAULT '',
    at       INTEGER NOT NULL
) STRICT;

CREATE INDEX decisions_case ON decisions (case_id);

-- Platform actions, recorded before they are sent. case_id is NULL when the
-- action is not tied to a case.
CREATE TABLE actions (
    id            INTEGER PRIMARY KEY,
    comment_id    INTEGER NOT NULL REFERENCES comments (id),
    case_id       INTEGER REFERENCES cases (id),
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    done_at       INTEGER NOT NULL DEFAULT 0,
    platform_ref  TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE UNIQUE INDEX actions_once ON actions (comment_id, coalesce(case_id, 0), kind);
CREATE INDEX actions_pending ON actions (id) WHERE state = 'pending';

CREATE TABLE evidence_files (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL REFERENCES comments (id),
    kind        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (comment_id, sha256)
) STRICT;

-- The records register, numbered per year. case_id is NULL when the entry is
-- not tied to a case.
CREATE TABLE register_entries (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    number        TEXT    NOT NULL UNIQUE,
    comment_id    INTEGER NOT NULL REFERENCES comments (id),
    case_id       INTEGER REFERENCES cases (id),
    reason        TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    delivered_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year, seq)
) STRICT;

CREATE UNIQUE INDEX register_entries_once ON register_entries (comment_id, coalesce(case_id, 0));

-- The audit log: append-only and hash-chained.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    subject    TEXT    NOT NULL DEFAULT '',
    detail     BLOB,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE cursors (
    account_key  TEXT    PRIMARY KEY REFERENCES accounts (key),
    since        INTEGER NOT NULL DEFAULT 0,
    token        TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE schedules (
    account_key     TEXT    PRIMARY KEY REFERENCES accounts (key),
    next_poll_at    INTEGER NOT NULL DEFAULT 0,
    next_reconcile  INTEGER NOT NULL DEFAULT 0,
    crisis_until    INTEGER NOT NULL DEFAULT 0,
    crisis_every    INTEGER NOT NULL DEFAULT 0, -- nanoseconds
    last_poll_at    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE webhook_events (
    id           INTEGER PRIMARY KEY,
    object       TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    done_at      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX webhook_events_pending ON webhook_events (id) WHERE done = 0;
