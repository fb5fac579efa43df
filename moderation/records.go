package moderation

import (
	"encoding/json"
	"time"
)

// CaseState is where a review case is in its life.
type CaseState string

// Review case states. A case is opened for a flagged comment version and is
// closed by a decision carried out on the platform.
const (
	CaseOpen       CaseState = "open"       // waiting for a reviewer
	CaseEscalated  CaseState = "escalated"  // waiting for another role
	CaseApproved   CaseState = "approved"   // removal approved, actions pending
	CaseKept       CaseState = "kept"       // reviewer kept the comment
	CaseRegistered CaseState = "registered" // register only
	CaseDone       CaseState = "done"       // every action carried out
)

// Case is a review case: one flagged comment waiting for, or having had, a
// human decision.
type Case struct {
	ID         int64
	CommentID  int64
	Version    int
	AccountKey string
	State      CaseState
	Categories []string
	OpenedAt   time.Time
	UpdatedAt  time.Time
}

// Decision kinds.
const (
	DecideRemove   = "remove"
	DecideKeep     = "keep"
	DecideRegister = "register"
	DecideEscalate = "escalate"
	// DecideReopen is recorded by uppsikt itself (By "uppsikt", Surface
	// "platform") when the platform refuses an approved removal for good:
	// the comment is still there, so the case is open again.
	DecideReopen = "reopen"
	// DecideUndo takes back an approved removal within its grace period,
	// before anything is done on the platform; the case is open again.
	DecideUndo = "undo"
)

// Notes of an action done as ActionCancelled: why it was not sent. The web
// page and Slack say them in the reader's language (PlatformErrorText).
const (
	// NoteRemovalFailed: an explanation to a comment's author whose
	// removal the platform refused; the comment is still there, so telling
	// the author it was removed would be wrong. The refused removal itself
	// fails and is alerted.
	NoteRemovalFailed = "not sent: the removal it tells of failed, the comment is still there"
	// NoteOwnComment: an explanation of the removal of the account's own
	// comment; the page does not answer itself.
	NoteOwnComment = "not sent: the account's own comment"
	// NoteUndone: a removal (or its explanation) whose approval was undone.
	NoteUndone = "not sent: its removal was undone"
	// NoteApprovedAgain: an action queued for an earlier approval, undone
	// since; the case was approved again and its grace has not ended.
	NoteApprovedAgain = "not sent yet: the case was approved again and its undo grace has not ended"
)

// Decision is a reviewer's decision on a case.
type Decision struct {
	ID      int64
	CaseID  int64
	Kind    string
	By      string // uppsikt user name
	Surface string // web, slack, cli
	Reason  string
	At      time.Time
}

// Platform action kinds.
const (
	ActHide         = "hide"
	ActUnhide       = "unhide"
	ActDelete       = "delete"
	ActReply        = "reply"
	ActPrivateReply = "private_reply"
)

// Action states.
const (
	ActionPending = "pending"
	ActionDone    = "done"
	ActionFailed  = "failed"
)

// Action outcomes: how a done action ended.
const (
	ActionAsAsked = ""     // the platform did what was asked
	ActionGone    = "gone" // the object was already deleted on the platform (by its author)
	// ActionCancelled: nothing was sent, because the review case the
	// action carried out was no longer approved (its removal was undone).
	// Queueing the same action again makes it pending again.
	ActionCancelled = "cancelled"
)

// Action is something uppsikt does, or will do, on a platform. It is recorded
// before it is sent, so that a crash never acts twice and never forgets.
type Action struct {
	ID          int64
	CommentID   int64
	CaseID      int64 // 0 when not tied to a case
	Kind        string
	Payload     string // the reply text, for replies
	State       string
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	DoneAt      time.Time
	PlatformRef string // the platform's id of what was created (a reply's id)
	// NextAttemptAt is when a pending action is due again (zero: at once).
	NextAttemptAt time.Time
	// Outcome is how a done action ended: ActionAsAsked, ActionGone or
	// ActionCancelled.
	Outcome string
}

