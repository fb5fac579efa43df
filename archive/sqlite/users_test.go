package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestUserStoreContract(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
