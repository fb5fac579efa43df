package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the whole database to path, a file that
// must not exist yet (VACUUM INTO). It reads one snapshot, so the service
// keeps writing while the copy is made. The copy is an ordinary uppsikt
// database that Open accepts.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup store to %s: the file exists or cannot be checked (%v); uppsikt will not overwrite it", path, err)
	}
	// The read pool is read-only and VACUUM INTO opens its output with the
	// same flags, so the copy is made on a connection of its own. It only
	// reads the database and does not hold up the writer.
	db, err := sql.Open("sqlite3", dsn(s.abs))
	if err != nil {
		return fmt.Errorf("backup store to %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup store to %s: %w", path, err)
	}
	return db.Close()
}
