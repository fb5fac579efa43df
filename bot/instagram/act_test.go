package instagram

import (
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/removal"
)

func TestActions(t *testing.T) {
	emu, conn, a := newRig(t)
	ctx := context.Background()
	var id string
	for _, acc := range emu.State("").Accounts {
		if acc.ID != a.PlatformID {
			continue
		}
		for _, p := range acc.Posts {
			for _, c := range p.Comments {
				if c.ParentID == "" && !c.Deleted && !c.Hidden && id == "" {
					id = c.ID
				}
			}
		}
	}
	if id == "" {
		t.Fatal("no Instagram comment in the scenario")
	}
	hidden := func() (bool, bool) {
		for _, acc := range emu.State("").Accounts {
			for _, p := range acc.Posts {
				for _, c := range p.Comments {
					if c.ID == id {
						return c.Hidden, c.Deleted
					}
				}
			}
		}
		return false, false
	}
	rid, err := conn.Reply(ctx, a, id, "Tack!")
	if err != nil || rid == "" {
		t.Fatalf("Reply = %q, %v; want an id", rid, err)
	}
	if err := conn.hideComment(ctx, a, id, true); err != nil {
		t.Fatal(err)
	}
	if h, _ := hidden(); !h {
		t.Error("after hide: hidden = false, want true")
	}
	if _, err := conn.PrivateReply(ctx, a, id, "x"); !errors.Is(err, ErrNoPrivateReply) {
		t.Errorf("PrivateReply error = %v, want ErrNoPrivateReply", err)
	}
	if err := conn.deleteComment(ctx, a, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, d := hidden(); !d {
		t.Error("after delete: deleted = false, want true")
	}
	// A repeated delete meets 100/33: gone, which the remover records.
	if err := conn.deleteComment(ctx, a, id); !errors.Is(err, removal.ErrGone) {
		t.Errorf("second delete: got %v, want removal.ErrGone", err)
	}
}
