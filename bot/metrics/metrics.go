package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/uppsikt/uppsikt/moderation"
)

// QuestionCount is how many questions to the municipality an account has
// unanswered, and how many of those are past their answer time.
type QuestionCount struct {
	Open, Overdue int
}

// Questions counts the open and overdue questions per account key (the
// answer clock). It is called at every scrape.
type Questions func(ctx context.Context) (map[string]QuestionCount, error)

// Options configure Metrics.
type Options struct {
	// Store is read at every scrape.
	Store moderation.MetricsStore
	// Questions, when set, gives uppsikt_questions_open and
	// uppsikt_questions_overdue; nil leaves them out.
	Questions Questions
	// Timeout bounds the store's queries of one scrape (default 10s).
	Timeout time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
}

// Metrics is uppsikt's registry with its collectors.
type Metrics struct {
	reg             *prometheus.Registry
	log             *slog.Logger
	polls           *prometheus.CounterVec
	captureDuration *prometheus.HistogramVec
	captureFailures *prometheus.CounterVec
	store           *storeCollector
}

// Capture kinds, the values of the kind label of the capture metrics: the
// comment's page on the platform, and uppsikt's own evidence view.
const (
	CapturePage = "page"
	CaptureView = "view"
)

// New returns the metrics with a registry of their own.
func New(opts Options) *Metrics {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		log: opts.Logger,
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "uppsikt_account_polls_total",
			Help: "Poll cycles of an account since the start, by outcome (bot/poller: ok, failed, backoff, token_rejected).",
		}, []string{"account", "outcome"}),
		captureDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "uppsikt_evidence_capture_duration_seconds",
			Help:    "How long one browser capture for evidence took (page: the comment on the platform; view: uppsikt's evidence view).",
			Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 20, 30, 60},
		}, []string{"kind"}),
		captureFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "uppsikt_evidence_capture_failures_total",
			Help: "Browser captures for evidence that failed since the start (the evidence PDF is then made without that screenshot).",
		}, []string{"kind"}),
	}
	m.store = newStoreCollector(opts)
	m.reg.MustRegister(m.polls, m.captureDuration, m.captureFailures, m.store,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, k := range []string{CapturePage, CaptureView} {
		m.captureFailures.WithLabelValues(k) // present at 0 from the start, so that increase() sees the first failure
	}
	return m
}

// Registry is the metrics' own registry.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Polled counts one poll cycle of an account by its outcome (bot/poller's
// Outcome: "ok", "failed", "backoff", "token_rejected") and,
// when it was "ok", remembers when (the store keeps only the last cycle's start and error).
func (m *Metrics) Polled(account, outcome string) {
	m.polls.WithLabelValues(account, outcome).Inc()
	if outcome == "ok" {
		m.store.polledOK(account)
	}
}

// Captured records one browser capture: how long it took and whether it
// failed.
func (m *Metrics) Captured(kind string, took time.Duration, err error) {
	m.captureDuration.WithLabelValues(kind).Observe(took.Seconds())
	if err != nil {
		m.captureFailures.WithLabelValues(kind).Inc()
	}
}

// Handler serves the metrics in Prometheus' text format. A store that does
// not answer is logged and shown as uppsikt_store_up 0; the other metrics
// are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{m.log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// slogPrinter gives promhttp's errors to slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(' ')
		}
		if err, ok := x.(error); ok {
			b.WriteString(err.Error())
			continue
		}
		if s, ok := x.(string); ok {
			b.WriteString(s)
		}
	}
	p.log.Warn("metrics", "error", b.String())
}

// Protect lets a request through to h only with "Authorization: Bearer
// token"; others get 401. An empty token protects nothing.
func Protect(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="uppsikt metrics"`)
			http.Error(w, "a bearer token is needed", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
