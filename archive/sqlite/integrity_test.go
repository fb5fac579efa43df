package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		breakSQL string // SQL run on the closed database without foreign keys; "" for none
		want     string // in the error; "" for none
	}{
		{"a sound database", "", ""},
		{"a post of an account that does not exist", `INSERT INTO posts (account_key, platform_id, first_seen_at) VALUES ('nobody', 'p1', 1)`, "refers to a missing row of accounts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "uppsikt.db")
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if tt.breakSQL != "" {
				db, err := sql.Open("sqlite3", path) // foreign keys are off by default
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(tt.breakSQL); err != nil {
					t.Fatalf("%s: %v", tt.breakSQL, err)
				}
				db.Close()
			}
			s, err = Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.IntegrityCheck(ctx)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no problem", err)
			case tt.want != "" && (!errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want ErrIntegrity with %q", err, tt.want)
			}
		})
	}
}