// EvidencePDF is the kind of the evidence file that documents a comment:
// the PDF archive/evidencepdf commits and the removal gate asks for.
const EvidencePDF = "pdf"

// EvidenceDecision is the kind of the evidence file that records the
// decision that settled a review case: the decision addendum
// archive/evidencepdf makes once a decided case has its register entry. It names the SHA-256
// of the comment's evidence PDF it completes; it is not evidence of the
// comment's text, so the removal gate never takes it as a receipt.
const EvidenceDecision = "decision"

// EvidenceFile is a file of evidence kept for a comment: a screenshot, the
// raw API answer, or the evidence PDF. Files are content addressed by SHA256.
type EvidenceFile struct {
	ID        int64
	CommentID int64
	Kind      string // pdf, screenshot, raw_json, evidence_view, decision
	SHA256    string
	Path      string // relative to the evidence directory
	Size      int64
	CreatedAt time.Time
	// Version is the comment version the file documents: the latest
	// version it shows. 0 for files written before uppsikt recorded it
	// (unknown: not proof of any particular version).
	Version int
	// CaseID and DecisionID are the review case and the decision that
	// settled it which a decision addendum (EvidenceDecision) records; 0
	// for every other file.
	CaseID     int64
	DecisionID int64
}

// RegisterEntry is an entry in the municipality's records register
// (diarium), numbered per year within a series, e.g. "KS 2026/0042".
type RegisterEntry struct {
	ID        int64
	Year      int
	Seq       int
	Number    string
	CommentID int64 // the comment it documents; 0 for an objection's entry
	CaseID    int64
	// ObjectionID is the objection to a photo in an own post that the entry
	// registers (moderation.Objection); 0 for a comment's entry.
	ObjectionID int64
	Reason      string
	CreatedAt   time.Time
	Delivered   time.Time // zero until an outlet acknowledged it
}

// AuditEntry is one line of the append-only audit log. Each entry carries the
// hash of the one before it, so a changed or removed line breaks the chain.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string // user name, or "uppsikt" for the service itself
	Action   string
	Subject  string
	Detail   json.RawMessage
	PrevHash string
	Hash     string
}

// Cursor remembers how far the cheap poll of an account has read.
type Cursor struct {
	AccountKey string
	Since      time.Time // newest activity seen; the next poll asks from here
	Token      string    // platform paging token when one is useful
	UpdatedAt  time.Time
}

// Schedule is when an account is next due for a poll or reconcile pass.
// It lives in the store so that a restart loses nothing.
type Schedule struct {
	AccountKey    string
	NextPollAt    time.Time
	NextReconcile time.Time
	CrisisUntil   time.Time     // zero when not in crisis mode
	CrisisEvery   time.Duration // poll interval while in crisis mode
	LastPollAt    time.Time
	LastError     string
}

// WorkItem is one comment version waiting for the pipeline (classify,
// capture, review). It is written in the same transaction as the version, so
// a version is never lost between being stored and being classified.
type WorkItem struct {
	ID        int64
	CommentID int64
	Version   int
	Attempts  int
	CreatedAt time.Time
	LastError string
	// NextAttemptAt is when the item is due again after a failure (zero:
	// at once).
	NextAttemptAt time.Time
	// DeadAt is when the item was set aside after using up its attempts;
	// zero while it is in the queue.
	DeadAt time.Time
}

// Stats counts what the store holds, for the web page, /healthz and the
// demo.
type Stats struct {
	Accounts int
	Posts    int
	Comments int
	Versions int
	Flagged  int
	Deleted  int
	Hidden   int
	Pending  int // work items waiting in the queue (not done, not set aside)
	Dead     int // work items set aside after using up their attempts

	ActionsPending  int // platform actions still to be sent
	ActionsFailed   int // platform actions that failed for good
	WebhooksPending int // webhook deliveries not yet processed
	Disconnected    int // accounts whose token was rejected
}
