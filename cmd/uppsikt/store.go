package main

import (
	"context"

	"github.com/uppsikt/uppsikt/moderation"
)

// store is what uppsikt's commands and service need of the store: the
// union of the store interfaces in moderation. archive/sqlite and
// archive/postgres implement it (parts.openStore opens the one
// store.driver names). What only
// SQLite has (the file's path, backup's copy of the file) is asked for with
// a type assertion to store.
type store interface {
	moderation.Store
	moderation.WorkerStore
	moderation.HealthStore
	moderation.OwnPostStore
	moderation.QuestionStore
	moderation.ActivityStore
	moderation.ArchiveStore
	moderation.TokenStore
	moderation.UserStore
	moderation.AddendumStore
	moderation.DeliveryStore
	moderation.MetricsStore
	moderation.PersonStore
	moderation.ThreadStore

	// SearchComments finds comments by words in their text (the web
	// page's search).
	SearchComments(ctx context.Context, query string, limit int) ([]moderation.CommentView, error)
}

var _ store = (store)(nil)
