package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/uppsikt/uppsikt/bot/lease"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/bot/health"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/bot/poller"
	"github.com/uppsikt/uppsikt/bot/webhook"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// service is uppsikt running: the store, the poller, the pipeline and the
// web page, started in that order and stopped in the reverse one.
type service struct {
	parts    *parts // the store, Graph client, connectors, evidence and browser
	cfg      *config.Config
	log      *slog.Logger
	store    store
	poller   *poller.Poller
	hooks    *webhook.Processor
	pipeline *pipeline.Pipeline
	web      *http.Server
	listener net.Listener
	removal  *removalParts // evidence, platform actions, records register
	review   *reviewParts
	sup      *supervision
	yearly   func(context.Context) // the yearly snapshots: yearly.go
	gallring func(context.Context) // the daily retention run: dailyretention.go
	reports  func(context.Context) // the monthly reports: report.go
	health   *health.Checker       // the account health check: health.go
	mon      *monitoring           // /metrics: metrics.go
	answers  *answerClock          // the answer clock: answers.go
	worker   *lease.Keeper         // this process among the workers sharing the store: workers.go
}

// openService builds everything from a valid configuration and opens the
// store and the listening socket, but starts no goroutine.
func openService(ctx context.Context, cfg *config.Config, log *slog.Logger) (*service, error) {
	pt, err := newParts(cfg, log, readWrite)
	if err != nil {
		return nil, err
	}
	return openServiceParts(ctx, pt)
}

// openServiceParts is openService on parts none of which is built yet; on
// an error it closes what it built.
func openServiceParts(ctx context.Context, pt *parts) (*service, error) {
	cfg, log := pt.cfg, pt.log
	ok := false
	defer func() {
		if !ok {
			pt.Close()
		}
	}()
	loc := pt.loc
	st, err := pt.Store(ctx)
	if err != nil {
		return nil, err
	}
	s := &service{parts: pt, cfg: cfg, log: log, store: st}
	languages := map[string]string{}
	for _, a := range cfg.Accounts {
		languages[a.Key] = a.Language
	}
	// The question metrics read the answer clock's working hours at scrape
	// time; the clock is opened below, before anything is served.
	s.mon = newMonitoring(cfg, st, questionCounts(cfg, st, func(key string) moderation.WorkingTime {
		if s.answers == nil {
			return nil
		}
		return s.answers.workingTime(key)
	}, time.Now), log)
	classifier, err := newClassifier(cfg, time.Now())
	if err != nil {
		return nil, err
	}
	// The evidence PDFs and the web page explain hits with the classifier's
	// own packs instead of compiling them again.
	pt.explain = classifier.Explain
	// Evidence, platform actions and the records register: evidence.go.
	ev, err := pt.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	if s.removal, err = openRemoval(cfg, st, ev, log); err != nil {
		return nil, err
	}
	if w := s.removal.evidence.watch; w != nil {
		w.observe = s.mon.metrics.Captured
	}
	s.worker = newWorker(cfg, st, log)
	s.pipeline = pipeline.New(pipeline.Options{
		Claims: st, Worker: s.worker.ID(),
		Store: st, Classifier: classifier, Logger: log.With("part", "pipeline"),
		Evidence: s.removal.evidence, HideThenReview: cfg.Actions.HideThenReview,
		RegisterNumber: cfg.Register.FormatRegisterNumber, Acted: s.removal.wake,
		Language:        func(key string) string { return languages[key] },
		RecordsLanguage: cfg.Municipality.Language,
	})
	// Connectors, poller (office hours, holidays, reconcile) and webhooks: poll.go.
	sup, err := pt.Supervision(ctx, supervisionOptions{Stored: s.pipeline.Wake, Polled: s.mon.metrics.Polled, Worker: s.worker})
	if err != nil {
		return nil, err
	}
	s.poller, s.hooks, s.sup = sup.poller, sup.hooks, sup
	s.removal.connect(cfg, st, sup.client, s.worker, log)
	// The answer clock's working hours and Questions page: answers.go.
	if s.answers, err = openAnswerClock(cfg, st, loc); err != nil {
		return nil, err
	}
	// Decisions, the web page and Slack: reviewwire.go.
	if s.review, err = openReview(cfg, st, loc, log, pt.explain, s.removal.actions.ReplyPreview, s.answers.page); err != nil {
		return nil, err
	}
	s.answers.start(cfg, st, s.review.notifier, loc, time.Now, log.With("part", "answers"))
	if cfg.Archive.Snapshots != "" {
		y, err := newYearly(cfg, st, sup.client, log, loc, time.Now)
		if err != nil {
			return nil, err
		}
		s.yearly = y.Run
	}
	s.gallring = newDailyRetention(cfg, st, sup.client, log, time.Now)
	reports, err := newMonthlyReports(cfg, st, log, loc, time.Now)
	if err != nil {
		return nil, err
	}
	s.reports = reports.Run
	s.openHealth(cfg, st, sup, log)
	mux := http.NewServeMux()
	mux.Handle("/", s.review.web)
	if s.review.slack != nil {
		mux.Handle("/slack/interactions", s.review.slack)
	}
	if sup.webhook != nil {
		mux.Handle("/webhooks/meta", sup.webhook)
	}
	if s.mon.onWebPage() {
		mux.Handle("GET /metrics", s.mon.handler)
	}
	s.web = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	if err := s.mon.listen(); err != nil {
		return nil, err
	}
	if s.listener, err = net.Listen("tcp", cfg.Web.Listen); err != nil {
		s.mon.close()
		return nil, fmt.Errorf("web page: %w", err)
	}
	ok = true
	return s, nil
}

