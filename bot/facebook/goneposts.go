package facebook

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// GonePosts finds the stored posts of a reconcile window that the walk did
// not see (seen holds the ids it listed), asks Graph for each, and returns
// a deletion for every stored, not yet deleted comment of a post that
// answers "does not exist" (error 100, subcode 33). A post that is missing
// from the list but still answers is left alone. It does nothing when
// o.KnownPosts or o.Known is nil. Instagram media are checked the same way.
// n, when not nil, counts the requests.
func GonePosts(ctx context.Context, cl *Client, a moderation.Account, o moderation.ReconcileOptions, seen map[string]bool, n *int) ([]moderation.StateChange, error) {
	if o.KnownPosts == nil || o.Known == nil {
		return nil, nil
	}
	stored, err := o.KnownPosts(ctx, o.Since)
	if err != nil {
		return nil, fmt.Errorf("stored posts since %s: %w", o.Since.Format("2006-01-02"), err)
	}
	var changes []moderation.StateChange
	for _, id := range stored {
		if seen[id] {
			continue
		}
		_, err := cl.Get(ctx, a, "/"+id, fb.Params{"fields": "id"}, n)
		switch {
		case err == nil:
			continue // not listed, but still there
		case !IsGone(err):
			return changes, fmt.Errorf("read post %s: %w", id, err)
		}
		known, err := o.Known(ctx, id)
		if err != nil {
			return changes, fmt.Errorf("stored comments of %s: %w", id, err)
		}
		now := cl.opts.Now()
		for cid, st := range known {
			if st == moderation.StateDeleted {
				continue
			}
			changes = append(changes, moderation.StateChange{AccountKey: a.Key, PlatformID: cid,
				State: moderation.StateDeleted, At: now, Source: o.Source})
		}
	}
	return changes, nil
}
