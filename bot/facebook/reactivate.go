package facebook

import (
	"context"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// Reactivate sets a disconnected account active again when its configured
// token is not the one the platform rejected (told apart by the
// fingerprint in the status note). It reports whether it did. Accounts
// disconnected without a fingerprint in the note are left alone.
func Reactivate(ctx context.Context, st moderation.Store, key, token string) (bool, error) {
	a, err := st.Account(ctx, key)
	if err != nil {
		return false, fmt.Errorf("reactivate %s: %w", key, err)
	}
	if a.Status != moderation.AccountDisconnected || token == "" {
		return false, nil
	}
	rejected := NoteFingerprint(a.StatusNote)
	if rejected == "" || rejected == TokenFingerprint(token) {
		return false, nil
	}
	if err := st.SetAccountStatus(ctx, key, moderation.AccountActive, "token replaced"); err != nil {
		return false, fmt.Errorf("reactivate %s: %w", key, err)
	}
	return true, nil
}
