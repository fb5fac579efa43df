-- The delivery queue of the records register: one row per register entry
-- and outlet, written when an outlet acknowledged the entry or an attempt
-- failed, so that every outlet gets every entry once.
CREATE TABLE register_deliveries (
    entry_id      BIGINT NOT NULL REFERENCES register_entries (id),
    outlet        TEXT    NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    last_attempt  BIGINT NOT NULL DEFAULT 0,
    delivered_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, outlet)
);
