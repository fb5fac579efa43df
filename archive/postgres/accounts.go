package postgres

import (
	"context"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// UpsertAccount writes what the configuration says about an account. A new
// account starts with a.Status (active when empty); an existing one keeps its
// operational status and note.
func (s *Store) UpsertAccount(ctx context.Context, a moderation.Account) error {
	if a.Key == "" {
		return fmt.Errorf("upsert account: empty key")
	}
	status := a.Status
	if status == "" {
		status = moderation.AccountActive
	}
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO accounts (key, platform, platform_id, name, owners, substitutes, status, status_note, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET
				platform = excluded.platform,
				platform_id = excluded.platform_id,
				name = excluded.name,
				owners = excluded.owners,
				substitutes = excluded.substitutes,
				updated_at = excluded.updated_at`,
			a.Key, string(a.Platform), a.PlatformID, a.Name, encodeList(a.Owners), encodeList(a.Substitutes),
			string(status), a.StatusNote, unixNano(s.orNow(a.UpdatedAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("upsert account %s: %w", a.Key, err)
	}
	return nil
}

// Account returns one account by key.
func (s *Store) Account(ctx context.Context, key string) (moderation.Account, error) {
	var a moderation.Account
	err := s.read(ctx, func(tx *txn) error {
		var err error
		a, err = account(ctx, tx, key)
		return err
	})
	return a, err
}

// Accounts returns every account, by key.
func (s *Store) Accounts(ctx context.Context) ([]moderation.Account, error) {
	var as []moderation.Account
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return err
			}
			as = append(as, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return as, nil
}

// SetAccountStatus changes an account's operational status.
func (s *Store) SetAccountStatus(ctx context.Context, key string, status moderation.AccountStatus, note string) error {
	return s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ?, status_note = ?, updated_at = ? WHERE key = ?`,
			string(status), note, unixNano(s.nowUTC()), key)
		if err != nil {
			return fmt.Errorf("set account status %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set account status %s: %w", key, moderation.ErrNotFound)
		}
		return nil
	})
}

const accountColumns = `key, platform, platform_id, name, owners, substitutes, status, status_note, updated_at`

func account(ctx context.Context, tx *txn, key string) (moderation.Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE key = ?`, key))
	if err != nil {
		return moderation.Account{}, notFound(err, "account %s", key)
	}
	return a, nil
}

// accountExists reports an unknown account as an error wrapping ErrNotFound.
func accountExists(ctx context.Context, tx *txn, key string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE key = ?`, key).Scan(&one)
	if err != nil {
		return notFound(err, "account %s", key)
	}
	return nil
}

func scanAccount(r scanner) (moderation.Account, error) {
	var (
		a                   moderation.Account
		platform, status    string
		owners, substitutes string
		updated             int64
	)
	if err := r.Scan(&a.Key, &platform, &a.PlatformID, &a.Name, &owners, &substitutes, &status, &a.StatusNote, &updated); err != nil {
		return a, err
	}
	a.Platform = moderation.Platform(platform)
	a.Status = moderation.AccountStatus(status)
	a.UpdatedAt = fromUnixNano(updated)
	var err error
	if a.Owners, err = decodeList(owners); err != nil {
		return a, err
	}
	if a.Substitutes, err = decodeList(substitutes); err != nil {
		return a, err
	}
	return a, nil
}
