package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestQuestionContract(t *testing.T) {
	storetest.RunQuestions(t, func(t *testing.T) storetest.QuestionBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
