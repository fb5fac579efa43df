package facebook

import (
	"context"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

// TestDebugToken: debug_token against the emulator over HTTP says a page
// token is valid with its data access end; once the emulator revokes it,
// not valid, without an error.
func TestDebugToken(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		do        func()
		wantValid bool
	}{
		{"a page token", func() {}, true},
		{"revoked", func() { r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: a.PlatformID, Count: 1}) }, false},
		{"still revoked", func() {}, false},
		{"restored", func() { r.emu.ResetTokens("") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.do()
			got, err := r.conn.client.DebugToken(ctx, a)
			if err != nil {
				t.Fatalf("DebugToken: %v", err)
			}
			if got.Valid != tc.wantValid || !got.CheckedAt.Equal(r.clock.Now()) {
				t.Errorf("got %+v, want valid %v checked now", got, tc.wantValid)
			}
			if tc.wantValid && !got.DataAccessExpiresAt.After(r.clock.Now().Add(80*24*time.Hour)) {
				t.Errorf("data access ends %v, want about 90 days ahead", got.DataAccessExpiresAt)
			}
		})
	}
}
