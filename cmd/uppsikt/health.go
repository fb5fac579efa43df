package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/health"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/slack"
)

// The account register and health (bot/health), wired: the poller records
// each poll's outcome (recordPoll), the evidence maker tells each
// document's capture outcome (captureState), and the service runs a
// health.Checker whose report the web page, /healthz, Slack and `uppsikt
// accounts` show.

// healthStore is the store the health check needs.
type healthStore interface {
	moderation.Store
	moderation.HealthStore
}

// healthRegister is the account register: the configured accounts with
// their owners, substitutes and purpose.
func healthRegister(cfg *config.Config) []health.Register {
	var out []health.Register
	for _, a := range cfg.Accounts {
		out = append(out, health.Register{Purpose: a.Purpose, Account: moderation.Account{
			Key: a.Key, Platform: moderation.Platform(a.Platform), PlatformID: accountPlatformID(a), Name: a.Name,
			Owners: a.Owners, Substitutes: a.Substitutes, Status: moderation.AccountActive,
		}})
	}
	return out
}

// healthPolicy is the configured thresholds.
func healthPolicy(cfg *config.Config) moderation.HealthPolicy {
	return moderation.HealthPolicy{InactiveAfter: cfg.Health.InactiveAfter.D(), TokenWarnBefore: cfg.Health.TokenWarnBefore.D(),
		PollFailingAfter: cfg.Health.PollFailingAfter.D(), Webhooks: cfg.Meta.Webhooks}
}

// healthOptions are the parts of a health checker that the service adds
// to a read-only one.
type healthOptions struct {
	graph   health.Graph
	capture func() moderation.CaptureHealth
	notify  func(context.Context, moderation.HealthReport) error
	now     func() time.Time
	delay   time.Duration
}

// newHealthChecker builds the health checker of cfg's accounts over st.
func newHealthChecker(cfg *config.Config, st healthStore, log *slog.Logger, o healthOptions) *health.Checker {
	return health.New(health.Options{
		Store: st, Accounts: healthRegister(cfg), Graph: o.graph, Policy: healthPolicy(cfg),
		StalledAfter: cfg.Health.WorkStalledAfter.D(), Capture: o.capture, Notify: o.notify,
		CheckEvery: cfg.Health.CheckEvery.D(), Delay: o.delay, Now: o.now, Logger: log.With("part", "health"),
	})
}

// healthGraph is the Graph side of the daily check: debug_token through
// the service's Graph client, the subscription through its Facebook
// connector.
type healthGraph struct {
	client *facebook.Client
	conn   *facebook.Connector
}

func (g healthGraph) DebugToken(ctx context.Context, a moderation.Account) (moderation.TokenCheck, error) {
	return g.client.DebugToken(ctx, a)
}

func (g healthGraph) Subscribed(ctx context.Context, a moderation.Account) (bool, error) {
	return g.conn.Subscribed(ctx, a)
}

// recordPoll is the poller's Polled hook: each poll's outcome goes into
// the store, as an error class, never the error's text. Nil when the store
// does not keep health facts.
func recordPoll(st moderation.Store, log *slog.Logger) func(context.Context, moderation.Account, time.Time, error) {
	hs, ok := st.(moderation.HealthStore)
	if !ok {
		return nil
	}
	return func(ctx context.Context, a moderation.Account, started time.Time, err error) {
		if rerr := hs.RecordPoll(ctx, a.Key, started, moderation.ErrorClass(err)); rerr != nil {
			log.Warn("record poll outcome", "account", a.Key, "error", rerr)
		}
	}
}

// captureState says whether evidence capture works: not when it is wanted
// (capture.disabled is false) and Chromium or Ghostscript cannot be found,
// or the last evidence PDF was made without any screenshot or without its
// PDF/A conversion. The programs are looked for at each report, so that
// installing them ends the warning without a restart; a failing capture
// ends with the next document made as it should be.
type captureState struct {
	disabled bool
	chromium string // capture.chromium; empty: Debian's or one on the PATH
	gs       string // the Ghostscript binary

	mu   sync.Mutex
	last string // why the last document was degraded; "" when it was not
}

func newCaptureState(cfg *config.Config) *captureState {
	return &captureState{disabled: cfg.Capture.Disabled, chromium: cfg.Capture.Chromium, gs: "gs"}
}

// chromiumFound looks for the browser where archive/capture does.
func (c *captureState) chromiumFound() bool {
	if c.chromium != "" {
		if strings.ContainsRune(c.chromium, os.PathSeparator) {
			fi, err := os.Stat(c.chromium)
			return err == nil && !fi.IsDir()
		}
		_, err := exec.LookPath(c.chromium)
		return err == nil
	}
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return true
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

// Health is the state of evidence capture now.
func (c *captureState) Health() moderation.CaptureHealth {
	if c.disabled {
		return moderation.CaptureHealth{Disabled: true}
	}
	var reasons []string
	if !c.chromiumFound() {
		reasons = append(reasons, "chromium_missing")
	}
	if _, err := exec.LookPath(c.gs); err != nil {
		reasons = append(reasons, "ghostscript_missing")
	}
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if last != "" && len(reasons) == 0 {
		reasons = append(reasons, last)
	}
	if len(reasons) == 0 {
		return moderation.CaptureHealth{}
	}
	return moderation.CaptureHealth{Degraded: true, Reason: strings.Join(reasons, ",")}
}

// observe records how the last evidence PDF came out.
func (c *captureState) observe(doc evidencepdf.Document) {
	var why []string
	if !c.disabled && len(doc.Screenshots) == 0 {
		why = append(why, "capture_failing")
	}
	if !doc.PDFA {
		why = append(why, "pdfa_failing")
	}
	c.mu.Lock()
	c.last = strings.Join(why, ",")
	c.mu.Unlock()
}

// openHealth builds the service's health checker: evidence capture
// observed, the daily checks through the service's Graph client, new
// warnings to Slack when it is configured, and the report on the web page.
func (s *service) openHealth(cfg *config.Config, st healthStore, sup *supervision, log *slog.Logger) {
	capState := newCaptureState(cfg)
	s.removal.evidence.observe = capState.observe
	var notify func(context.Context, moderation.HealthReport) error
	if s.review.slackApp != nil && s.review.slackApp.enabled() {
		notify = slack.NewHealthAlerts(s.review.slackApp.build(s.review.decide)).Alert
	}
	s.health = newHealthChecker(cfg, st, log, healthOptions{graph: healthGraph{client: sup.client, conn: sup.facebook},
		capture: capState.Health, notify: notify})
	s.review.health = s.health.Report
}
