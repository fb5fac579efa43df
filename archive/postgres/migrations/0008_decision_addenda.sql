-- Decision addenda: the PDF that records a decision that settled a review
-- case (what, who, when, why, the register number) and completes the
-- comment's evidence PDF. It is an evidence file of kind 'decision' tied
-- to its case and decision, at most one per decision: a case reopened and
-- decided again gets another.
ALTER TABLE evidence_files ADD COLUMN case_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evidence_files ADD COLUMN decision_id BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX evidence_files_decision ON evidence_files (decision_id) WHERE kind = 'decision';

-- The addenda's delivery to the registrar: one row per addendum and
-- outlet, written when the outlet acknowledged it or an attempt failed,
-- as register_deliveries is for the entries.
CREATE TABLE addendum_deliveries (
    file_id       BIGINT NOT NULL REFERENCES evidence_files (id),
    outlet        TEXT    NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    last_attempt  BIGINT NOT NULL DEFAULT 0,
    delivered_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, outlet)
);
