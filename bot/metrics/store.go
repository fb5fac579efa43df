package metrics

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uppsikt/uppsikt/moderation"
)

// storeCollector reads the store at every scrape. Verdicts are counted
// from where the previous scrape stopped, so that a scrape reads only the
// verdicts stored since (the first scrape after a start reads them all).
type storeCollector struct {
	opts Options

	up, connected, lastPoll, lag, lastFailed *prometheus.Desc
	webhooks, pending, oldest, dead, actions *prometheus.Desc
	failedActions                            *prometheus.Desc
	verdicts, signals, open, overdue         *prometheus.Desc

	mu       sync.Mutex // one scrape at a time reads and adds to the totals
	next     int64
	verdictN map[[2]string]int // account, category
	signalN  map[[2]string]int // account, signal
	okMu     sync.Mutex
	okAt     map[string]time.Time // last successful poll seen by this process
}

func newStoreCollector(opts Options) *storeCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &storeCollector{
		opts:          opts,
		up:            d("uppsikt_store_up", "1 when the store answered this scrape's queries, 0 when it did not."),
		connected:     d("uppsikt_account_connected", "1 when the account is active, 0 when it is disconnected (the platform rejected its token); closed accounts are left out.", "account", "platform"),
		lastPoll:      d("uppsikt_account_last_successful_poll_timestamp_seconds", "When the last successful poll cycle of the account started (Unix time).", "account", "platform"),
		lag:           d("uppsikt_account_poll_lag_seconds", "Time since the last successful poll cycle of the account started.", "account", "platform"),
		lastFailed:    d("uppsikt_account_last_poll_failed", "1 when the account's last poll cycle ended in an error.", "account", "platform"),
		webhooks:      d("uppsikt_webhook_queue_depth", "Webhook deliveries stored and not yet processed."),
		pending:       d("uppsikt_pipeline_queue_depth", "Pipeline work items (new comment versions) waiting, not set aside."),
		oldest:        d("uppsikt_pipeline_oldest_item_age_seconds", "Age of the oldest waiting pipeline work item; 0 when the queue is empty."),
		dead:          d("uppsikt_pipeline_dead_letters", "Pipeline work items set aside after using up their attempts; they wait for an administrator."),
		actions:       d("uppsikt_platform_actions", "Platform actions in the store by kind and outcome (pending, done, gone, cancelled, failed).", "kind", "outcome"),
		failedActions: d("uppsikt_platform_actions_failed", "Platform actions that failed for good, by account and kind; an administrator retries them.", "account", "kind"),
		verdicts:      d("uppsikt_classifier_verdicts_total", "Classifier verdicts stored, by account and category (none: not flagged); a verdict with two categories counts under both.", "account", "category"),
		signals:       d("uppsikt_classifier_signals_total", "Classifier verdicts with a signal: question (to the municipality) or register (calls for a register entry).", "account", "signal"),
		open:          d("uppsikt_questions_open", "Questions to the municipality not yet answered, per account.", "account"),
		overdue:       d("uppsikt_questions_overdue", "Open questions past their answer time, per account.", "account"),
		verdictN:      map[[2]string]int{},
		signalN:       map[[2]string]int{},
		okAt:          map[string]time.Time{},
	}
}

func (c *storeCollector) polledOK(account string) {
	c.okMu.Lock()
	defer c.okMu.Unlock()
	c.okAt[account] = c.opts.Now()
}

func (c *storeCollector) lastOK(account string) time.Time {
	c.okMu.Lock()
	defer c.okMu.Unlock()
	return c.okAt[account]
}

// Describe sends every descriptor.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.connected, c.lastPoll, c.lag, c.lastFailed, c.webhooks, c.pending,
		c.oldest, c.dead, c.actions, c.failedActions, c.verdicts, c.signals, c.open, c.overdue} {
		ch <- d
	}
}

