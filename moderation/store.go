package moderation

import (
	"context"
	"time"
)

// Store keeps everything uppsikt knows. Every method is one transaction.
// archive/sqlite implements it; a second backend must pass the same contract
// suite in moderation/storetest.
//
// Methods that record observations or outcomes are idempotent where the
// pipeline may replay them after a crash: replaying a call gives the same
// result and stores nothing twice.
type Store interface {
	// Accounts. UpsertAccount writes what the configuration says about an
	// account (name, platform id, owners) and keeps its operational status.
	UpsertAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, key string) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	SetAccountStatus(ctx context.Context, key string, status AccountStatus, note string) error

	// Posts. SavePost inserts or updates a post; created says it was new.
	SavePost(ctx context.Context, p Post) (created bool, err error)
	Post(ctx context.Context, accountKey, platformID string) (Post, error)

	// Comments. RecordComment stores an observation: a new comment, a new
	// version when its text has not been seen before (identity: platform id and
	// VersionHash), and a hidden/visible state change. Every new version is
	// queued as a WorkItem in the same transaction.
	RecordComment(ctx context.Context, o CommentObservation) (IngestResult, error)
	// RecordStateChange notes that a comment was hidden, unhidden or deleted.
	// It returns ErrNotFound for a comment never stored. A deleted comment
	// stays deleted.
	RecordStateChange(ctx context.Context, c StateChange) (changed bool, err error)
	Comment(ctx context.Context, id int64) (Comment, error)
	CommentByPlatformID(ctx context.Context, accountKey, platformID string) (Comment, error)
	CommentVersions(ctx context.Context, commentID int64) ([]CommentVersion, error)
	// CommentStates returns the state of every stored comment on a post, by
	// platform id, for the reconcile pass to find what disappeared.
	CommentStates(ctx context.Context, accountKey, postID string) (map[string]CommentState, error)
	ListComments(ctx context.Context, f CommentFilter) ([]CommentView, error)

	// The pipeline's queue. PendingWork returns items oldest first;
	// CompleteWork removes one; FailWork counts a failed attempt.
	PendingWork(ctx context.Context, limit int) ([]WorkItem, error)
	CompleteWork(ctx context.Context, id int64) error
	FailWork(ctx context.Context, id int64, reason string) error

	// Verdicts, one per comment version; saving the same again is harmless.
	SaveVerdict(ctx context.Context, v StoredVerdict) error
	LatestVerdict(ctx context.Context, commentID int64) (StoredVerdict, error)

	// Review cases. OpenCase returns the comment's unresolved case if it has
	// one (updated to the new version and categories) or opens a new one.
	OpenCase(ctx context.Context, c Case) (Case, bool, error)
	Case(ctx context.Context, id int64) (Case, error)
	ListCases(ctx context.Context, f CaseFilter) ([]Case, error)
	// RecordDecision stores a decision and moves the case to state to, only
	// if the case is in one of the states from. Otherwise it returns a
	// *ConflictError carrying the decision that came first.
	RecordDecision(ctx context.Context, d Decision, from []CaseState, to CaseState) (Decision, error)
	Decisions(ctx context.Context, caseID int64) ([]Decision, error)

	// Platform actions are recorded before they are sent. EnqueueAction is
	// idempotent per comment, case and kind.
	EnqueueAction(ctx context.Context, a Action) (Action, bool, error)
	PendingActions(ctx context.Context, limit int) ([]Action, error)
	FinishAction(ctx context.Context, id int64, state, platformRef, lastError string) error
	Actions(ctx context.Context, commentID int64) ([]Action, error)
	// ActionByRef returns the done action that recorded platformRef (the
	// id of the reply it made), or ErrNotFound: a reply found on the
	// platform belongs to another action when one has claimed it.
	ActionByRef(ctx context.Context, platformRef string) (Action, error)

	// Evidence files, idempotent per comment and hash.
	AddEvidence(ctx context.Context, e EvidenceFile) (EvidenceFile, error)
	Evidence(ctx context.Context, commentID int64) ([]EvidenceFile, error)
	ListEvidence(ctx context.Context, afterID int64, limit int) ([]EvidenceFile, error)

	// The records register. CreateRegisterEntry numbers the entry within its
	// year (number formats the series, e.g. "KS 2026/0042") and is idempotent
	// per comment and case.
	CreateRegisterEntry(ctx context.Context, e RegisterEntry, number func(year, seq int) string) (RegisterEntry, error)
	RegisterEntries(ctx context.Context, year int) ([]RegisterEntry, error)
	MarkRegisterDelivered(ctx context.Context, id int64, at time.Time) error

	// The audit log is append-only and hash-chained (AuditEntry.ComputeHash).
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	AuditLog(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)

	// Poll cursors and schedules.
	Cursor(ctx context.Context, accountKey string) (Cursor, error)
	SetCursor(ctx context.Context, c Cursor) error
	Schedule(ctx context.Context, accountKey string) (Schedule, error)
	SetSchedule(ctx context.Context, s Schedule) error
	DueSchedules(ctx context.Context, now time.Time) ([]Schedule, error)

	// Webhook deliveries are persisted as received, before they are answered.
	SaveWebhookEvent(ctx context.Context, e WebhookEvent) (int64, error)
	PendingWebhookEvents(ctx context.Context, limit int) ([]WebhookEvent, error)
	FinishWebhookEvent(ctx context.Context, id int64, processErr string) error

	Stats(ctx context.Context) (Stats, error)
	Close() error
}

// CaseFilter narrows a listing of cases. Zero values mean no limit.
type CaseFilter struct {
	AccountKey string
	States     []CaseState
	Category   string
	Limit      int
}

// WebhookEvent is a webhook delivery as received from the platform.
type WebhookEvent struct {
	ID         int64
	Object     string // page, instagram
	Body       []byte // the raw, verified body
	ReceivedAt time.Time
	Done       bool
	Error      string
}
