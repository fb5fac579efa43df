package moderation

import (
	"context"
	"time"
)

// AccountToken is an account's access token as a store keeps it: sealed
// (encrypted with the installation's token key, moderation/secret), never
// in clear text. A token set this way replaces the one in the
// configuration, so that a token can be renewed without editing the file
// or restarting the service.
type AccountToken struct {
	AccountKey  string
	Sealed      []byte    // secret.Key.Seal of the token, for "token/" + AccountKey
	KeyID       string    // secret.Key.ID of the key that sealed it
	Fingerprint string    // a one-way name of the token (facebook.TokenFingerprint)
	SetBy       string    // who set it
	SetAt       time.Time // when
}

// TokenPurpose is what a sealed account token is bound to: it opens only
// for the account it was sealed for.
func TokenPurpose(accountKey string) string { return "token/" + accountKey }

// TokenStore keeps sealed account tokens. archive/sqlite implements it; it
// is optional beside Store.
type TokenStore interface {
	// SetAccountToken stores (or replaces) an account's sealed token.
	SetAccountToken(ctx context.Context, t AccountToken) error
	// AccountToken returns an account's sealed token; ErrNotFound when none
	// is stored.
	AccountToken(ctx context.Context, accountKey string) (AccountToken, error)
	// ClearAccountToken removes it, so that the configured token is used
	// again; it reports whether there was one.
	ClearAccountToken(ctx context.Context, accountKey string) (bool, error)
}
