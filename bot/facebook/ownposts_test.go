package facebook

import (
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// TestDeleteOwnPost deletes a page post on the emulator over HTTP: the post
// is gone afterwards, a repeated deletion (a retry after a crash) says
// gone, and PostGone tells a present post from a deleted one.
func TestDeleteOwnPost(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a := r.fb[0]
	res, err := r.conn.Poll(ctx, a, moderation.Cursor{})
	if err != nil || len(res.Posts) == 0 {
		t.Fatalf("Poll: %v, %d posts", err, len(res.Posts))
	}
	postID := res.Posts[0].PlatformID
	gone, err := r.conn.PostGone(ctx, a, postID)
	if err != nil || gone {
		t.Fatalf("PostGone before deletion: got %v, %v; want false", gone, err)
	}
	if err := r.conn.deletePost(ctx, a, postID); err != nil {
		t.Fatalf("deletePost: %v", err)
	}
	if err := r.conn.deletePost(ctx, a, postID); !errors.Is(err, removal.ErrGone) {
		t.Errorf("deletePost again (already gone): got %v, want removal.ErrGone", err)
	}
	gone, err = r.conn.PostGone(ctx, a, postID)
	if err != nil || !gone {
		t.Errorf("PostGone after deletion: got %v, %v; want true", gone, err)
	}
	deletes := 0
	for _, act := range r.emu.State("").Actions {
		if act.Kind == "delete" && act.ObjectID == postID {
			deletes++
		}
	}
	if deletes != 1 {
		t.Errorf("deletions that reached the emulator: got %d, want 1", deletes)
	}
}
