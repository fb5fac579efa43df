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

	// The pipeline's queue. PendingWork returns the items due at now (not
	// done, not set aside, next attempt at or before now), oldest first; the
	// zero now returns every waiting item, due or not. CompleteWork removes
	// one. FailWork counts a failed attempt and keeps the item back until
	// retryAt. DeadLetterWork counts an item's last failed attempt and sets
	// it aside for a human (it is never pending again until RetryWork);
	// DeadWork lists those, the longest set aside first.
	// RetryWork puts a set-aside or waiting item back in the queue, due at
	// once, with its attempts reset; the caller writes the audit entry.
	PendingWork(ctx context.Context, now time.Time, limit int) ([]WorkItem, error)
	CompleteWork(ctx context.Context, id int64) error
	FailWork(ctx context.Context, id int64, reason string, retryAt time.Time) error
	DeadLetterWork(ctx context.Context, id int64, reason string) error
	DeadWork(ctx context.Context, limit int) ([]WorkItem, error)
	RetryWork(ctx context.Context, id int64) error

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
	// UndoApproval records d (an undo) and moves the approved case back to
	// state to, atomically, only while no action carrying out its removal
	// (a delete, reply or private reply tied to the case, in any state but
	// done as ActionCancelled) exists: once one is queued the removal is
	// under way and undoing it gives an error wrapping ErrTooLate. A case
	// that is not approved gives a *ConflictError with its latest decision.
	UndoApproval(ctx context.Context, d Decision, to CaseState) (Decision, error)

	// Platform actions are recorded before they are sent. EnqueueAction is
	// idempotent per comment, case and kind; an action done as
	// ActionCancelled is made pending again (attempts, error and outcome
	// reset, created now), so a removal approved again after an undo is
	// carried out.
	EnqueueAction(ctx context.Context, a Action) (Action, bool, error)
	// PendingActions returns the pending actions due at now (next attempt
	// at or before now) on comments of active accounts, oldest first: an
	// action on a disconnected account waits until its token is accepted
	// again. The zero now ignores the due time (not the account's status).
	PendingActions(ctx context.Context, now time.Time, limit int) ([]Action, error)
	// FinishAction records an attempt and its result: pending to retry
	// (due at once), done or failed. FinishActionOutcome records a done
	// action that ended otherwise than asked (ActionGone, or
	// ActionCancelled, which counts no attempt).
	FinishAction(ctx context.Context, id int64, state, platformRef, lastError string) error
	FinishActionOutcome(ctx context.Context, id int64, outcome, platformRef, lastError string) error
	// DeferAction keeps a pending action back until retryAt with its last
	// error, counting an attempt only when countAttempt is set (a rate
	// limit whose end is known costs none). It does nothing to an action
	// that is no longer pending.
	DeferAction(ctx context.Context, id int64, retryAt time.Time, lastError string, countAttempt bool) error
	// FailedActions lists actions that failed for good, oldest first;
	// RetryAction makes a failed (or waiting) action pending and due now
	// with its attempts reset. A done action cannot be retried.
	FailedActions(ctx context.Context, limit int) ([]Action, error)
	RetryAction(ctx context.Context, id int64) error
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
	// PendingWebhookEvents returns the deliveries due at now, oldest first
	// (the zero now: every unprocessed delivery). RetryWebhookEvent keeps
	// one back until retryAt with its error, counting an attempt only when
	// countAttempt is set; the count survives a restart.
	PendingWebhookEvents(ctx context.Context, now time.Time, limit int) ([]WebhookEvent, error)
	RetryWebhookEvent(ctx context.Context, id int64, retryAt time.Time, lastError string, countAttempt bool) error
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
	// Attempts counts failed attempts at processing the delivery;
	// NextAttemptAt is when it is due again (zero: at once).
	Attempts      int
	NextAttemptAt time.Time
}
