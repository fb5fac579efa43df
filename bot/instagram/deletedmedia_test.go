package instagram

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Media deleted as a whole: its stored comments are reported deleted, and
// those of a media item still there are not.
func TestReconcileFindsMediaDeletedAsAWhole(t *testing.T) {
	emu, conn, a := newRig(t)
	ctx := context.Background()
	first, err := conn.Poll(ctx, a, moderation.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	perMedia := map[string][]string{}
	known := map[string]map[string]moderation.CommentState{}
	for _, c := range first.Comments {
		perMedia[c.PostID] = append(perMedia[c.PostID], c.PlatformID)
		if known[c.PostID] == nil {
			known[c.PostID] = map[string]moderation.CommentState{}
		}
		known[c.PostID][c.PlatformID] = moderation.StateVisible
	}
	var gone, kept string
	for _, p := range first.Posts {
		switch {
		case len(perMedia[p.PlatformID]) > 0 && gone == "":
			gone = p.PlatformID
		case len(perMedia[p.PlatformID]) > 0 && kept == "":
			kept = p.PlatformID
		}
	}
	if gone == "" || kept == "" {
		t.Fatal("the scenario has no two media items with comments")
	}
	if err := emu.DeletePost(gone); err != nil {
		t.Fatal(err)
	}
	var changes []string
	_, err = conn.Reconcile(ctx, a, moderation.ReconcileOptions{
		Since: time.Now().Add(-400 * 24 * time.Hour), Source: moderation.SourceReconcile,
		Known: func(_ context.Context, postID string) (map[string]moderation.CommentState, error) {
			return known[postID], nil
		},
		KnownPosts: func(context.Context, time.Time) ([]string, error) {
			return []string{gone, kept}, nil
		},
		Emit: func(_ context.Context, r moderation.PollResult) error {
			for _, c := range r.Changes {
				if c.State == moderation.StateDeleted {
					changes = append(changes, c.PlatformID)
				}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(perMedia[gone])
	slices.Sort(want)
	slices.Sort(changes)
	if !slices.Equal(changes, want) {
		t.Errorf("deleted comments: got %v, want %v (those of the deleted media item)", changes, want)
	}
}