// URL is where the web page answers.
func (s *service) URL() string {
	addr := s.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() || addr.IP.IsLoopback() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s:%d/", host, addr.Port)
}

// run runs the service until ctx is cancelled, then shuts down in reverse
// order: the web page stops taking requests, the poller and pipeline finish
// what they are doing, and the store is closed last.
func (s *service) run(ctx context.Context) error {
	// Join the workers sharing the store before anything polls or claims:
	// the poller polls only the accounts this worker holds.
	if err := s.worker.Join(ctx); err != nil {
		s.listener.Close()
		s.mon.close()
		return errors.Join(fmt.Errorf("join the workers: %w", err), s.parts.Close())
	}
	var wg sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	keeperCtx, stopKeeper := context.WithCancel(context.WithoutCancel(ctx))
	keeperDone := make(chan struct{})
	go func() { defer close(keeperDone); s.worker.Run(keeperCtx) }()
	errs := make(chan error, 5)
	// once runs a job on the one worker holding its lease (workers.go).
	once := func(name string, job func(context.Context)) { wg.Go(func() { s.worker.Once(name, job)(workCtx) }) }
	wg.Go(func() { errs <- s.pipeline.Run(workCtx) })
	wg.Go(func() { s.removal.run(workCtx) })
	once("slack", func(ctx context.Context) { logRunErr(s.log, "slack", s.review.run(ctx)) })
	wg.Go(func() { errs <- s.poller.Run(workCtx) })
	wg.Go(func() { errs <- s.hooks.Run(workCtx) })
	wg.Go(func() { s.sup.subscribe(workCtx, s.log.With("part", "webhooks")) })
	if s.yearly != nil {
		once("yearly", s.yearly)
	}
	if s.gallring != nil {
		once("retention", s.gallring)
	}
	if s.reports != nil {
		once("reports", s.reports)
	}
	once("health", s.health.Run)
	once("answers", func(ctx context.Context) { logRunErr(s.log, "answers", s.answers.loop.Run(ctx)) })
	webDone := make(chan error, 1)
	go func() { webDone <- s.web.Serve(s.listener) }()
	metricsDone := make(chan error, 1)
	go func() { metricsDone <- s.mon.serve() }()
	where := s.cfg.Paths.Database
	if s.cfg.Store.Driver == config.DriverPostgres {
		where = "postgres" // the DSN may hold a password: never logged
	}
	s.log.Info("uppsikt is running", "web", s.URL(), "accounts", len(s.cfg.Accounts), "database", where)
	if u := s.mon.URL(); u != "" {
		s.log.Info("metrics", "url", u)
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-webDone:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("web page: %w", err)
		}
		webDone <- nil
	}
	s.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.web.Shutdown(shutCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("stop web page: %w", err))
	}
	<-webDone
	if err := s.mon.shutdown(shutCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("stop metrics: %w", err))
	}
	runErr = errors.Join(runErr, <-metricsDone)
	stopWork()
	wg.Wait()
	close(errs)
	for err := range errs {
		runErr = errors.Join(runErr, err)
	}
	// Nothing claims any more: give the accounts and claims back, so that
	// the other workers take them at once instead of after the TTL.
	stopKeeper()
	<-keeperDone
	if err := s.worker.Leave(context.Background()); err != nil {
		runErr = errors.Join(runErr, err)
	}
	// The browser, then the store: the reverse order of building.
	runErr = errors.Join(runErr, s.parts.Close())
	s.log.Info("stopped")
	return runErr
}
