package snapshot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestClosing closes the account of a real store: the closing snapshot's
// period, the account closed and audited after it, refused when closed
// already, left open when the snapshot fails.
func TestClosing(t *testing.T) {
	loc := time.UTC
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
	tests := []struct {
		name       string
		yearly2025 bool  // a yearly snapshot of 2025 exists
		takeErr    error // the closing snapshot fails
		closedYet  bool
		wantFrom   time.Time
		wantErr    error
		wantStatus moderation.AccountStatus
	}{
		{name: "last year not yet snapshot", wantFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, loc), wantStatus: moderation.AccountClosed},
		{name: "last year snapshot", yearly2025: true, wantFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), wantStatus: moderation.AccountClosed},
		{name: "snapshot fails", takeErr: errors.New("disk full"), wantErr: errors.New("disk full"), wantStatus: moderation.AccountActive},
		{name: "closed already", closedYet: true, wantErr: ErrClosed, wantStatus: moderation.AccountClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := openStore(t)
			if tt.yearly2025 {
				from, to := Year(2025, loc)
				if _, err := st.RecordSnapshot(ctx, moderation.SnapshotRecord{AccountKey: "fb", Kind: moderation.SnapshotYearly, From: from, To: to,
					Path: "fb-2025.pdf", SHA256: "00", Size: 1}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.closedYet {
				if err := st.SetAccountStatus(ctx, "fb", moderation.AccountClosed, "earlier"); err != nil {
					t.Fatal(err)
				}
			}
			var gotFrom, gotTo time.Time
			c := Closing{Store: st, Location: loc, Take: func(_ context.Context, a moderation.Account, from, to time.Time) (Result, error) {
				gotFrom, gotTo = from, to
				return Result{Record: moderation.SnapshotRecord{ID: 7, AccountKey: a.Key, Path: "fb-closing.pdf", SHA256: "ab"}}, tt.takeErr
			}}
			_, err := c.Close(ctx, "fb", "", now)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Close: %v", err)
			case tt.wantErr != nil && (err == nil || (!errors.Is(err, tt.wantErr) && !errors.Is(err, tt.takeErr))):
				t.Fatalf("Close: got %v, want %v", err, tt.wantErr)
			}
			a, err := st.Account(ctx, "fb")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := a.Status, tt.wantStatus; got != want {
				t.Errorf("status: got %s, want %s", got, want)
			}
			if tt.wantErr != nil {
				return
			}
			if !gotFrom.Equal(tt.wantFrom) || !gotTo.Equal(now) {
				t.Errorf("period: got %s – %s, want %s – %s", gotFrom, gotTo, tt.wantFrom, now)
			}
			audits, err := st.AuditLog(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			closed := 0
			for _, e := range audits {
				if e.Action == "account_closed" && e.Subject == "fb" && e.Actor == "cli" {
					closed++
				}
			}
			if closed != 1 {
				t.Errorf("account_closed audit entries by cli: got %d, want 1", closed)
			}
		})
	}
}
