package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/metrics"
	"github.com/uppsikt/uppsikt/moderation"
)

// scrape GETs /metrics with a bearer token ("" for none) and parses the
// answer with Prometheus' own text parser.
func scrape(t testing.TB, url, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET %s: Content-Type %q, want the text format", url, ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("GET %s: Prometheus' parser: %v\n%s", url, err, body)
	}
	return resp.StatusCode, fams
}

// sample is one value of a metric family, with its labels as name=value
// pairs in order, e.g. "account=fb,outcome=ok".
func samples(fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	f, ok := fams[name]
	if !ok {
		return nil
	}
	for _, m := range f.GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(labels)
		var v float64
		switch {
		case m.Gauge != nil:
			v = m.GetGauge().GetValue()
		case m.Counter != nil:
			v = m.GetCounter().GetValue()
		case m.Histogram != nil:
			v = float64(m.GetHistogram().GetSampleCount())
		}
		out[strings.Join(labels, ",")] = v
	}
	return out
}

// TestMetricsCollector scrapes the metrics over a real store, step by
// step: each step changes the store, then the scrape must show the
// values.
func TestMetricsCollector(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// An hour ahead of the store's clock, which stamps the work items.
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	var questions metrics.Questions
	m := metrics.New(metrics.Options{Store: st, Now: func() time.Time { return now }, Logger: discardLogger(),
		Questions: func(ctx context.Context) (map[string]metrics.QuestionCount, error) {
			if questions == nil {
				return nil, nil
			}
			return questions(ctx)
		}})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	for _, a := range []moderation.Account{
		{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Status: moderation.AccountActive},
		{Key: "ig", Platform: moderation.Instagram, PlatformID: "2", Status: moderation.AccountActive},
		{Key: "old", Platform: moderation.Facebook, PlatformID: "3", Status: moderation.AccountActive},
	} {
		if err := st.UpsertAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	comment := func(account, id, text string, v moderation.Verdict) int64 {
		t.Helper()
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: account, PostID: account + "_1", PlatformID: id,
			Message: text, Source: moderation.SourcePoll, SeenAt: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: r.Version, Verdict: v}); err != nil {
			t.Fatal(err)
		}
		return r.CommentID
	}
	var c1 int64
	tests := []struct {
		name   string
		change func(t *testing.T)
		metric string
		want   map[string]float64 // nil: the metric is absent
	}{
		{"accounts never polled are connected, without a poll time", nil,
			"uppsikt_account_connected", map[string]float64{"account=fb,platform=facebook": 1, "account=ig,platform=instagram": 1, "account=old,platform=facebook": 1}},
		{"no poll time before a successful poll", nil, "uppsikt_account_last_successful_poll_timestamp_seconds", nil},
		{"no question metrics without an answer clock", nil, "uppsikt_questions_open", nil},
		{"the store answered", nil, "uppsikt_store_up", map[string]float64{"": 1}},
		{"a disconnected account is 0, a closed one left out", func(t *testing.T) {
			must(t, st.SetAccountStatus(ctx, "ig", moderation.AccountDisconnected, "token rejected"))
			must(t, st.SetAccountStatus(ctx, "old", moderation.AccountClosed, "closed"))
		}, "uppsikt_account_connected", map[string]float64{"account=fb,platform=facebook": 1, "account=ig,platform=instagram": 0}},
		{"the stored poll time when the last cycle succeeded", func(t *testing.T) {
			must(t, st.SetSchedule(ctx, moderation.Schedule{AccountKey: "fb", LastPollAt: now.Add(-90 * time.Second), NextPollAt: now}))
			must(t, st.SetSchedule(ctx, moderation.Schedule{AccountKey: "ig", LastPollAt: now.Add(-time.Minute), LastError: "token rejected", NextPollAt: now}))
		}, "uppsikt_account_poll_lag_seconds", map[string]float64{"account=fb,platform=facebook": 90}},
		{"the failed cycle shows", nil, "uppsikt_account_last_poll_failed", map[string]float64{"account=fb,platform=facebook": 0, "account=ig,platform=instagram": 1}},
		{"a successful poll this process saw counts too", func(t *testing.T) {
			m.Polled("ig", "ok")
			m.Polled("ig", "ok")
			m.Polled("fb", "token_rejected")
		}, "uppsikt_account_last_successful_poll_timestamp_seconds", map[string]float64{
			"account=fb,platform=facebook": float64(now.Add(-90 * time.Second).Unix()), "account=ig,platform=instagram": float64(now.Unix())}},
		{"polls by outcome", nil, "uppsikt_account_polls_total", map[string]float64{"account=ig,outcome=ok": 2, "account=fb,outcome=token_rejected": 1}},
		{"verdicts by category, none for unflagged", func(t *testing.T) {
			c1 = comment("fb", "c1", "19811218-9876", moderation.Verdict{Categories: []string{moderation.CatPersonalID, moderation.CatHate}, Register: true})
			comment("fb", "c2", "När öppnar biblioteket?", moderation.Verdict{Question: true})
			comment("ig", "c3", "Bra", moderation.Verdict{})
		}, "uppsikt_classifier_verdicts_total", map[string]float64{"account=fb,category=personal_id": 1, "account=fb,category=hate": 1,
			"account=fb,category=none": 1, "account=ig,category=none": 1}},
		{"signals", nil, "uppsikt_classifier_signals_total", map[string]float64{"account=fb,signal=question": 1, "account=fb,signal=register": 1}},
		{"later verdicts add to the totals", func(t *testing.T) {
			comment("ig", "c4", "idiot", moderation.Verdict{Categories: []string{moderation.CatHarassment}})
		}, "uppsikt_classifier_verdicts_total", map[string]float64{"account=fb,category=personal_id": 1, "account=fb,category=hate": 1,
			"account=fb,category=none": 1, "account=ig,category=none": 1, "account=ig,category=harassment": 1}},
		{"queues", func(t *testing.T) {
			items, err := st.PendingWork(ctx, now, 0)
			if err != nil || len(items) != 4 {
				t.Fatalf("PendingWork: %d, %v; want 4", len(items), err)
			}
			must(t, st.DeadLetterWork(ctx, items[0].ID, "evidence folder gone"))
			_, err = st.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`), ReceivedAt: now})
			must(t, err)
		}, "uppsikt_pipeline_queue_depth", map[string]float64{"": 3}},
		{"dead letters", nil, "uppsikt_pipeline_dead_letters", map[string]float64{"": 1}},
		{"webhook queue", nil, "uppsikt_webhook_queue_depth", map[string]float64{"": 1}},
		{"the oldest waiting item's age", nil, "uppsikt_pipeline_oldest_item_age_seconds", map[string]float64{"": 3600}},
		{"actions by kind and outcome", func(t *testing.T) {
			a, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: c1, Kind: moderation.ActHide})
			must(t, err)
			must(t, st.FinishAction(ctx, a.ID, moderation.ActionFailed, "", "(#10) Permission denied"))
			d, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: c1, Kind: moderation.ActDelete})
			must(t, err)
			must(t, st.FinishActionOutcome(ctx, d.ID, moderation.ActionGone, "", ""))
			_, _, err = st.EnqueueAction(ctx, moderation.Action{CommentID: c1, Kind: moderation.ActReply, Payload: "Hej"})
			must(t, err)
		}, "uppsikt_platform_actions", map[string]float64{"kind=hide,outcome=failed": 1, "kind=delete,outcome=gone": 1,
			"kind=reply,outcome=pending": 1}},
		{"failed actions by account", nil, "uppsikt_platform_actions_failed", map[string]float64{"account=fb,kind=hide": 1}},
		{"captures", func(t *testing.T) {
			m.Captured(metrics.CapturePage, 1500*time.Millisecond, errors.New("net::ERR_NAME_NOT_RESOLVED"))
			m.Captured(metrics.CaptureView, 300*time.Millisecond, nil)
			m.Captured(metrics.CaptureView, 400*time.Millisecond, nil)
		}, "uppsikt_evidence_capture_duration_seconds", map[string]float64{"kind=page": 1, "kind=view": 2}},
		{"capture failures", nil, "uppsikt_evidence_capture_failures_total", map[string]float64{"kind=page": 1, "kind=view": 0}},
		{"questions from the answer clock", func(t *testing.T) {
			questions = func(context.Context) (map[string]metrics.QuestionCount, error) {
				return map[string]metrics.QuestionCount{"fb": {Open: 3, Overdue: 1}, "ig": {}}, nil
			}
		}, "uppsikt_questions_overdue", map[string]float64{"account=fb": 1, "account=ig": 0}},
		{"open questions", nil, "uppsikt_questions_open", map[string]float64{"account=fb": 3, "account=ig": 0}},
		{"an answer clock that fails leaves the question metrics out, the rest served", func(t *testing.T) {
			questions = func(context.Context) (map[string]metrics.QuestionCount, error) {
				return nil, errors.New("answer clock: database is locked")
			}
		}, "uppsikt_questions_open", nil},
		{"and the store still answered", nil, "uppsikt_store_up", map[string]float64{"": 1}},
		{"a store that does not answer: store_up 0, the counters kept", func(t *testing.T) {
			questions = nil
			st.Close()
		}, "uppsikt_store_up", map[string]float64{"": 0}},
		{"the verdict totals survive a failed scrape", nil, "uppsikt_classifier_verdicts_total", map[string]float64{"account=fb,category=personal_id": 1,
			"account=fb,category=hate": 1, "account=fb,category=none": 1, "account=ig,category=none": 1, "account=ig,category=harassment": 1}},
	}
	// Ages depend on when the store stamped the rows: within a minute.
	tolerance := map[string]float64{"uppsikt_pipeline_oldest_item_age_seconds": 60}
	var served map[string]*dto.MetricFamily // the last scrape with the store and the answer clock answering
	for _, tt := range tests {
		if tt.change != nil {
			tt.change(t)
		}
		code, fams := scrape(t, srv.URL, "")
		if code != http.StatusOK {
			t.Fatalf("%s: GET /metrics: %d, want 200", tt.name, code)
		}
		if samples(fams, "uppsikt_store_up")[""] == 1 && samples(fams, "uppsikt_questions_open") != nil {
			served = fams
		}
		got := samples(fams, tt.metric)
		if near := tolerance[tt.metric]; near > 0 {
			for k, v := range got {
				if w, ok := tt.want[k]; ok && math.Abs(v-w) <= near {
					got[k] = w
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %s: got %v, want %v", tt.name, tt.metric, got, tt.want)
		}
	}
	t.Run("the alert rules name what /metrics serves", func(t *testing.T) { testAlertRules(t, served) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// metricsRig runs the service (openService and run, as serve does) against
// the emulator over HTTP: two Facebook pages, the second one's token
// rejected by the emulator from the start, and a comment with an identity
// number on the first.
type metricsRig struct {
	*supRig
	svc    *service
	token  string
	keep   string // the account polled
	reject string // the account whose token the emulator rejects
}

func newMetricsRig(t *testing.T, extra string) *metricsRig {
	t.Helper()
	r := &metricsRig{supRig: newSupRig(t, syntheticScenario(t, 2, 2, 3)), token: "scrape-token-7c1d"}
	if err := os.WriteFile(filepath.Join(r.dir, "metrics-token"), []byte(r.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(r.cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("capture: {disabled: true}\nmetrics:\n  token_file: metrics-token\n" + extra); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for key, a := range r.keys {
		if a.Name == "Sida 0" {
			r.keep = key
			post := r.emu.State(a.ID).Accounts[0].Posts[0].ID
			if _, err := r.emu.AddComment(post, "Test Testsson", "Mitt personnummer är 19811218-9876, ring mig", "personal_id"); err != nil {
				t.Fatal(err)
			}
		} else {
			r.reject = key
			r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: a.ID, Count: 1000})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.svc, err = openService(ctx, r.config(t), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.svc.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return r
}

// TestMetricsEndToEnd runs the service against the emulator and reads
// /metrics as Prometheus does: refused without the token, and once the
// comments are polled and classified, the verdicts by category as the
// store has them, the hide of the identity number done, a failed action
// counted, and the account whose token the emulator rejects disconnected.
func TestMetricsEndToEnd(t *testing.T) {
	r := newMetricsRig(t, "")
	url := r.svc.URL() + "metrics"
	for _, tt := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "scrape-token-7c1e", http.StatusUnauthorized},
		{"the token", r.token, http.StatusOK},
	} {
		if got, _ := scrape(t, url, tt.token); got != tt.want {
			t.Errorf("GET /metrics with %s: got %d, want %d", tt.name, got, tt.want)
		}
	}

	// Wait until everything is polled, classified and acted on.
	var fams map[string]*dto.MetricFamily
	settled := func() bool {
		_, fams = scrape(t, url, r.token)
		hides := samples(fams, "uppsikt_platform_actions")["kind=hide,outcome=done"]
		return samples(fams, "uppsikt_pipeline_queue_depth")[""] == 0 && hides == 1 &&
			samples(fams, "uppsikt_account_connected")["account="+r.reject+",platform=facebook"] == 0
	}
	for deadline := time.Now().Add(90 * time.Second); !settled(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not settled: actions %v, queue %v, connected %v", samples(fams, "uppsikt_platform_actions"),
				samples(fams, "uppsikt_pipeline_queue_depth"), samples(fams, "uppsikt_account_connected"))
		}
	}

	// The verdicts as the store has them, comment by comment.
	ctx := context.Background()
	comments, err := r.svc.store.ListComments(ctx, moderation.CommentFilter{AccountKey: r.keep})
	if err != nil {
		t.Fatal(err)
	}
	wantVerdicts := map[string]float64{}
	wantQuestions := 0.0
	for _, c := range comments {
		v, err := r.svc.store.LatestVerdict(ctx, c.ID)
		if err != nil {
			t.Fatalf("comment %s: %v", c.PlatformID, err)
		}
		cats := v.Verdict.Categories
		if len(cats) == 0 {
			cats = []string{"none"}
		}
		for _, cat := range cats {
			wantVerdicts["account="+r.keep+",category="+cat]++
		}
		if v.Verdict.Question {
			wantQuestions++
		}
	}
	if len(comments) != 7 || wantVerdicts["account="+r.keep+",category=personal_id"] != 1 {
		t.Fatalf("store: %d comments, verdicts %v; want 7 with one personal_id", len(comments), wantVerdicts)
	}
	if got := samples(fams, "uppsikt_classifier_verdicts_total"); fmt.Sprint(got) != fmt.Sprint(wantVerdicts) {
		t.Errorf("uppsikt_classifier_verdicts_total: got %v, want %v", got, wantVerdicts)
	}
	if got := samples(fams, "uppsikt_classifier_signals_total")["account="+r.keep+",signal=question"]; got != wantQuestions {
		t.Errorf("question signals: got %v, want %v", got, wantQuestions)
	}
	polls := samples(fams, "uppsikt_account_polls_total")
	if polls["account="+r.keep+",outcome=ok"] < 1 || polls["account="+r.reject+",outcome=token_rejected"] != 1 {
		t.Errorf("uppsikt_account_polls_total: got %v, want ok for %s and one token_rejected for %s", polls, r.keep, r.reject)
	}
	if lag := samples(fams, "uppsikt_account_poll_lag_seconds"); len(lag) != 1 || lag["account="+r.keep+",platform=facebook"] < 0 {
		t.Errorf("uppsikt_account_poll_lag_seconds: got %v, want one value for %s only", lag, r.keep)
	}
	if fail := samples(fams, "uppsikt_account_last_poll_failed"); fail["account="+r.reject+",platform=facebook"] != 1 || fail["account="+r.keep+",platform=facebook"] != 0 {
		t.Errorf("uppsikt_account_last_poll_failed: got %v", fail)
	}

	// A failed action is counted.
	c, err := r.svc.store.CommentByPlatformID(ctx, r.keep, comments[0].PlatformID)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := r.svc.store.EnqueueAction(ctx, moderation.Action{CommentID: c.ID, Kind: moderation.ActUnhide, NextAttemptAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.store.FinishAction(ctx, a.ID, moderation.ActionFailed, "", "(#10) Permission denied"); err != nil {
		t.Fatal(err)
	}
	_, fams = scrape(t, url, r.token)
	if got := samples(fams, "uppsikt_platform_actions")["kind=unhide,outcome=failed"]; got != 1 {
		t.Errorf("failed unhide: got %v, want 1 (%v)", got, samples(fams, "uppsikt_platform_actions"))
	}
	if got, want := samples(fams, "uppsikt_platform_actions_failed"), map[string]float64{"account=" + r.keep + ",kind=unhide": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("uppsikt_platform_actions_failed: got %v, want %v", got, want)
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Errorf("no go_goroutines: the Go collector is not registered")
	}
}

// TestMetricsOwnAddress: with metrics.listen, /metrics answers there (with
// the token) and not on the web page's address.
func TestMetricsOwnAddress(t *testing.T) {
	r := newMetricsRig(t, "  listen: 127.0.0.1:0\n")
	own := r.svc.mon.URL()
	if own == "" {
		t.Fatal("no metrics address")
	}
	for _, tt := range []struct {
		name, url, token string
		want             int
	}{
		{"own address with the token", own, r.token, http.StatusOK},
		{"own address without", own, "", http.StatusUnauthorized},
	} {
		if got, _ := scrape(t, tt.url, tt.token); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
	resp, err := http.Get(r.svc.URL() + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "uppsikt_") {
		t.Errorf("the web page's address serves the metrics too")
	}
}

// TestCaptureObserved: the evidence browser as openEvidence wraps it
// reports every capture to the metrics — a rendered evidence view as a
// view capture, a page on a host the browser may not load as a failed
// page capture — and keeps the browser's Hold.
func TestCaptureObserved(t *testing.T) {
	exec := chromium(t)
	b := capture.New(capture.Options{ExecPath: exec, AllowedHosts: []string{"www.facebook.com"}, Logger: discardLogger()})
	defer b.Close()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := metrics.New(metrics.Options{Store: st, Logger: discardLogger()})
	w := &watchedCapturer{Browser: b, observe: m.Captured}
	var _ evidencepdf.Capturer = w
	if _, ok := any(w).(interface{ Hold() func() }); !ok {
		t.Errorf("the wrapped browser has no Hold")
	}
	ctx := context.Background()
	if _, err := w.HTML(ctx, []byte("<!doctype html><title>bevis</title><p>Bevisvy</p>")); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	if _, err := w.Page(ctx, "http://127.0.0.1:1/not-allowed"); err == nil {
		t.Errorf("Page of a host not allowed: got nil error")
	}
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, f := range mfs {
		fams[f.GetName()] = f
	}
	for _, tt := range []struct {
		metric string
		want   map[string]float64
	}{
		{"uppsikt_evidence_capture_duration_seconds", map[string]float64{"kind=page": 1, "kind=view": 1}},
		{"uppsikt_evidence_capture_failures_total", map[string]float64{"kind=page": 1, "kind=view": 0}},
	} {
		if got := samples(fams, tt.metric); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.metric, got, tt.want)
		}
	}
}