// Collect reads the store and sends what it counts.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	up := 1.0
	if err := c.collectGauges(ctx, ch); err != nil {
		c.opts.Logger.Warn("metrics: store gauges", "error", err)
		up = 0
	}
	if err := c.collectVerdicts(ctx, ch); err != nil {
		c.opts.Logger.Warn("metrics: verdicts", "error", err)
		up = 0
	}
	if c.opts.Questions != nil {
		if qs, err := c.opts.Questions(ctx); err != nil {
			c.opts.Logger.Warn("metrics: questions", "error", err)
			ch <- prometheus.NewInvalidMetric(c.open, err)
		} else {
			for _, acc := range slices.Sorted(maps.Keys(qs)) {
				ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(qs[acc].Open), acc)
				ch <- prometheus.MustNewConstMetric(c.overdue, prometheus.GaugeValue, float64(qs[acc].Overdue), acc)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
}

func (c *storeCollector) collectGauges(ctx context.Context, ch chan<- prometheus.Metric) error {
	g, err := c.opts.Store.Gauges(ctx)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.webhooks, float64(g.WebhooksPending))
	gauge(c.pending, float64(g.WorkPending))
	gauge(c.dead, float64(g.WorkDead))
	age := 0.0
	if !g.OldestWork.IsZero() {
		age = max(0, now.Sub(g.OldestWork).Seconds())
	}
	gauge(c.oldest, age)
	for _, a := range g.Accounts {
		if a.Status == moderation.AccountClosed {
			continue
		}
		platform := string(a.Platform)
		connected := 0.0
		if a.Status == moderation.AccountActive {
			connected = 1
		}
		gauge(c.connected, connected, a.Key, platform)
		failed := 0.0
		if a.LastPollFailed {
			failed = 1
		}
		gauge(c.lastFailed, failed, a.Key, platform)
		last := c.lastOK(a.Key)
		if a.LastPollOK.After(last) {
			last = a.LastPollOK
		}
		if !a.LastPollFailed && a.LastPollAt.After(last) {
			last = a.LastPollAt
		}
		if last.IsZero() {
			continue // never polled successfully (as far as the store and this process know)
		}
		gauge(c.lastPoll, float64(last.UnixNano())/1e9, a.Key, platform)
		gauge(c.lag, max(0, now.Sub(last).Seconds()), a.Key, platform)
	}
	for _, n := range g.Actions {
		outcome := n.State
		if n.State == moderation.ActionDone && n.Outcome != moderation.ActionAsAsked {
			outcome = n.Outcome
		}
		gauge(c.actions, float64(n.N), n.Kind, outcome)
	}
	for _, n := range g.FailedActions {
		gauge(c.failedActions, float64(n.N), n.AccountKey, n.Kind)
	}
	return nil
}

// collectVerdicts adds the verdicts stored since the last scrape to the
// running totals and sends the totals.
func (c *storeCollector) collectVerdicts(ctx context.Context, ch chan<- prometheus.Metric) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	vc, err := c.opts.Store.CountVerdicts(ctx, c.next)
	if err == nil {
		c.next = vc.Next
		for acc, cats := range vc.Categories {
			for cat, n := range cats {
				if cat == "" {
					cat = "none"
				}
				c.verdictN[[2]string{acc, cat}] += n
			}
		}
		for acc, n := range vc.Questions {
			c.signalN[[2]string{acc, "question"}] += n
		}
		for acc, n := range vc.Registers {
			c.signalN[[2]string{acc, "register"}] += n
		}
	}
	// The totals so far are sent even when this scrape's query failed:
	// a counter must not vanish.
	for _, k := range slices.SortedFunc(maps.Keys(c.verdictN), cmpPair) {
		ch <- prometheus.MustNewConstMetric(c.verdicts, prometheus.CounterValue, float64(c.verdictN[k]), k[0], k[1])
	}
	for _, k := range slices.SortedFunc(maps.Keys(c.signalN), cmpPair) {
		ch <- prometheus.MustNewConstMetric(c.signals, prometheus.CounterValue, float64(c.signalN[k]), k[0], k[1])
	}
	return err
}

func cmpPair(a, b [2]string) int {
	return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
}
