package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

// The contract suites archive/sqlite passes, run against PostgreSQL.

func TestArchiveContract(t *testing.T) {
	storetest.RunArchive(t, func(t *testing.T) storetest.ArchiveBackend { return openTest(t) })
}

func TestDeliveryContract(t *testing.T) {
	storetest.RunDelivery(t, func(t *testing.T) storetest.DeliveryBackend { return openTest(t) })
}

func TestAddendaContract(t *testing.T) {
	storetest.RunAddenda(t, func(t *testing.T) storetest.AddendaBackend { return openTest(t) })
}

func TestHealthContract(t *testing.T) {
	storetest.RunHealth(t, func(t *testing.T) storetest.HealthBackend { return openTest(t) })
}

func TestMetricsStoreContract(t *testing.T) {
	storetest.RunMetrics(t, func(t *testing.T) storetest.MetricsBackend { return openTest(t) })
}

func TestOwnPostsContract(t *testing.T) {
	storetest.RunOwnPosts(t, func(t *testing.T) storetest.OwnPostBackend { return openTest(t) })
}

func TestQuestionContract(t *testing.T) {
	storetest.RunQuestions(t, func(t *testing.T) storetest.QuestionBackend { return openTest(t) })
}

func TestActivityContract(t *testing.T) {
	storetest.RunActivity(t, func(t *testing.T, now func() time.Time) storetest.ActivityBackend {
		return openTest(t, WithClock(now))
	})
}

func TestUserStoreContract(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) storetest.UserBackend { return openTest(t) })
}

func TestRecordsContract(t *testing.T) {
	storetest.RunRecords(t, func(t *testing.T) storetest.RecordsBackend { return openTest(t) })
}

// BenchmarkPipelineStore: comments/s through the pipeline's writes on
// PostgreSQL (the test server: fsync off, so this is the store's and the
// protocol's cost, not the disk's). archive/sqlite has the same benchmark.
func BenchmarkPipelineStore(b *testing.B) {
	storetest.BenchPipeline(b, func(b *testing.B) moderation.Store {
		s, err := Open(context.Background(), pgtest.Prepared(b, "migrated", migrated))
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}

func TestLeasesContract(t *testing.T) {
	storetest.RunLeases(t, func(t *testing.T) storetest.LeaseBackend { return openTest(t) })
}
