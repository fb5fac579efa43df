package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.UserStore = (*Store)(nil)

const userColumns = `name, role, password_hash, language, disabled, created_at, updated_at`

func scanUser(r scanner) (moderation.User, error) {
	var (
		u                  moderation.User
		role               string
		disabled           int64
		created, updatedAt int64
	)
	if err := r.Scan(&u.Name, &role, &u.PasswordHash, &u.Language, &disabled, &created, &updatedAt); err != nil {
		return moderation.User{}, err
	}
	u.Role = moderation.Role(role)
	u.Disabled = disabled != 0
	u.CreatedAt, u.UpdatedAt = fromUnixNano(created), fromUnixNano(updatedAt)
	return u, nil
}

// SaveUser inserts a user or replaces the one with the same name, keeping
// its creation time.
func (s *Store) SaveUser(ctx context.Context, u moderation.User) error {
	if u.Name == "" || !u.Role.Valid() {
		return fmt.Errorf("save user %q: a name and a valid role are required", u.Name)
	}
	err := s.write(ctx, func(tx *txn) error {
		now := unixNano(s.nowUTC())
		disabled := 0
		if u.Disabled {
			disabled = 1
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO users (name, role, password_hash, language, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
				language = excluded.language, disabled = excluded.disabled, updated_at = excluded.updated_at`,
			u.Name, string(u.Role), u.PasswordHash, u.Language, disabled, unixNano(s.orNow(u.CreatedAt)), now)
		return err
	})
	if err != nil {
		return fmt.Errorf("save user %q: %w", u.Name, err)
	}
	return nil
}

// User returns one user by name.
func (s *Store) User(ctx context.Context, name string) (moderation.User, error) {
	var u moderation.User
	err := s.read(ctx, func(tx *txn) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
		if err != nil {
			return notFound(err, "user %q", name)
		}
		return nil
	})
	return u, err
}

// Users returns every user by name.
func (s *Store) Users(ctx context.Context) ([]moderation.User, error) {
	var us []moderation.User
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			us = append(us, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se moderation.Session) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (id, user_name, csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			se.ID, se.User, se.CSRF, unixNano(s.orNow(se.CreatedAt)), unixNano(s.orNow(se.LastSeen)), unixNano(se.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create session for %q: %w", se.User, err)
	}
	return nil
}

// Session returns a session that has not expired at now.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (moderation.Session, error) {
	var se moderation.Session
	err := s.read(ctx, func(tx *txn) error {
		var created, seen, expires int64
		err := tx.QueryRowContext(ctx, `
			SELECT id, user_name, csrf, created_at, last_seen, expires_at FROM sessions WHERE id = ? AND expires_at > ?`,
			id, unixNano(now)).Scan(&se.ID, &se.User, &se.CSRF, &created, &seen, &expires)
		if err != nil {
			return notFound(err, "session")
		}
		se.CreatedAt, se.LastSeen, se.ExpiresAt = fromUnixNano(created), fromUnixNano(seen), fromUnixNano(expires)
		return nil
	})
	return se, err
}

// TouchSession moves a session's last use and expiry.
func (s *Store) TouchSession(ctx context.Context, id string, lastSeen, expiresAt time.Time) error {
	return s.exec(ctx, "touch session", `UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ?`,
		unixNano(lastSeen), unixNano(expiresAt), id)
}

// DeleteSession signs a session out; an unknown session is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.exec(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteSessions signs a user out everywhere.
func (s *Store) DeleteSessions(ctx context.Context, user string) error {
	return s.exec(ctx, "delete sessions", `DELETE FROM sessions WHERE user_name = ?`, user)
}

// DeleteExpiredSessions removes sessions expired at now and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *txn) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, unixNano(now))
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(n), nil
}

func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

const noticeColumns = `case_id, surface, channel, ref, shown, attempts, last_error, updated_at`

func scanNotice(r scanner) (moderation.Notice, error) {
	var (
		n       moderation.Notice
		shown   string
		updated int64
	)
	if err := r.Scan(&n.CaseID, &n.Surface, &n.Channel, &n.Ref, &shown, &n.Attempts, &n.LastError, &updated); err != nil {
		return moderation.Notice{}, err
	}
	n.Shown, n.UpdatedAt = moderation.CaseState(shown), fromUnixNano(updated)
	return n, nil
}

// SaveNotice inserts or replaces the notice of a case on a surface.
func (s *Store) SaveNotice(ctx context.Context, n moderation.Notice) error {
	return s.exec(ctx, fmt.Sprintf("save notice of case %d", n.CaseID), `
		INSERT INTO notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, surface) DO UPDATE SET channel = excluded.channel, ref = excluded.ref,
			shown = excluded.shown, attempts = excluded.attempts, last_error = excluded.last_error,
			updated_at = excluded.updated_at`,
		n.CaseID, n.Surface, n.Channel, n.Ref, string(n.Shown), n.Attempts, n.LastError, unixNano(s.orNow(n.UpdatedAt)))
}

// Notice returns the notice of a case on a surface.
func (s *Store) Notice(ctx context.Context, caseID int64, surface string) (moderation.Notice, error) {
	var n moderation.Notice
	err := s.read(ctx, func(tx *txn) error {
		var err error
		n, err = scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE case_id = ? AND surface = ?`, caseID, surface))
		if err != nil {
			return notFound(err, "notice of case %d on %s", caseID, surface)
		}
		return nil
	})
	return n, err
}

// UnsettledNotices returns the notices not yet posted or still showing an
// undecided case, oldest first. A limit of 0 or less means 100.
func (s *Store) UnsettledNotices(ctx context.Context, surface string, limit int) ([]moderation.Notice, error) {
	if limit <= 0 {
		limit = 100
	}
	var ns []moderation.Notice
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices
			WHERE surface = ? AND (ref = '' OR shown IN ('', 'open', 'escalated', 'approved'))
			ORDER BY updated_at, case_id LIMIT ?`, surface, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotice(rows)
			if err != nil {
				return err
			}
			ns = append(ns, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("unsettled notices: %w", err)
	}
	return ns, nil
}
