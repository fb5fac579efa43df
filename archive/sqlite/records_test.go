package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
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

// BenchmarkPipelineStore: comments/s through the pipeline's writes on a
// database file (archive/postgres has the same benchmark).
func BenchmarkPipelineStore(b *testing.B) {
	storetest.BenchPipeline(b, func(b *testing.B) moderation.Store {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "uppsikt.db"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
