package instagram

import (
	"context"
	"errors"
	"testing"
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
	if err := conn.Hide(ctx, a, id, true); err != nil {
		t.Fatal(err)
	}
	if h, _ := hidden(); !h {
		t.Error("after Hide: hidden = false, want true")
	}
	if _, err := conn.PrivateReply(ctx, a, id, "x"); !errors.Is(err, ErrNoPrivateReply) {
		t.Errorf("PrivateReply error = %v, want ErrNoPrivateReply", err)
	}
	for i := range 2 {
		if err := conn.Delete(ctx, a, id); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if _, d := hidden(); !d {
		t.Error("after Delete: deleted = false, want true")
	}
}
