-- The answer clock: questions to the municipality and the reminders sent
-- about them. A question is derived from stored state (the latest verdict
-- of a comment says question, and the account did not write it) by
-- SyncQuestions, so it is never lost to a crash; one per comment.
CREATE TABLE questions (
    id                 INTEGER PRIMARY KEY,
    comment_id         INTEGER NOT NULL UNIQUE REFERENCES comments (id),
    account_key        TEXT    NOT NULL REFERENCES accounts (key),
    asked_at           INTEGER NOT NULL,
    opened_at          INTEGER NOT NULL,
    state              TEXT    NOT NULL
                               CHECK (state IN ('open', 'answered', 'answered_elsewhere', 'not_a_question', 'gone')),
    closed_at          INTEGER NOT NULL DEFAULT 0,
    reply_comment_id   INTEGER NOT NULL DEFAULT 0,
    reply_platform_id  TEXT    NOT NULL DEFAULT '',
    closed_by          TEXT    NOT NULL DEFAULT '',
    note               TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX questions_account_asked ON questions (account_key, asked_at);
CREATE INDEX questions_waiting ON questions (state) WHERE state IN ('open', 'gone');

-- One row per reminder sent: a restart does not send it again.
CREATE TABLE question_reminders (
    question_id  INTEGER NOT NULL REFERENCES questions (id),
    after_ns     INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL,
    channel      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (question_id, after_ns)
) STRICT;

-- The verdicts that say question, and those of the account's own comments,
-- found without reading every verdict.
CREATE INDEX verdicts_question ON verdicts (comment_id, version) WHERE json_extract(verdict, '$.question') = 1;
CREATE INDEX verdicts_own ON verdicts (comment_id) WHERE json_extract(verdict, '$.own') = 1;
-- The comments of a thread: replies name their top-level comment.
CREATE INDEX comments_parent ON comments (account_key, parent_id) WHERE parent_id <> '';
