package instagram

import (
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestOwnMediaRemoval: deletePost never calls the platform and asks for a
// manual removal; PostGone reads the media item back from the emulator.
func TestOwnMediaRemoval(t *testing.T) {
	emu, conn, a := newRig(t)
	ctx := context.Background()
	first, err := conn.Poll(ctx, a, moderation.Cursor{})
	if err != nil || len(first.Posts) == 0 {
		t.Fatalf("Poll: %v, %d media", err, len(first.Posts))
	}
	id := first.Posts[0].PlatformID
	emu.ResetStats()
	if err := conn.deletePost(ctx, a, id); !errors.Is(err, moderation.ErrManualRemoval) {
		t.Errorf("deletePost: got %v, want ErrManualRemoval", err)
	}
	if n := emu.Stats().ByAccount[a.PlatformID]; n != 0 {
		t.Errorf("requests for deletePost: got %d, want none", n)
	}
	if gone, err := conn.PostGone(ctx, a, id); err != nil || gone {
		t.Errorf("PostGone of present media: got %v, %v; want false", gone, err)
	}
	if err := emu.DeletePost(id); err != nil {
		t.Fatal(err)
	}
	if gone, err := conn.PostGone(ctx, a, id); err != nil || !gone {
		t.Errorf("PostGone after removal in the app: got %v, %v; want true", gone, err)
	}
}
