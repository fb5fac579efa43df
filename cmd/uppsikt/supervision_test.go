package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

const (
	rigSecret = "rig-app-secret"
	rigVerify = "rig-verify-token"
)

// testClock is a clock shared by the emulator and uppsikt; Sleep moves it
// forward, so rate-limit waits and backoff cost no real time.
type testClock struct {
	mu   sync.Mutex
	now  time.Time
	real bool // follow the real clock (for latency measurements)
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now()
	}
	return c.now
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}

// supRig is the emulator over HTTP and a configuration file pointing at it.
type supRig struct {
	emu     *emulator.Emulator
	graph   *httptest.Server
	clock   *testClock
	dir     string
	cfgPath string
	env     map[string]string
	keys    map[string]emulator.Account // account key → emulated account
}

func newSupRig(t testing.TB, sc *emulator.Scenario) *supRig {
	t.Helper()
	return newSupRigClock(t, sc, &testClock{now: time.Now().UTC().Truncate(time.Second)})
}

func newSupRigClock(t testing.TB, sc *emulator.Scenario, clock *testClock) *supRig {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Scenario: sc, AppID: "1000000000000001", AppSecret: rigSecret, Now: clock.Now, WebhookBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	graph := httptest.NewServer(emu)
	emu.SetBaseURL(graph.URL + "/")
	t.Cleanup(func() { graph.Close(); emu.Close() })
	r := &supRig{emu: emu, graph: graph, clock: clock, dir: t.TempDir(), env: map[string]string{"APP_SECRET": rigSecret, "VERIFY": rigVerify},
		keys: map[string]emulator.Account{}}
	var b strings.Builder
	fmt.Fprintf(&b, `municipality: {name: Testby kommun, country: se}
paths: {data: %q}
web: {listen: "127.0.0.1:0"}
meta:
  graph_url: %q
  version: v23.0
  app_id: "1000000000000001"
  app_secret: ${APP_SECRET}
  webhooks: true
  webhook_verify_token: ${VERIFY}
schedules:
  default: {office_hours: "08:00-17:00", interval: 15m, off_hours_interval: 2h, reconcile_every: 24h, reconcile_window: 9000h, jitter: 0s}
accounts:
`, r.dir, graph.URL+"/")
	for i, a := range emu.Accounts() {
		key := fmt.Sprintf("%s-%d", a.Platform, i)
		r.keys[key] = a
		env := strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
		r.env[env] = a.Token
		fmt.Fprintf(&b, "  - key: %s\n    platform: %s\n    id: %q\n    name: %q\n    owners: [a]\n    substitutes: [b]\n    token: ${%s}\n", key, a.Platform, a.ID, a.Name, env)
	}
	r.cfgPath = filepath.Join(r.dir, "uppsikt.yaml")
	if err := os.WriteFile(r.cfgPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *supRig) config(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(r.cfgPath, func(k string) string { return r.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (r *supRig) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	env, out, errb := testEnv(r.env)
	code := run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func (r *supRig) store(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(r.dir, "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// liveComments counts the comments and replies the emulator serves.
func liveComments(emu *emulator.Emulator) (n int) {
	for _, a := range emu.State("").Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if !c.Deleted {
					n++
				}
			}
		}
	}
	return n
}

func loadSV(t testing.TB) *emulator.Scenario {
	t.Helper()
	sc, err := emulator.LoadScenario("sv")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestPollOnceCommand(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	code, out, errs := r.run(t, "poll", "-config", r.cfgPath, "-once", "-reconcile")
	if code != 0 {
		t.Fatalf("poll -once -reconcile: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "total") || !strings.Contains(out, "new versions") {
		t.Errorf("summary: got\n%s", out)
	}
	st := r.store(t)
	stats, err := st.Stats(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := liveComments(r.emu); stats.Comments != want || stats.Versions != want {
		t.Errorf("after the first cycle: got %d comments, %d versions; want %d and %d", stats.Comments, stats.Versions, want, want)
	}

	// An idle cycle: one request per account, nothing new.
	r.emu.ResetStats()
	code, out, errs = r.run(t, "poll", "-config", r.cfgPath, "-once")
	if code != 0 {
		t.Fatalf("poll -once: exit %d\n%s\n%s", code, out, errs)
	}
	calls := r.emu.Stats().ByAccount
	for key, a := range r.keys {
		if calls[a.ID] != 1 {
			t.Errorf("%s: idle poll cost %d requests, want 1", key, calls[a.ID])
		}
	}
	st = r.store(t)
	defer st.Close()
	again, _ := st.Stats(context.Background())
	if again.Versions != stats.Versions || again.Pending != stats.Pending {
		t.Errorf("idle cycle stored something: versions %d → %d, pending %d → %d", stats.Versions, again.Versions, stats.Pending, again.Pending)
	}
}

func TestRevokedTokenDisconnectsAccount(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	var key string
	var acct emulator.Account
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			key, acct = k, a
		}
	}
	r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: acct.ID, Count: 1})
	code, out, _ := r.run(t, "poll", "-config", r.cfgPath, "-once", "-account", key)
	if code != 1 {
		t.Fatalf("exit: got %d, want 1\n%s", code, out)
	}
	st := r.store(t)
	a, err := st.Account(context.Background(), key)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != moderation.AccountDisconnected || !strings.Contains(a.StatusNote, "token fingerprint: ") || strings.Contains(a.StatusNote, acct.Token) {
		t.Fatalf("account: got %s %q, want disconnected with a fingerprint and no token", a.Status, a.StatusNote)
	}
	// Not called again while the token is the rejected one, not even probed
	// before the probe interval has passed.
	r.emu.ResetStats()
	code, out, _ = r.run(t, "poll", "-config", r.cfgPath, "-once", "-account", key)
	if code != 0 || !strings.Contains(out, "disconnected") {
		t.Errorf("second cycle: exit %d, output\n%s", code, out)
	}
	if got := r.emu.Stats().ByAccount[acct.ID]; got != 0 {
		t.Errorf("requests for a disconnected account: got %d, want 0", got)
	}
	// A new token in the configuration makes it active again.
	r.env[strings.ToUpper(strings.ReplaceAll(key, "-", "_"))] = acct.Token + "-ny"
	st = r.store(t)
	defer st.Close()
	if _, err := openSupervision(context.Background(), r.config(t), st, discardLogger(), supervisionOptions{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := st.Account(context.Background(), key); a.Status != moderation.AccountActive {
		t.Errorf("after a new token: got %s, want active", a.Status)
	}
}

func TestCrisisCommand(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	key := ""
	for k := range r.keys {
		key = k
	}
	until := time.Now().Add(48 * time.Hour).In(mustLoc(t, "Europe/Stockholm")).Format("2006-01-02T15:04")
	if code, out, errs := r.run(t, "crisis", "on", "-config", r.cfgPath, "-account", key, "-interval", "1m", "-until", until); code != 0 {
		t.Fatalf("crisis on: exit %d\n%s%s", code, out, errs)
	}
	st := r.store(t)
	sc, err := st.Schedule(context.Background(), key)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if sc.CrisisEvery != time.Minute || sc.CrisisUntil.In(mustLoc(t, "Europe/Stockholm")).Format("2006-01-02T15:04") != until {
		t.Errorf("crisis on: got every %v until %v", sc.CrisisEvery, sc.CrisisUntil)
	}
	if code, _, errs := r.run(t, "crisis", "on", "-config", r.cfgPath, "-account", key, "-until", "2001-01-01T00:00"); code != 2 {
		t.Errorf("crisis with a past end: exit %d, want 2 (%s)", code, errs)
	}
	if code, _, errs := r.run(t, "crisis", "off", "-config", r.cfgPath, "-account", key); code != 0 {
		t.Fatalf("crisis off: exit %d (%s)", code, errs)
	}
	st = r.store(t)
	defer st.Close()
	if sc, _ := st.Schedule(context.Background(), key); !sc.CrisisUntil.IsZero() || sc.CrisisEvery != 0 {
		t.Errorf("crisis off: got every %v until %v", sc.CrisisEvery, sc.CrisisUntil)
	}
}

func TestBackfillCommand(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	var key string
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			key = k
		}
	}
	since := time.Now().AddDate(-2, 0, 0).Format(time.DateOnly)
	code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", since)
	if code != 0 {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errs)
	}
	st := r.store(t)
	defer st.Close()
	n := 0
	for _, a := range r.emu.State(r.keys[key].ID).Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if !c.Deleted {
					n++
				}
			}
		}
	}
	stats, _ := st.Stats(context.Background())
	if stats.Comments != n {
		t.Errorf("comments after backfill: got %d, want %d", stats.Comments, n)
	}
	if code, _, _ := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", "igår"); code != 2 {
		t.Errorf("bad -since: exit %d, want 2", code)
	}
}

