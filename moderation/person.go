package moderation

import (
	"context"
	"time"
)

// PersonStore finds and erases what uppsikt holds about one commenter, for
// the data protection officer: a person's right of access (everything
// stored about them) and right to erasure (what no public-record duty
// keeps). archive/sqlite implements it.
type PersonStore interface {
	// PersonRecords returns everything stored about the commenter with
	// the platform's user id authorID, on every account.
	PersonRecords(ctx context.Context, authorID string) (PersonRecords, error)
	// ErasePerson erases the text, the raw platform answers, the verdicts
	// and the author of the commenter's comments that nothing keeps,
	// deletes the processed webhook deliveries that name them, logs a
	// Disposal per account and appends the audit entry AuditPersonErased,
	// in one transaction. Comments kept as a public record are listed with
	// why. A dry run changes nothing and writes no audit entry.
	ErasePerson(ctx context.Context, r ErasureRequest) (Erasure, error)
}

// AuditPersonErased is the audit action of an erasure. Its subject names
// the person by the SHA-256 of their id, never by name.
const AuditPersonErased = "person.erased"

// DisposalErasure is the kind of the disposals logged by an erasure.
const DisposalErasure = "erasure"

// PersonRecords is everything uppsikt stores about one commenter.
type PersonRecords struct {
	AuthorID string
	Comments []PersonComment // oldest first
	// Posts are posts the person wrote on a supervised account (visitor
	// posts), when the platform reports them.
	Posts []Post
	// WebhookDeliveries counts the raw webhook deliveries stored that name
	// the person (the platform's notifications, kept until processed).
	WebhookDeliveries int
}

// PersonComment is one comment of the person with everything attached to it.
type PersonComment struct {
	Comment
	Versions  []CommentVersion // every text, oldest first; disposed ones are empty
	Verdicts  []StoredVerdict  // the classifier's verdict on each version
	Cases     []Case
	Decisions []Decision // on those cases, oldest first
	Actions   []Action   // what uppsikt did on the platform (hide, delete, reply to the person)
	Evidence  []EvidenceFile
	Register  []RegisterEntry
	Keep      []KeepReason // why an erasure keeps it; empty when it may be erased
}

// Why a comment is kept by an erasure.
const (
	KeepCase     = "case"     // a review case: a public record of the municipality's decision
	KeepEvidence = "evidence" // evidence of a removal or of a decision
	KeepRegister = "register" // an entry in the records register
	KeepHold     = "hold"     // a legal hold in force
	KeepPending  = "pending"  // still being processed; erase again later
)

// KeepReason is one reason to keep a comment, with what it refers to: a
// case id, an evidence file's SHA-256, a register number, a hold's id and
// reason.
type KeepReason struct {
	Kind string
	Ref  string
}

// ErasureRequest asks to erase a commenter.
type ErasureRequest struct {
	AuthorID string
	By       string // who carries it out, for the audit log and the disposal log
	At       time.Time
	DryRun   bool
}

// Erasure is what an erasure did, or with DryRun would do.
type Erasure struct {
	AuthorIDSHA256 string // the person as the audit log names them
	At             time.Time
	By             string
	DryRun         bool
	Comments       int // comments whose text and author were erased
	Versions       int // versions whose text was erased
	Deliveries     int // processed webhook deliveries deleted
	Pending        int // webhook deliveries naming the person not yet processed (kept)
	Kept           []PersonComment
	// Snapshots are the archived snapshots that cover a post with an erased
	// comment: archive records, not changed, that still hold its text.
	Snapshots []SnapshotRecord
	AuditSeq  int64 // the audit entry written; 0 for a dry run
}
