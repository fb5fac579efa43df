package postgres

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// scanner is a *dbRow or *dbRows.
type scanner interface {
	Scan(dest ...any) error
}

// unixNano stores a time as nanoseconds since the epoch, UTC; the zero time
// is stored as 0.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano: 0 gives the zero time.
func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// orNow is t, or the store's clock when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.nowUTC()
	}
	return t.UTC()
}

// encodeList stores a list of strings as a JSON array; nil becomes [].
func encodeList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, err := json.Marshal(l)
	if err != nil {
		// A []string always marshals.
		panic(err)
	}
	return string(b)
}

// decodeList reads a JSON array of strings; an empty list comes back nil.
func decodeList(s string) ([]string, error) {
	var l []string
	if s == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode list %q: %w", s, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// rawOrNil keeps a nil json.RawMessage as SQL NULL.
func rawOrNil(r []byte) any {
	if r == nil {
		return nil
	}
	return []byte(r)
}

// notFound turns sql.ErrNoRows into an error wrapping moderation.ErrNotFound.
func notFound(err error, what string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), moderation.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), err)
}

// nullID stores an id of 0 as SQL NULL.
func nullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}
