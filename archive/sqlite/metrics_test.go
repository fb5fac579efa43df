package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestMetricsStoreContract(t *testing.T) {
	storetest.RunMetrics(t, func(t *testing.T) storetest.MetricsBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
