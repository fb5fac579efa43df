package emulator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

func counts(st emulator.State) (total, deleted, edited int) {
	for _, a := range st.Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				total++
				if c.Deleted {
					deleted++
				}
				if c.Edits > 0 {
					edited++
				}
			}
		}
	}
	return
}

func TestRunLive(t *testing.T) {
	f := newFixture(t, "da")
	before, _, _ := counts(f.emu.State(""))
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := f.emu.RunLive(ctx, 6000); err != nil { // one event every 10 ms on average
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("RunLive returned %v after its context ended", d)
	}
	after, deleted, edited := counts(f.emu.State(""))
	if after <= before {
		t.Errorf("live mode added no comments: %d → %d", before, after)
	}
	if deleted == 0 && edited == 0 {
		t.Errorf("live mode made no edits or author deletions in %d events", after-before)
	}
	if err := f.emu.RunLive(ctx, 0); err == nil {
		t.Errorf("rate 0 accepted")
	}
}

func TestHelpersRejectUnknownIDs(t *testing.T) {
	f := newFixture(t, "sv")
	tests := []struct {
		name string
		err  error
	}{
		{"add", func() error { _, err := f.emu.AddComment("nope", "A B", "x"); return err }()},
		{"edit", f.emu.EditComment("nope", "x")},
		{"delete", f.emu.AuthorDelete("nope")},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, emulator.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", tt.name, tt.err)
		}
	}
}
