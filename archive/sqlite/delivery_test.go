package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestDeliveryContract(t *testing.T) {
	storetest.RunDelivery(t, func(t *testing.T) storetest.DeliveryBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestAddendaContract(t *testing.T) {
	storetest.RunAddenda(t, func(t *testing.T) storetest.AddendaBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
