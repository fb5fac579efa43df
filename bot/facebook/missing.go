package facebook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// CommentFetcher reads one comment of a post; a deleted comment answers an
// error for which IsGone is true. Both the Facebook and the Instagram
// connectors' FetchComment have this shape.
type CommentFetcher func(ctx context.Context, a moderation.Account, postID, commentID string, source moderation.Source, n *int) (moderation.CommentObservation, error)

// CheckMissing compares the comments the platform listed for a post with
// the ones stored (o.Known). A stored comment that is not listed any more is
// asked for, so that a short list never deletes a comment that is still
// there: one that answers "gone" becomes a deletion noticed at now, one that
// still answers is returned to be stored again. Without o.Known it does
// nothing.
func CheckMissing(ctx context.Context, a moderation.Account, o moderation.ReconcileOptions, postID string, listed []moderation.CommentObservation, now time.Time, fetch CommentFetcher, n *int) ([]moderation.StateChange, []moderation.CommentObservation, error) {
	if o.Known == nil {
		return nil, nil, nil
	}
	known, err := o.Known(ctx, postID)
	if err != nil {
		return nil, nil, fmt.Errorf("stored comments of %s: %w", postID, err)
	}
	seen := make(map[string]bool, len(listed))
	for _, cm := range listed {
		seen[cm.PlatformID] = true
	}
	var changes []moderation.StateChange
	var reread []moderation.CommentObservation
	for id, st := range known {
		if st == moderation.StateDeleted || seen[id] {
			continue
		}
		ob, err := fetch(ctx, a, postID, id, o.Source, n)
		switch {
		case IsGone(err):
			changes = append(changes, moderation.StateChange{AccountKey: a.Key, PlatformID: id,
				State: moderation.StateDeleted, At: now, Source: o.Source})
		case err != nil:
			return nil, nil, err
		default:
			reread = append(reread, ob)
		}
	}
	return changes, reread, nil
}

// EmitGonePosts records, through o.Emit, the comments of stored posts that
// the walk did not list (seen) and that the platform says are deleted as a
// whole (GonePosts).
func EmitGonePosts(ctx context.Context, cl *Client, a moderation.Account, o moderation.ReconcileOptions, seen map[string]bool, n *int) error {
	changes, err := GonePosts(ctx, cl, a, o, seen, n)
	if len(changes) > 0 {
		if eerr := o.Emit(ctx, moderation.PollResult{Changes: changes}); eerr != nil {
			return errors.Join(err, eerr)
		}
	}
	return err
}
