package main

import (
	"context"
	"slices"
	"testing"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

// TestPartsBuildOnceAndCloseInReverse builds parts of a configuration: each
// part is built once, on first use; Close closes what was built, last built
// first, and closing again does nothing; a read-only store does not take
// the configuration's accounts in.
func TestPartsBuildOnceAndCloseInReverse(t *testing.T) {
	sc, err := emulator.ParseScenario("archive.yaml", []byte(archiveScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	ctx := context.Background()
	tests := []struct {
		name         string
		mode         storeMode
		wantAccounts int
	}{
		{"read-only store", readOnly, 0},
		{"read-write store", readWrite, len(r.keys)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := newParts(r.config(t), discardLogger(), tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if len(pt.closers) != 0 {
				t.Fatalf("parts built before use: %d", len(pt.closers))
			}
			st, err := pt.Store(ctx)
			if err != nil {
				t.Fatal(err)
			}
			accounts, err := st.Accounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(accounts), tt.wantAccounts; got != want {
				t.Errorf("accounts in the store: got %d, want %d", got, want)
			}
			if again, _ := pt.Store(ctx); again != st {
				t.Error("Store built the store twice")
			}
			c1, err := pt.Graph(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c2, _ := pt.Graph(ctx); c2 != c1 {
				t.Error("Graph built the client twice")
			}
			g1, err := pt.Remover(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if g2, _ := pt.Remover(ctx); g2 != g1 {
				t.Error("Remover built the remover twice")
			}
			if _, err := pt.Evidence(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := pt.Evidence(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := pt.Browser([]string{"example.org"}, 0); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range pt.closers {
				names = append(names, c.name)
			}
			if got, want := names, []string{"store", "browser", "browser"}; !slices.Equal(got, want) {
				t.Errorf("built: got %v, want %v", got, want)
			}
			var order []string
			for i := range pt.closers {
				c := &pt.closers[i]
				inner, name := c.close, c.name
				c.close = func() error { order = append(order, name); return inner() }
			}
			if err := pt.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if got, want := order, []string{"browser", "browser", "store"}; !slices.Equal(got, want) {
				t.Errorf("closed: got %v, want %v", got, want)
			}
			if _, err := st.Accounts(ctx); err == nil {
				t.Error("the store still answers after Close")
			}
			if err := pt.Close(); err != nil {
				t.Errorf("Close again: %v", err)
			}
		})
	}
}
