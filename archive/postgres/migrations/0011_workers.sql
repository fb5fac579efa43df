-- Several `uppsikt serve` processes (workers) on one store: the same change
-- as archive/sqlite/migrations/0011_workers.sql.
--
-- Times are nanoseconds since the epoch, UTC; 0 means "not set".

-- Every worker's heartbeat: dead once expires_at has passed.
CREATE TABLE workers (
    id          TEXT   PRIMARY KEY,
    instance    TEXT   NOT NULL,
    started_at  BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Leases: "account:KEY" (the worker polling the account), "job:NAME" (the
-- worker running a job that runs once across workers). Free once
-- expires_at has passed.
CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX leases_holder ON leases (holder);

-- Claims on queued items: the worker working on an item, until its
-- heartbeat expires ('' and 0: nobody).
ALTER TABLE work_items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX work_items_claimed ON work_items (claimed_by) WHERE claimed_by <> '';
ALTER TABLE actions ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX actions_claimed ON actions (claimed_by) WHERE claimed_by <> '';
ALTER TABLE webhook_events ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_events ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX webhook_events_claimed ON webhook_events (claimed_by) WHERE claimed_by <> '';
