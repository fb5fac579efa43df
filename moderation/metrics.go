package moderation

import (
	"context"
	"time"
)

// Gauges is what a store counts for monitoring (Prometheus' /metrics) at
// one moment: queue depths and per-account poll state, read with a few
// cheap counting queries so that the numbers survive a restart.
type Gauges struct {
	WorkPending     int // pipeline work items waiting (not done, not set aside)
	WorkDead        int // work items set aside after using up their attempts
	WebhooksPending int // webhook deliveries not yet processed
	// OldestWork is when the oldest waiting work item was queued; zero
	// when the queue is empty.
	OldestWork time.Time
	Accounts   []AccountGauge
	// Actions counts every platform action by kind, state and outcome
	// (AccountKey empty); FailedActions the failed ones by account and
	// kind as well.
	Actions       []ActionCount
	FailedActions []ActionCount
}

// AccountGauge is an account's status and poll state.
type AccountGauge struct {
	Key      string
	Platform Platform
	Status   AccountStatus
	// LastPollAt is when the last poll cycle of the account started; zero
	// before the first one. LastPollFailed says that cycle ended in an
	// error: then LastPollAt is not a successful poll.
	LastPollAt     time.Time
	LastPollFailed bool
	// LastPollOK is when the last successful poll started, as the
	// account's health record keeps it (HealthStore.RecordPoll); zero when
	// none is recorded.
	LastPollOK time.Time
}

// ActionCount counts platform actions of one kind and state (and account,
// where it is given); Outcome is set for done actions (ActionAsAsked,
// ActionGone, ActionCancelled).
type ActionCount struct {
	AccountKey string
	Kind       string
	State      string
	Outcome    string
	N          int
}

// VerdictCounts counts stored verdicts by account and category, and the
// question and register signals, from a position in the store's verdicts
// on: a caller keeps running totals and asks only for what is new.
type VerdictCounts struct {
	// Categories counts verdicts per account and category; a verdict
	// with no category counts under "" (not flagged), one with two
	// categories under both.
	Categories map[string]map[string]int
	Questions  map[string]int // verdicts that are a question to the municipality, per account
	Registers  map[string]int // verdicts that call for a register entry, per account
	// Next is the position to ask from the next time.
	Next int64
}

// MetricsStore counts for monitoring. archive/sqlite implements it; it is
// optional beside Store.
type MetricsStore interface {
	// Gauges returns the queue depths, the accounts' poll state, the
	// platform actions by kind, state and outcome, and the failed ones by
	// account.
	Gauges(ctx context.Context) (Gauges, error)
	// CountVerdicts counts the verdicts stored after position from (0:
	// all of them). A verdict replaced for the same version is not
	// counted again.
	CountVerdicts(ctx context.Context, from int64) (VerdictCounts, error)
}
