package main

import (
	"github.com/uppsikt/uppsikt/archive/export"
	"github.com/uppsikt/uppsikt/archive/objection"
	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/archive/snapshot"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/answers"
	"github.com/uppsikt/uppsikt/bot/health"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// storeContracts is every store interface the commands hand a store to:
// both stores must satisfy each, so that serve can run on either.
type storeContracts interface {
	moderation.Store
	moderation.ActivityStore
	moderation.AddendumStore
	moderation.ArchiveStore
	moderation.DeliveryStore
	moderation.HealthStore
	moderation.MetricsStore
	moderation.OwnPostStore
	moderation.PersonStore
	moderation.QuestionStore
	moderation.ThreadStore
	moderation.TokenStore
	moderation.UserStore
	removal.PostStore
	snapshot.Store
	snapshot.CloseStore
	snapshot.YearlyStore
	retention.Store
	retention.DeletionStore
	retention.AuditedStore
	export.Store
	objection.Store
	answers.Store
	health.Store
}

var (
	_ storeContracts = (*sqlite.Store)(nil)
	_ storeContracts = (*postgres.Store)(nil)
)
