package facebook

import (
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// visitorComment returns the newest top-level visitor comment of the first page.
func visitorComment(t *testing.T, st emulator.State, account string) emulator.StateComment {
	t.Helper()
	var best emulator.StateComment
	for _, a := range st.Accounts {
		if a.ID != account {
			continue
		}
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if !c.ByPage && c.ParentID == "" && !c.Deleted && c.Created.After(best.Created) {
					best = c
				}
			}
		}
	}
	if best.ID == "" {
		t.Fatal("no visitor comment in the scenario")
	}
	return best
}

func stateComment(st emulator.State, id string) emulator.StateComment {
	for _, a := range st.Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if c.ID == id {
					return c
				}
			}
		}
	}
	return emulator.StateComment{}
}

func TestActions(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a := r.fb[0]
	c := visitorComment(t, r.emu.State(""), a.PlatformID)

	if err := r.conn.hideComment(ctx, a, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := stateComment(r.emu.State(""), c.ID); !got.Hidden {
		t.Errorf("after hide: hidden = %v, want true", got.Hidden)
	}
	if err := r.conn.hideComment(ctx, a, c.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := stateComment(r.emu.State(""), c.ID); got.Hidden {
		t.Errorf("after unhide: hidden = %v, want false", got.Hidden)
	}
	id, err := r.conn.Reply(ctx, a, c.ID, "Din kommentar har tagits bort.")
	if err != nil || id == "" {
		t.Fatalf("Reply = %q, %v; want an id", id, err)
	}
	mid, err := r.conn.PrivateReply(ctx, a, c.ID, "Hej!")
	if err != nil || mid == "" {
		t.Fatalf("PrivateReply = %q, %v; want a message id", mid, err)
	}
	if _, err := r.conn.PrivateReply(ctx, a, c.ID, "Hej igen!"); err == nil {
		t.Error("second PrivateReply: got nil error, want 10900")
	}
	if err := r.conn.deleteComment(ctx, a, c.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got := stateComment(r.emu.State(""), c.ID); !got.Deleted || got.DeletedBy != "page" {
		t.Errorf("after delete: deleted = %v by %q, want true by page", got.Deleted, got.DeletedBy)
	}
	// A repeated delete, and a hide, meet 100/33: the comment is gone,
	// which the remover records as such.
	if err := r.conn.deleteComment(ctx, a, c.ID); !errors.Is(err, removal.ErrGone) {
		t.Errorf("second delete: got %v, want removal.ErrGone", err)
	}
	if err := r.conn.hideComment(ctx, a, c.ID, true); !errors.Is(err, removal.ErrGone) {
		t.Errorf("hide of a deleted comment: got %v, want removal.ErrGone", err)
	}
	var kinds []string
	for _, ac := range r.emu.State("").Actions {
		if ac.ObjectID == c.ID {
			kinds = append(kinds, ac.Kind)
		}
	}
	want := []string{"hide", "unhide", "reply", "private_reply", "delete"}
	if len(kinds) != len(want) {
		t.Fatalf("emulator actions = %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("action %d = %s, want %s", i, kinds[i], want[i])
		}
	}
}
