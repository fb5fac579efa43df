package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestActivityContract(t *testing.T) {
	storetest.RunActivity(t, func(t *testing.T, now func() time.Time) storetest.ActivityBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"), WithClock(now))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
