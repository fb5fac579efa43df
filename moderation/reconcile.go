package moderation

import (
	"context"
	"time"
)

// Reconciler is a Connector that can also walk an account's history in
// full: every post since a time with every comment and reply. The reconcile
// pass uses it to find what the cheap poll cannot see (edits, comments
// hidden, unhidden or deleted by their authors or other admins, comments on
// old posts); backfill uses it to load history.
type Reconciler interface {
	Reconcile(ctx context.Context, a Account, o ReconcileOptions) (requests int, err error)
}

// ReconcileOptions say what a Reconcile walk covers and where its results go.
type ReconcileOptions struct {
	Since  time.Time // posts created at or after this time
	Source Source    // SourceReconcile or SourceBackfill, set on every observation
	// Known returns the stored state of every comment on a post (the
	// store's CommentStates). A comment stored as not deleted that the
	// platform no longer lists, and that answers "does not exist" when asked
	// for, is reported as deleted. Nil skips deletion detection.
	Known func(ctx context.Context, postID string) (map[string]CommentState, error)
	// KnownPosts returns the platform ids of the stored posts of the
	// account created at or after since. A stored post the walk no longer
	// lists, and that answers "does not exist" when asked for, was deleted
	// as a whole: every stored comment of it not yet deleted is reported as
	// deleted. Nil (or a nil Known) skips this check.
	KnownPosts func(ctx context.Context, since time.Time) ([]string, error)
	// Emit receives the results a page at a time, to be stored before the
	// walk goes on; an error stops the walk.
	Emit func(ctx context.Context, res PollResult) error
}
