package moderation

import (
	"context"
	"time"
)

// AddendumStore is what the decision addenda need beyond Store: the
// decided cases still without their addendum, and the addenda's delivery
// to each outlet of the records register. archive/sqlite implements it;
// moderation/storetest.RunAddenda is its contract.
type AddendumStore interface {
	// DecidedWithoutAddendum returns the decided cases (approved, kept,
	// registered or done) that have an entry in the records register and
	// whose latest decision, the one that settled them, has no evidence
	// file of kind EvidenceDecision, oldest case first, at most limit (0:
	// all). A case reopened and decided again is due again.
	DecidedWithoutAddendum(ctx context.Context, limit int) ([]DecidedCase, error)
	// UndeliveredAddenda returns the addenda that outlet has not
	// acknowledged and whose register entry it has (the evidence PDF
	// reaches the registrar first), oldest first, at most limit (0: all).
	UndeliveredAddenda(ctx context.Context, outlet string, limit int) ([]Addendum, error)
	// MarkAddendumDelivered records that outlet acknowledged the addendum
	// (its evidence file id); the first acknowledgement is kept.
	MarkAddendumDelivered(ctx context.Context, fileID int64, outlet string, at time.Time) error
	// FailAddendumDelivery counts a failed attempt of outlet at the
	// addendum.
	FailAddendumDelivery(ctx context.Context, fileID int64, outlet, reason string, at time.Time) error
}

// DecidedCase is a decided review case with the decision that settled it
// and its register entry.
type DecidedCase struct {
	Case     Case
	Decision Decision
	Entry    RegisterEntry
}

// Addendum is a decision addendum with the register entry it is filed
// under.
type Addendum struct {
	File  EvidenceFile
	Entry RegisterEntry
}
