package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.TokenStore = (*Store)(nil)

// SetAccountToken stores an account's sealed token, replacing any before
// it. The store never sees the token itself.
func (s *Store) SetAccountToken(ctx context.Context, t moderation.AccountToken) error {
	if len(t.Sealed) == 0 || t.KeyID == "" {
		return fmt.Errorf("set token of %s: a sealed token and its key id are required", t.AccountKey)
	}
	err := s.write(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, t.AccountKey); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO account_tokens (account_key, sealed, key_id, fingerprint, set_by, set_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_key) DO UPDATE SET
				sealed = excluded.sealed, key_id = excluded.key_id, fingerprint = excluded.fingerprint,
				set_by = excluded.set_by, set_at = excluded.set_at`,
			t.AccountKey, t.Sealed, t.KeyID, t.Fingerprint, t.SetBy, unixNano(s.orNow(t.SetAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("set token of %s: %w", t.AccountKey, err)
	}
	return nil
}

// AccountToken returns an account's sealed token, or an error wrapping
// moderation.ErrNotFound when none is stored.
func (s *Store) AccountToken(ctx context.Context, key string) (moderation.AccountToken, error) {
	t := moderation.AccountToken{AccountKey: key}
	err := s.read(ctx, func(tx *txn) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT sealed, key_id, fingerprint, set_by, set_at FROM account_tokens WHERE account_key = ?`, key).
			Scan(&t.Sealed, &t.KeyID, &t.Fingerprint, &t.SetBy, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("token of %s: %w", key, moderation.ErrNotFound)
		}
		t.SetAt = fromUnixNano(at)
		return err
	})
	return t, err
}

// ClearAccountToken removes an account's stored token and reports whether
// there was one.
func (s *Store) ClearAccountToken(ctx context.Context, key string) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE account_key = ?`, key)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("clear token of %s: %w", key, err)
	}
	return n > 0, nil
}
