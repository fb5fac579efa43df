-- The account's own posts: approved deletions (past their age under the
-- retention plan, or after an objection) and objections to photos in them.

-- An approved deletion of an own post, stored as pending before it is sent
-- to the platform, so that a crash neither forgets nor repeats it in effect.
CREATE TABLE post_deletions (
    id            INTEGER PRIMARY KEY,
    account_key   TEXT    NOT NULL REFERENCES accounts (key),
    post_id       TEXT    NOT NULL,
    reason        TEXT    NOT NULL CHECK (reason IN ('retention', 'objection')),
    objection_id  INTEGER,
    snapshot_id   INTEGER REFERENCES snapshots (id),
    approved_by   TEXT    NOT NULL,
    approved_at   INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'deleted', 'manual', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_attempt  INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    note          TEXT    NOT NULL DEFAULT '',
    done_at       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One live deletion per post; a failed one may be approved again.
CREATE UNIQUE INDEX post_deletions_once ON post_deletions (account_key, post_id) WHERE state <> 'failed';
CREATE INDEX post_deletions_pending ON post_deletions (id) WHERE state = 'pending';

-- A person's objection to a photo of them in one of the account's own posts.
CREATE TABLE objections (
    id               INTEGER PRIMARY KEY,
    account_key      TEXT    NOT NULL REFERENCES accounts (key),
    post_id          TEXT    NOT NULL,
    person           TEXT    NOT NULL,
    contact          TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL,
    language         TEXT    NOT NULL DEFAULT 'sv',
    recorded_by      TEXT    NOT NULL DEFAULT '',
    received_at      INTEGER NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('received', 'evidence_captured', 'approved', 'refused', 'removed', 'confirmed')),
    evidence_path    TEXT    NOT NULL DEFAULT '',
    evidence_sha256  TEXT    NOT NULL DEFAULT '',
    evidence_size    INTEGER NOT NULL DEFAULT 0,
    evidence_kind    TEXT    NOT NULL DEFAULT '',
    evidence_at      INTEGER NOT NULL DEFAULT 0,
    decided_by       TEXT    NOT NULL DEFAULT '',
    decided_at       INTEGER NOT NULL DEFAULT 0,
    decision_reason  TEXT    NOT NULL DEFAULT '',
    deletion_id      INTEGER REFERENCES post_deletions (id),
    removed_at       INTEGER NOT NULL DEFAULT 0,
    confirmed_at     INTEGER NOT NULL DEFAULT 0,
    confirmation     TEXT    NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX objections_account ON objections (account_key, id);

-- Evidence of an objection, once stored, is never replaced.
CREATE TRIGGER objections_evidence_immutable BEFORE UPDATE OF evidence_sha256, evidence_path ON objections
WHEN old.evidence_sha256 <> '' AND (new.evidence_sha256 <> old.evidence_sha256 OR new.evidence_path <> old.evidence_path)
BEGIN
    SELECT RAISE(ABORT, 'objection evidence is immutable');
END;

-- A register entry may now be an objection's instead of a comment's: the
-- table is rebuilt with comment_id 0 allowed when objection_id is set, and
-- the reference to comments is kept by a trigger. register_deliveries is
-- rebuilt with it (same columns, same rows), so that its reference to
-- register_entries follows the new table.
CREATE TABLE register_entries_0005 (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    number        TEXT    NOT NULL UNIQUE,
    comment_id    INTEGER NOT NULL DEFAULT 0,
    case_id       INTEGER REFERENCES cases (id),
    reason        TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    delivered_at  INTEGER NOT NULL DEFAULT 0,
    objection_id  INTEGER REFERENCES objections (id),
    UNIQUE (year, seq),
    CHECK ((comment_id <> 0) <> (objection_id IS NOT NULL))
) STRICT;

INSERT INTO register_entries_0005 (id, year, seq, number, comment_id, case_id, reason, created_at, delivered_at)
SELECT id, year, seq, number, comment_id, case_id, reason, created_at, delivered_at FROM register_entries;

CREATE TABLE register_deliveries_0005 (
    entry_id      INTEGER NOT NULL REFERENCES register_entries_0005 (id),
    outlet        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    last_attempt  INTEGER NOT NULL DEFAULT 0,
    delivered_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, outlet)
) STRICT;

INSERT INTO register_deliveries_0005 (entry_id, outlet, attempts, last_error, last_attempt, delivered_at)
SELECT entry_id, outlet, attempts, last_error, last_attempt, delivered_at FROM register_deliveries;

DROP TABLE register_deliveries;
DROP TABLE register_entries;
ALTER TABLE register_entries_0005 RENAME TO register_entries;
ALTER TABLE register_deliveries_0005 RENAME TO register_deliveries;

CREATE UNIQUE INDEX register_entries_once ON register_entries (comment_id, coalesce(case_id, 0)) WHERE comment_id <> 0;
CREATE UNIQUE INDEX register_entries_objection ON register_entries (objection_id) WHERE objection_id IS NOT NULL;

CREATE TRIGGER register_entries_comment_exists BEFORE INSERT ON register_entries
WHEN new.comment_id <> 0 AND NOT EXISTS (SELECT 1 FROM comments WHERE id = new.comment_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: register entry of an unknown comment');
END;

CREATE TRIGGER register_entries_comment_fixed BEFORE UPDATE OF comment_id ON register_entries
WHEN new.comment_id <> old.comment_id
BEGIN
    SELECT RAISE(ABORT, 'a register entry keeps its comment');
END;
