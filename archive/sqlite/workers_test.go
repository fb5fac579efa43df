package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestLeasesContract(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) storetest.LeaseBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
