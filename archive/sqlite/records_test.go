package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestRecordsContract(t *testing.T) {
	storetest.RunRecords(t, func(t *testing.T) storetest.RecordsBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
