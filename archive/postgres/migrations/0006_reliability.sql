-- Reliability: nothing stalls, nothing is given up.
--
-- Times are nanoseconds since the epoch, UTC; 0 means "not set".

-- The pipeline's queue backs off: a failed item waits until next_attempt_at.
-- An item that used up its attempts is set aside (dead_at) so that it no
-- longer blocks the head of the queue; an administrator may retry it.
ALTER TABLE work_items ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN dead_at BIGINT NOT NULL DEFAULT 0;
DROP INDEX work_items_pending;
CREATE INDEX work_items_due ON work_items (next_attempt_at, created_at, id) WHERE done_at = 0 AND dead_at = 0;
CREATE INDEX work_items_dead ON work_items (dead_at) WHERE done_at = 0 AND dead_at > 0;

-- Platform actions wait for a known time (a rate limit's end, a backoff)
-- without using up attempts; outcome says how a done action ended:
-- '' (as asked) or 'gone' (the object was already deleted on the platform).
ALTER TABLE actions ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE actions ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
DROP INDEX actions_pending;
CREATE INDEX actions_due ON actions (next_attempt_at, id) WHERE state = 'pending';

-- Webhook deliveries: attempts survive a restart; a delivery waits until
-- next_attempt_at before it is processed again.
ALTER TABLE webhook_events ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;

-- Evidence: which version of the comment a file documents (0: written
-- before this migration, version unknown).
ALTER TABLE evidence_files ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- Everything about one commenter (the data protection officer's export and
-- erasure).
CREATE INDEX comments_author ON comments (account_key, author_id) WHERE author_id <> '';

-- Whether a webhook delivery (its body, JSON) names author as the writer
-- of a comment or post: an object under a "from" key whose "id" is author.
-- A body that is not JSON names nobody. (SQLite's store asks json_tree.)
CREATE FUNCTION uppsikt_names_author(body BYTEA, author TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN jsonb_path_exists(convert_from(body, 'UTF8')::jsonb,
        'strict $.**.from.id ? (@ == $a)', jsonb_build_object('a', author));
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END
$$;
