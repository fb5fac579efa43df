package instagram

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestReplyToHiddenOrNested: Instagram takes replies only under visible
// top-level comments. A hidden comment — the usual case when a removal is
// approved — is answered on the media, a reply to a reply under its
// top-level comment, both addressed "@username"; FindReplies finds them.
func TestReplyToHiddenOrNested(t *testing.T) {
	emu, conn, a := newRig(t)
	ctx := context.Background()
	var top, nested, nestedParent, media, user string
	for _, acc := range emu.State("").Accounts {
		if acc.ID != a.PlatformID {
			continue
		}
		for _, p := range acc.Posts {
			for _, c := range p.Comments {
				if c.ParentID != "" && !c.Deleted && nested == "" {
					nested, nestedParent = c.ID, c.ParentID
				}
				if c.ParentID == "" && !c.Deleted && !c.Hidden && top == "" {
					top, media, user = c.ID, p.ID, c.From.Username
				}
			}
		}
	}
	if top == "" || nested == "" {
		t.Fatalf("scenario lacks a visible top-level comment (%q) or a reply (%q)", top, nested)
	}
	if err := conn.hideComment(ctx, a, top, true); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Minute)
	msg := "Vi har dolt din kommentar."
	rid, err := conn.Reply(ctx, a, top, msg)
	if err != nil || rid == "" {
		t.Fatalf("Reply to a hidden comment = %q, %v; want an id", rid, err)
	}
	var got *emulatorAction
	for _, x := range emu.State("").Actions {
		if x.NewID == rid {
			got = &emulatorAction{x.Kind, x.ObjectID, x.Message}
		}
	}
	if got == nil || got.kind != "comment" || got.object != media || got.msg != "@"+user+" "+msg {
		t.Fatalf("reply to a hidden comment made %+v; want a comment on media %s saying %q", got, media, "@"+user+" "+msg)
	}
	found, err := conn.FindReplies(ctx, a, top, "", msg, since)
	if err != nil || len(found) != 1 || found[0] != rid {
		t.Errorf("FindReplies for the hidden comment = %v, %v; want [%s]", found, err, rid)
	}

	rid, err = conn.Reply(ctx, a, nested, msg)
	if err != nil || rid == "" {
		t.Fatalf("Reply to a reply = %q, %v; want an id", rid, err)
	}
	made := false
	for _, x := range emu.State("").Actions {
		if x.NewID != rid {
			continue
		}
		made = true
		if x.Kind != "reply" || !strings.HasPrefix(x.Message, "@") {
			t.Errorf("reply to a reply made %s on %s saying %q; want a reply under the top-level comment addressed @username", x.Kind, x.ObjectID, x.Message)
		}
	}
	if !made {
		t.Errorf("the emulator recorded no action that made reply %s", rid)
	}
	found, err = conn.FindReplies(ctx, a, nested, nestedParent, msg, since)
	if err != nil || !slices.Contains(found, rid) {
		t.Errorf("FindReplies for the reply to a reply = %v, %v; want it to hold %s", found, err, rid)
	}
}

type emulatorAction struct{ kind, object, msg string }
