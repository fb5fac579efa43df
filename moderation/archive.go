package moderation

import (
	"context"
	"time"
)

// ArchiveStore is what archiving needs of the store beyond Store: reading a
// year of an account in pages for snapshots and archive packages, recording
// snapshots, legal holds, and disposal of comment text under the retention
// plan. archive/sqlite implements it; moderation/storetest.RunArchive is its
// contract.
type ArchiveStore interface {
	// PostsBetween returns the account's posts created in [from, to), oldest
	// first, at most limit, after the position after (zero: from the start),
	// and the position after the last post returned.
	PostsBetween(ctx context.Context, accountKey string, from, to time.Time, after PostCursor, limit int) ([]Post, PostCursor, error)
	// ThreadComments returns the comments of a post with their latest text,
	// oldest first, at most limit after the comment id afterID (0: from the
	// start), with the register numbers of each comment.
	ThreadComments(ctx context.Context, accountKey, postID string, afterID int64, limit int) ([]ArchivedComment, error)

	RecordSnapshot(ctx context.Context, s SnapshotRecord) (SnapshotRecord, error)
	Snapshots(ctx context.Context, accountKey string) ([]SnapshotRecord, error)

	PlaceLegalHold(ctx context.Context, h LegalHold) (LegalHold, error)
	ReleaseLegalHold(ctx context.Context, id int64, by string, at time.Time) error
	LegalHolds(ctx context.Context, activeOnly bool) ([]LegalHold, error)

	// DisposeCommentText blanks the text (and raw answer) of every comment
	// version of the account first seen before the cutoff, except comments
	// with evidence files, register entries, review cases, pending work, or
	// under a legal hold, and logs one Disposal. With DryRun it only counts.
	DisposeCommentText(ctx context.Context, r DisposalRequest) (Disposal, error)
	Disposals(ctx context.Context, accountKey string) ([]Disposal, error)
}

// PostCursor is a position in a listing of posts by creation time.
type PostCursor struct {
	CreatedAt time.Time
	ID        int64
}

// ArchivedComment is a comment with its latest text as stored, for
// snapshots and archive packages.
type ArchivedComment struct {
	Comment
	RowID           int64  // position for paging (ThreadComments afterID)
	Message         string // empty when Disposed
	Disposed        bool   // the text was disposed under the retention plan
	RegisterNumbers []string
}

// Snapshot kinds.
const (
	SnapshotYearly  = "yearly"
	SnapshotClosing = "closing"
	SnapshotManual  = "manual"
)

// SnapshotRecord says that a snapshot of an account covering [From, To) was
// written to Path.
type SnapshotRecord struct {
	ID         int64
	AccountKey string
	Kind       string
	From, To   time.Time
	Path       string
	SHA256     string
	Size       int64
	Pages      int
	Posts      int
	Comments   int
	CreatedAt  time.Time
}

// LegalHold stops disposal for an account, or for the comment of one case
// when CaseID is set.
type LegalHold struct {
	ID         int64
	AccountKey string
	CaseID     int64
	Reason     string
	PlacedBy   string
	PlacedAt   time.Time
	ReleasedBy string
	ReleasedAt time.Time // zero while in force
}

// DisposalRequest asks for the disposal of comment text under a rule of the
// retention plan.
type DisposalRequest struct {
	AccountKey string
	Rule       string    // the rule's name in the plan, for the log
	Cutoff     time.Time // versions first seen before it are disposed
	By         string
	At         time.Time
	DryRun     bool
}

// Disposal is one line of the disposal log: what kind, how many, when and
// under which rule. Nothing of what was disposed is kept.
type Disposal struct {
	ID         int64
	Kind       string // "comment_text"
	Rule       string
	AccountKey string
	Cutoff     time.Time
	Items      int // versions disposed
	Comments   int // comments they belong to
	At         time.Time
	By         string
	DryRun     bool // not stored: the count of a dry run
}

// DisposalCommentText is the kind of disposal of comment text.
const DisposalCommentText = "comment_text"