func TestWebhookHandshakeThroughService(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	cfg := r.config(t)
	st, err := openStore(context.Background(), cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sup, err := openSupervision(context.Background(), cfg, st, discardLogger(), supervisionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sup.webhook == nil {
		t.Fatal("webhooks on in the configuration, but no handler")
	}
	srv := httptest.NewServer(sup.webhook)
	defer srv.Close()
	if err := r.emu.RegisterWebhook(context.Background(), emulator.WebhookRegistration{CallbackURL: srv.URL, VerifyToken: rigVerify}); err != nil {
		t.Errorf("handshake with the right token: %v", err)
	}
	if err := r.emu.RegisterWebhook(context.Background(), emulator.WebhookRegistration{CallbackURL: srv.URL, VerifyToken: "fel"}); err == nil {
		t.Error("handshake with a wrong token succeeded")
	}
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"object":"page","entry":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned delivery: got %d, want 401", resp.StatusCode)
	}
	if evs, _ := st.PendingWebhookEvents(context.Background(), time.Time{}, 0); len(evs) != 0 {
		t.Errorf("unsigned delivery stored: %d events", len(evs))
	}

	// At start the service subscribes every Facebook page to the webhook,
	// without which Meta sends nothing for it.
	if len(sup.pages) == 0 {
		t.Fatal("webhooks on, but no page to subscribe")
	}
	sup.subscribe(context.Background(), discardLogger())
	for _, a := range sup.pages {
		if ok, err := sup.facebook.Subscribed(context.Background(), a); err != nil || !ok {
			t.Errorf("%s: subscribed after start: got %v, %v; want true, nil", a.Key, ok, err)
		}
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestRestoredTokenReconnects: a token Meta rejected and then restores
// (the same token, no change to the configuration) brings the account back:
// the poller probes a disconnected account once per probe interval, and
// when the platform accepts the token again the account is active, audited
// as reconnected, and polled in the same cycle.
func TestRestoredTokenReconnects(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	h := newHarness(t, r)
	ctx := context.Background()
	var key string
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			key = k
		}
	}
	r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: r.keys[key].ID, Count: 1})
	h.cycle(false)
	for _, k := range h.sup.keys {
		if a, _ := h.st.Account(ctx, k); a.Status != moderation.AccountDisconnected {
			t.Fatalf("%s after the token was revoked: got %s, want disconnected (the Instagram account shares the page's token)", k, a.Status)
		}
	}
	// Still revoked: each account costs one probe per interval and stays disconnected.
	r.clock.Advance(16 * time.Minute)
	r.emu.ResetStats()
	for _, k := range h.sup.keys {
		rep, err := h.sup.poller.PollAccount(ctx, k, false)
		if err != nil || rep.Skipped != string(moderation.AccountDisconnected) || rep.Requests != 1 {
			t.Errorf("%s while still revoked: got skipped %q, %d requests, error %v; want disconnected after one probe", k, rep.Skipped, rep.Requests, err)
		}
	}
	if got := r.emu.Stats().Total; got != len(h.sup.keys) {
		t.Errorf("requests while revoked: got %d, want one probe per account (%d)", got, len(h.sup.keys))
	}
	// Meta restores the token.
	r.emu.ResetTokens("")
	r.clock.Advance(16 * time.Minute)
	for _, k := range h.sup.keys {
		rep, err := h.sup.poller.PollAccount(ctx, k, false)
		if err != nil {
			t.Errorf("%s after the token was restored: %v", k, err)
		}
		if rep.Skipped != "" || rep.Requests < 2 {
			t.Errorf("%s after the token was restored: skipped %q, %d requests; want a probe and a poll", k, rep.Skipped, rep.Requests)
		}
		if a, _ := h.st.Account(ctx, k); a.Status != moderation.AccountActive {
			t.Errorf("%s after the token was restored: got %s %q, want active", k, a.Status, a.StatusNote)
		}
	}
	es, err := h.st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	reconnected := map[string]bool{}
	for _, e := range es {
		if e.Action == moderation.AuditAccountReconnected {
			reconnected[e.Subject] = true
		}
	}
	for _, k := range h.sup.keys {
		if !reconnected[k] {
			t.Errorf("%s: no %s audit entry", k, moderation.AuditAccountReconnected)
		}
	}
}
