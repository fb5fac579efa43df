package main

import (
	"context"
	"strings"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// A post its author deletes as a whole takes its stored comments with it:
// the reconcile pass records each as deleted in the SQLite store, and no
// other post's comments.
func TestReconcileRecordsCommentsOfDeletedPost(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	var key, gone, kept string
	for k, a := range r.keys {
		if a.Platform != "facebook" || key != "" {
			continue
		}
		for _, p := range r.emu.State(a.ID).Accounts[0].Posts {
			switch {
			case len(p.Comments) >= 2 && gone == "":
				gone = p.ID
			case len(p.Comments) >= 1 && kept == "":
				kept = p.ID
			}
		}
		key = k
	}
	if gone == "" || kept == "" {
		t.Fatal("the scenario has no Facebook page with two posts with comments")
	}
	code, out, errs := r.run(t, "poll", "-config", r.cfgPath, "-once", "-reconcile", "-account", key)
	if code != 0 {
		t.Fatalf("first cycle: exit %d\n%s\n%s", code, out, errs)
	}
	ctx := context.Background()
	st := r.store(t)
	before, err := st.CommentStates(ctx, key, gone)
	st.Close()
	if err != nil || len(before) < 2 {
		t.Fatalf("stored comments of %s: got %d, error %v; want at least 2", gone, len(before), err)
	}

	// A post only missing from a cheap poll deletes nothing; a reconcile
	// after the post was deleted records every comment of it.
	if err := r.emu.DeletePost(gone); err != nil {
		t.Fatal(err)
	}
	code, out, errs = r.run(t, "poll", "-config", r.cfgPath, "-once", "-account", key)
	if code != 0 {
		t.Fatalf("cheap cycle: exit %d\n%s\n%s", code, out, errs)
	}
	st = r.store(t)
	mid, _ := st.CommentStates(ctx, key, gone)
	st.Close()
	for id, s := range mid {
		if s == moderation.StateDeleted {
			t.Errorf("comment %s deleted by a cheap poll, want the reconcile pass to decide", id)
		}
	}
	code, out, errs = r.run(t, "poll", "-config", r.cfgPath, "-once", "-reconcile", "-account", key)
	if code != 0 {
		t.Fatalf("reconcile cycle: exit %d\n%s\n%s", code, out, errs)
	}
	st = r.store(t)
	defer st.Close()
	after, err := st.CommentStates(ctx, key, gone)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("comments of the deleted post: got %d, want %d", len(after), len(before))
	}
	for id, s := range after {
		if s != moderation.StateDeleted {
			t.Errorf("comment %s of the deleted post: got %s, want deleted", id, s)
		}
	}
	other, err := st.CommentStates(ctx, key, kept)
	if err != nil {
		t.Fatal(err)
	}
	for id, s := range other {
		if s == moderation.StateDeleted {
			t.Errorf("comment %s of a post still there: got deleted", id)
		}
	}
	if !strings.Contains(out, "total") {
		t.Errorf("summary: got\n%s", out)
	}
}
