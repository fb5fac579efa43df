package moderation

import "context"

// ThreadStore reads a bounded window of a post's comments around one
// comment, for the evidence of that comment: what a reader needs to see
// the comment in its context, of the same size whatever the thread.
// archive/sqlite implements it; a store without it is read comment by
// comment.
type ThreadStore interface {
	// ThreadAround returns, in thread order (top-level comments by time,
	// each followed by its replies by time), the comment commentID, up to
	// k comments before and k after it, and its parent when that falls
	// outside the window, with the counts of the post's comments left out
	// before and after. An unknown comment gives ErrNotFound.
	ThreadAround(ctx context.Context, commentID int64, k int) (ThreadWindow, error)
}

// ThreadWindow is a part of a post's comments around one comment.
type ThreadWindow struct {
	Comments []ThreadComment // in thread order
	Total    int             // every comment of the post the store holds
	// Before and After count the post's comments not in Comments, before
	// and after the window in thread order.
	Before, After int
}

// ThreadComment is a comment with its latest text as stored.
type ThreadComment struct {
	Comment
	Message  string // empty when Disposed
	Disposed bool   // the text was disposed (retention or erasure)
	Depth    int    // 0 for a top-level comment, 1 for a reply, and so on
	Target   bool   // the comment the window is around
}
