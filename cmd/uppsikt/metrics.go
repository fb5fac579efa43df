package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/bot/metrics"
	"github.com/uppsikt/uppsikt/bot/poller"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// monitoring is the service's /metrics (docs/monitoring.md): served beside
// the web page, or on metrics.listen alone, behind metrics.token when one
// is configured.
type monitoring struct {
	metrics  *metrics.Metrics
	handler  http.Handler // /metrics with its token check
	server   *http.Server // nil when served beside the web page
	listener net.Listener // metrics.listen's socket, or nil
	log      *slog.Logger
}

// newMonitoring builds the metrics over the store. questions may be nil
// (no answer clock): the question metrics are then absent.
func newMonitoring(cfg *config.Config, st moderation.MetricsStore, questions metrics.Questions, log *slog.Logger) *monitoring {
	m := &monitoring{log: log.With("part", "metrics")}
	m.metrics = metrics.New(metrics.Options{Store: st, Questions: questions, Logger: m.log})
	m.handler = metrics.Protect(m.metrics.Handler(), cfg.Metrics.Token.Value())
	if cfg.Metrics.Listen != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.handler)
		m.server = &http.Server{Addr: cfg.Metrics.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}
	return m
}

// listen opens metrics.listen's socket; nothing when /metrics is beside
// the web page.
func (m *monitoring) listen() error {
	if m.server == nil {
		return nil
	}
	var err error
	if m.listener, err = net.Listen("tcp", m.server.Addr); err != nil {
		return fmt.Errorf("metrics.listen: %w", err)
	}
	return nil
}

// onWebPage reports whether /metrics is served on the web page's address.
func (m *monitoring) onWebPage() bool { return m.server == nil }

// URL is where /metrics answers when it has an address of its own; "" when
// it is beside the web page.
func (m *monitoring) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String() + "/metrics"
}

// serve serves metrics.listen until shutdown; nothing when /metrics is
// beside the web page.
func (m *monitoring) serve() error {
	if m.server == nil {
		return nil
	}
	if err := m.server.Serve(m.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// shutdown stops metrics.listen.
func (m *monitoring) shutdown(ctx context.Context) error {
	if m.server == nil {
		return nil
	}
	return m.server.Shutdown(ctx)
}

// close closes metrics.listen's socket when serve never ran.
func (m *monitoring) close() {
	if m.listener != nil {
		m.listener.Close()
	}
}

// watchedCapturer is the evidence browser with every capture reported to
// observe (metrics.Metrics.Captured) once it is set. It keeps the
// browser's Hold, which the evidence maker asks for.
type watchedCapturer struct {
	*capture.Browser
	observe func(kind string, took time.Duration, err error)
}

func (w *watchedCapturer) Page(ctx context.Context, rawURL string) (capture.Shot, error) {
	start := time.Now()
	shot, err := w.Browser.Page(ctx, rawURL)
	w.report(ctx, metrics.CapturePage, time.Since(start), err)
	return shot, err
}

func (w *watchedCapturer) HTML(ctx context.Context, html []byte) (capture.Shot, error) {
	start := time.Now()
	shot, err := w.Browser.HTML(ctx, html)
	w.report(ctx, metrics.CaptureView, time.Since(start), err)
	return shot, err
}

// report leaves out captures cut short by the service stopping.
func (w *watchedCapturer) report(ctx context.Context, kind string, took time.Duration, err error) {
	if w.observe == nil || ctx.Err() != nil {
		return
	}
	w.observe(kind, took, err)
}

// pollObservers tells each poll's outcome to the account health record and
// to the metrics (poller.Outcome); either may be nil.
func pollObservers(record func(context.Context, moderation.Account, time.Time, error), count func(account, outcome string)) func(context.Context, moderation.Account, time.Time, error) {
	if count == nil {
		return record
	}
	return func(ctx context.Context, a moderation.Account, started time.Time, err error) {
		if record != nil {
			record(ctx, a, started, err)
		}
		count(a.Key, poller.Outcome(err))
	}
}

// questionCounts counts each configured account's open questions, and of
// them those waiting longer than answers.within in the account's working
// time, for the question metrics. Every account is present, at 0 when it
// has none.
func questionCounts(cfg *config.Config, st moderation.QuestionStore, hours func(string) moderation.WorkingTime, now func() time.Time) metrics.Questions {
	within := cfg.Answers.Within.D()
	return func(ctx context.Context) (map[string]metrics.QuestionCount, error) {
		open, err := st.Questions(ctx, moderation.QuestionFilter{States: []string{moderation.QuestionOpen}})
		if err != nil {
			return nil, err
		}
		out := make(map[string]metrics.QuestionCount, len(cfg.Accounts))
		for _, a := range cfg.Accounts {
			out[a.Key] = metrics.QuestionCount{}
		}
		t := now()
		for _, q := range open {
			c, ok := out[q.AccountKey]
			if !ok {
				continue // an account no longer configured
			}
			c.Open++
			if wt := hours(q.AccountKey); wt != nil && moderation.QuestionAge(q, wt, t) > within {
				c.Overdue++
			}
			out[q.AccountKey] = c
		}
		return out, nil
	}
}
