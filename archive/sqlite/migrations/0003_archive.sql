-- Archiving: yearly and closing snapshots, legal holds, and retention
-- (gallring) of comment text with a log of every disposal.

-- A comment version's text stays immutable except through one audited
-- route: disposal under the retention plan, which blanks the text and the raw
-- platform answer and sets disposed_at, once. The hash is kept: it is the
-- version's identity, so that a late observation of the same text is not
-- stored again.
ALTER TABLE comment_versions ADD COLUMN disposed_at INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER comment_versions_no_update;

CREATE TRIGGER comment_versions_no_update BEFORE UPDATE ON comment_versions
WHEN NOT (
    old.disposed_at = 0 AND new.disposed_at > 0
    AND new.message = '' AND new.raw IS NULL
    AND new.id = old.id AND new.comment_id = old.comment_id AND new.version = old.version
    AND new.hash = old.hash AND new.seen_at = old.seen_at AND new.source = old.source
)
BEGIN
    SELECT RAISE(ABORT, 'comment versions are immutable');
END;

-- The disposed text leaves the full-text index too: the FTS5 build's
-- trigger for that is made at Open (search_fts5.go).

-- A legal hold stops disposal for an account (case_id NULL) or for the
-- comment of one review case. released_at is 0 while the hold is in force.
CREATE TABLE legal_holds (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT    NOT NULL REFERENCES accounts (key),
    case_id      INTEGER REFERENCES cases (id),
    reason       TEXT    NOT NULL,
    placed_by    TEXT    NOT NULL,
    placed_at    INTEGER NOT NULL,
    released_by  TEXT    NOT NULL DEFAULT '',
    released_at  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX legal_holds_active ON legal_holds (account_key) WHERE released_at = 0;

-- Every disposal: what kind, how many, when, under which rule. What was
-- disposed is not kept.
CREATE TABLE disposals (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    rule         TEXT    NOT NULL,
    account_key  TEXT    NOT NULL,
    cutoff       INTEGER NOT NULL,
    items        INTEGER NOT NULL,
    comments     INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    by_user      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER disposals_no_update BEFORE UPDATE ON disposals
BEGIN
    SELECT RAISE(ABORT, 'the disposal log is append-only');
END;

CREATE TRIGGER disposals_no_delete BEFORE DELETE ON disposals
BEGIN
    SELECT RAISE(ABORT, 'the disposal log is append-only');
END;

-- Snapshots taken of an account: which period they cover, where the file is
-- and its SHA-256.
CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT    NOT NULL REFERENCES accounts (key),
    kind         TEXT    NOT NULL CHECK (kind IN ('yearly', 'closing', 'manual')),
    covers_from  INTEGER NOT NULL,
    covers_to    INTEGER NOT NULL,
    path         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    pages        INTEGER NOT NULL,
    posts        INTEGER NOT NULL,
    comments     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX snapshots_account ON snapshots (account_key, covers_from);

CREATE INDEX posts_account_created ON posts (account_key, created_at, id);
CREATE INDEX comment_versions_seen ON comment_versions (seen_at) WHERE disposed_at = 0;
