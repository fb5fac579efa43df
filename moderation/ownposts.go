package moderation

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The account's own posts: their deletion on approval when they are past
// their age under the retention plan, and objections from people who do not
// want a photo of themselves in one of them (the Danish practice: an
// objection to a published photo means it is removed).

// ErrManualRemoval is returned (wrapped) by the removal of a post on a
// platform that cannot delete it through its API: a person must remove it
// in the platform's own app. uppsikt never reports such a post as deleted
// until a re-read shows that it is gone.
var ErrManualRemoval = errors.New("the platform's API cannot delete this post: remove it by hand in the platform's app")

// PostChecker checks whether the account's own posts are still on a
// platform. Deleting them goes through the one remover, moderation/removal.
type PostChecker interface {
	// PostGone reports whether the platform says the post no longer exists.
	PostGone(ctx context.Context, a Account, postID string) (bool, error)
}

// PostDeletionState is where a deletion of an own post is.
type PostDeletionState string

// Post deletion states. A deletion is stored as pending before it is sent to
// the platform, so that a crash never forgets an approved deletion.
const (
	DeletionPending PostDeletionState = "pending" // approved, not yet confirmed by the platform
	DeletionDone    PostDeletionState = "deleted" // the platform deleted it, or said it was already gone
	DeletionManual  PostDeletionState = "manual"  // the platform's API cannot delete it; a person must
	DeletionFailed  PostDeletionState = "failed"  // refused by the guard or the platform; not retried
)

// Why an own post is deleted.
const (
	DeletionRetention = "retention" // past its age under the retention plan
	DeletionObjection = "objection" // a person objected to a photo of them in it
)

// PostDeletion is an approved deletion of one of the account's own posts.
type PostDeletion struct {
	ID          int64
	AccountKey  string
	PostID      string // the platform's id of the post
	Reason      string // DeletionRetention or DeletionObjection
	ObjectionID int64  // the objection, when Reason is DeletionObjection
	SnapshotID  int64  // the snapshot that covers the post, for retention
	ApprovedBy  string
	ApprovedAt  time.Time
	State       PostDeletionState
	Attempts    int       // platform calls started
	LastAttempt time.Time // when the last call started
	LastError   string
	Note        string // for a manual removal: what the person must do
	DoneAt      time.Time
}

// ObjectionState is where an objection to a photo in an own post is.
type ObjectionState string

// Objection states, in order: received → evidence_captured → approved or
// refused; approved → removed → confirmed.
const (
	ObjectionReceived         ObjectionState = "received"
	ObjectionEvidenceCaptured ObjectionState = "evidence_captured"
	ObjectionApproved         ObjectionState = "approved"
	ObjectionRefused          ObjectionState = "refused"
	ObjectionRemoved          ObjectionState = "removed"
	ObjectionConfirmed        ObjectionState = "confirmed"
)

// Objection is a person's objection to a photo of them in one of the
// account's own posts. It is a case: it gets an entry in the records
// register when it is received.
type Objection struct {
	ID         int64
	AccountKey string
	PostID     string // the platform's id of the post
	Person     string // who objects
	Contact    string // how to reach them (e-mail, phone, address)
	Reason     string // what they object to, in their words
	Language   string // of the confirmation: "sv" or "da"
	RecordedBy string // the uppsikt user who recorded it
	ReceivedAt time.Time
	State      ObjectionState

	RegisterEntryID int64
	RegisterNumber  string

	// Evidence of the post before removal: a PDF, content addressed in the
	// evidence directory. EvidenceKind is "pdfa" (screenshot and data,
	// PDF/A-3b), "pdf" (the same when the PDF/A conversion failed), or either
	// with "_text_only" (the stored data only, when the browser failed).
	EvidencePath   string
	EvidenceSHA256 string
	EvidenceSize   int64
	EvidenceKind   string
	EvidenceAt     time.Time

	DecidedBy      string
	DecidedAt      time.Time
	DecisionReason string

	DeletionID   int64 // the PostDeletion carrying out the removal
	RemovedAt    time.Time
	ConfirmedAt  time.Time
	Confirmation string // the text sent to the person
	UpdatedAt    time.Time
}

// ObjectionStateError is returned by UpdateObjection when the objection is
// not in one of the states the change may start from.
type ObjectionStateError struct {
	ID    int64
	State ObjectionState // the state it is in
	Want  []ObjectionState
}

func (e *ObjectionStateError) Error() string {
	return fmt.Sprintf("objection %d is %s, want one of %v", e.ID, e.State, e.Want)
}

// OwnPostStore keeps approved deletions of own posts and objections. Every
// method is one transaction. archive/sqlite implements it;
// moderation/storetest.RunOwnPosts is its contract.
type OwnPostStore interface {
	// RequestPostDeletion stores an approved deletion as pending, before it
	// is sent. It is idempotent per account and post: when a deletion of the
	// post is already stored (pending, done or manual) that one is returned
	// with created false; a failed one is replaced by the new request.
	RequestPostDeletion(ctx context.Context, d PostDeletion) (PostDeletion, bool, error)
	PostDeletion(ctx context.Context, id int64) (PostDeletion, error)
	// PostDeletions lists an account's deletions (every account when
	// accountKey is empty), oldest first.
	PostDeletions(ctx context.Context, accountKey string) ([]PostDeletion, error)
	// PendingPostDeletions lists deletions not yet carried out, oldest first.
	PendingPostDeletions(ctx context.Context, limit int) ([]PostDeletion, error)
	// StartPostDeletion counts an attempt and stamps its time, right before
	// the platform call. It refuses a deletion that is no longer pending.
	StartPostDeletion(ctx context.Context, id int64, at time.Time) (PostDeletion, error)
	// FinishPostDeletion records the outcome of a pending deletion: state
	// done, manual or failed (with note or error), or pending again with the
	// error of a failed attempt. A finished deletion is not changed again,
	// except a manual one, which becomes done once a re-read of the
	// platform shows the post gone.
	FinishPostDeletion(ctx context.Context, id int64, state PostDeletionState, lastError, note string, at time.Time) (PostDeletion, error)

	// AddObjection stores a received objection and, in the same
	// transaction, its entry in the records register (numbered in the
	// register's year series by number, as CreateRegisterEntry does).
	AddObjection(ctx context.Context, o Objection, registerReason string, number func(year, seq int) string) (Objection, error)
	Objection(ctx context.Context, id int64) (Objection, error)
	// Objections lists an account's objections (every account when
	// accountKey is empty), oldest first.
	Objections(ctx context.Context, accountKey string) ([]Objection, error)
	// UpdateObjection writes o's state and the fields of its later steps
	// (evidence, decision, deletion, removal, confirmation) only when the
	// stored objection is in one of the states from; otherwise it returns an
	// *ObjectionStateError. Evidence once stored is never replaced.
	UpdateObjection(ctx context.Context, o Objection, from ...ObjectionState) (Objection, error)
}
