package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence/s3test"
	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/lease"
	"github.com/uppsikt/uppsikt/cmd/chaos"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// sharedStore is a store several serve processes share, for the worker
// tests: the configuration lines that choose it (and where the evidence
// goes) and how the test opens it to look.
type sharedStore struct {
	name string
	// yaml is the store's part of the configuration for the data folder.
	yaml func(dir string) string
	open func(ctx context.Context, dir string) (store, error)
	// evidenceFiles counts the evidence files written outside the data
	// folder (in the bucket); nil when the evidence is in the folder.
	evidenceFiles func() (int, error)
}

// sharedBackend makes a sharedStore for one test or benchmark: a new
// database (and bucket) each time, removed when it ends.
type sharedBackend struct {
	name  string
	start func(t testing.TB) sharedStore
}

var (
	sqliteBackend   = sharedBackend{"sqlite", sqliteShared}
	postgresBackend = sharedBackend{"postgres", func(t testing.TB) sharedStore { return postgresShared(t, false) }}
	// postgresS3Backend is the deployment of several workers on several
	// machines: PostgreSQL and evidence in a bucket with Object Lock.
	postgresS3Backend = sharedBackend{"postgres+s3", func(t testing.TB) sharedStore { return postgresShared(t, true) }}
)

func sqliteShared(testing.TB) sharedStore {
	return sharedStore{
		name: "sqlite",
		yaml: func(string) string { return "store: {driver: sqlite}\n" },
		open: func(ctx context.Context, dir string) (store, error) {
			return sqlite.Open(ctx, filepath.Join(dir, "data", "uppsikt.db"))
		},
	}
}

// postgresShared is a new, empty PostgreSQL database on the test server
// (pgtest: the first worker creates uppsikt's tables), its DSN given in a
// dsn_file; with bucket, the evidence goes to a new versitygw bucket with
// Object Lock (s3test), as on several machines, instead of the folder.
func postgresShared(t testing.TB, bucket bool) sharedStore {
	t.Helper()
	dsn := pgtest.DSN(t)
	secrets := t.TempDir()
	write := func(name, v string) string {
		path := filepath.Join(secrets, name)
		if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	text := fmt.Sprintf("store: {driver: postgres, dsn_file: %q}\n", write("dsn", dsn))
	name := "postgres"
	var files func() (int, error)
	if bucket {
		srv := s3test.Start(t, s3test.Options{ObjectLock: true})
		text += fmt.Sprintf("evidence:\n  backend: s3\n  s3: {endpoint: %q, bucket: %q, prefix: delade/, access_key_file: %q, secret_key_file: %q, retention_days: 30}\n",
			srv.Endpoint, srv.Bucket, write("access", srv.AccessKey), write("secret", srv.SecretKey))
		name = "postgres+s3"
		files = func() (int, error) {
			n := 0
			err := filepath.WalkDir(filepath.Join(srv.Root, srv.Bucket, "delade"), func(_ string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					n++
				}
				return err
			})
			return n, err
		}
	}
	return sharedStore{
		name:          name,
		yaml:          func(string) string { return text },
		open:          func(ctx context.Context, _ string) (store, error) { return postgres.Open(ctx, dsn) },
		evidenceFiles: files,
	}
}

// workersScenario is the Swedish scenario (its comments include identity
// numbers and other texts uppsikt hides at once) on six small Facebook
// pages, so that three workers share them two each.
func workersScenario(t testing.TB, pages int) *emulator.Scenario {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "bot", "emulator", "scenarios", "sv.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start, end := strings.Index(text, "\naccounts:\n"), strings.Index(text, "\nauthors:\n")
	if start < 0 || end < start {
		t.Fatal("sv.yaml: no accounts section before authors")
	}
	var b strings.Builder
	b.WriteString("\naccounts:\n")
	// The scenario's own posts name the accounts fb and ig.
	b.WriteString("  - {key: fb, platform: facebook, id: \"1094830000000000\", name: Sida 0, token: EMU-w-0, posts: 3, comments_per_post: [1, 3], reply_percent: 10}\n")
	b.WriteString("  - {key: ig, platform: instagram, id: \"17841400000000901\", name: sida1, page: fb, posts: 3, comments_per_post: [1, 3], reply_percent: 10}\n")
	for i := 2; i < pages; i++ {
		fmt.Fprintf(&b, "  - {key: p%d, platform: facebook, id: \"10948300000000%02d\", name: Sida %d, token: EMU-w-%d, posts: 3, comments_per_post: [1, 3], reply_percent: 10}\n", i, i, i, i)
	}
	text = strings.Replace(text[:start]+b.String()+text[end:], "days: 365", "days: 20", 1)
	sc, err := emulator.ParseScenario("workers", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// buildUppsikt builds the binary into dir.
func buildUppsikt(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "uppsikt")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// workerProc is one "uppsikt serve" in a process group of its own.
type workerProc struct {
	id, cfg, web string
	cmd          *exec.Cmd
	log          *bytes.Buffer
	done         chan struct{}
}

func freeLocalAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestWorkersShareTheStore runs three serve processes on one store against
// the emulator in live mode, with webhooks delivered to the first, and
// SIGKILLs the third midway. Every comment must be stored once and in its
// state, no action sent twice or before its evidence, nothing left
// stalled; the accounts are shared two each; and the killed worker's
// accounts are taken over within the lease TTL plus one renewal period,
// measured from the leases table. It runs on SQLite (one file, the
// evidence in the folder) and on PostgreSQL with the evidence in a
// versitygw bucket with Object Lock, as several machines would share them.
func TestWorkersShareTheStore(t *testing.T) {
	if testing.Short() {
		t.Skip("three serve processes for about a minute: not in -short")
	}
	for _, b := range []sharedBackend{sqliteBackend, postgresS3Backend} {
		t.Run(b.name, func(t *testing.T) { testWorkersShare(t, b.start(t)) })
	}
}

func testWorkersShare(t *testing.T, shared sharedStore) {
	const (
		pages = 6
		ttl   = 3 * time.Second
	)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	dir := t.TempDir()
	bin := buildUppsikt(t, dir)

	emu, err := emulator.New(emulator.Options{Scenario: workersScenario(t, pages), AppID: "1000000000000001", AppSecret: rigSecret, Seed: 19})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/"
	emu.SetBaseURL(base)
	emuSrv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go emuSrv.Serve(ln)
	defer func() { emuSrv.Close(); emu.Close() }()

	env := append(os.Environ(), "APP_SECRET="+rigSecret, "VERIFY="+rigVerify)
	keys := map[string]string{}
	var accounts strings.Builder
	for i, a := range emu.Accounts() {
		key := fmt.Sprintf("page-%d", i)
		keys[a.ID] = key
		v := fmt.Sprintf("TOKEN_%d", i)
		env = append(env, v+"="+a.Token)
		fmt.Fprintf(&accounts, "  - {key: %s, platform: %s, id: %q, name: %q, owners: [a], token: \"${%s}\"}\n", key, a.Platform, a.ID, a.Name, v)
	}
	config := func(id, web string) string {
		return fmt.Sprintf(`municipality: {name: Delade kommun, country: se, timezone: Europe/Stockholm}
paths: {data: %q}
web: {listen: %q}
log: {level: info, format: text}
meta:
  graph_url: %q
  version: v23.0
  app_id: "1000000000000001"
  app_secret: ${APP_SECRET}
  webhooks: true
  webhook_verify_token: ${VERIFY}
schedules:
  default: {office_hours: "00:00-24:00", interval: 10s, off_hours_interval: 10s, reconcile_every: 1h, reconcile_window: 9000h, jitter: 0s}
capture: {disabled: true}
review: {undo_grace: 2s}
workers: {id: %s, lease_ttl: %s}
%saccounts:
%s`, filepath.Join(dir, "data"), web, base, id, ttl, shared.yaml(dir), accounts.String())
	}
	var procs []*workerProc
	var mu sync.Mutex
	for i := range 3 {
		p := &workerProc{id: fmt.Sprintf("w%d", i+1), web: freeLocalAddr(t), log: &bytes.Buffer{}}
		p.cfg = filepath.Join(dir, p.id+".yaml")
		if err := os.WriteFile(p.cfg, []byte(config(p.id, p.web)), 0o600); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	logs := func() string {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		for _, p := range procs {
			fmt.Fprintf(&b, "--- %s ---\n%s\n", p.id, lastLines(p.log.String(), 40))
		}
		return b.String()
	}
	start := func(p *workerProc) {
		t.Helper()
		p.cmd = exec.Command(bin, "serve", "-config", p.cfg)
		p.cmd.Env = env
		w := &lockedWriter{mu: &mu, w: p.log}
		p.cmd.Stdout, p.cmd.Stderr = w, w
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.done = make(chan struct{})
		go func() { p.cmd.Wait(); close(p.done) }()
	}
	defer func() {
		for _, p := range procs {
			if p.cmd != nil {
				syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.done
			}
		}
	}()
	// The first worker creates the store; the others join it.
	start(procs[0])
	waitFor(t, ctx, "w1 answers", logs, func() bool { return getOK("http://" + procs[0].web + "/healthz") })
	start(procs[1])
	start(procs[2])
	for _, p := range procs[1:] {
		waitFor(t, ctx, p.id+" answers", logs, func() bool { return getOK("http://" + p.web + "/healthz") })
	}
	if err := emu.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: "http://" + procs[0].web + "/webhooks/meta",
		VerifyToken: rigVerify, SubscribeAll: true}); err != nil {
		t.Fatalf("register the webhook: %v", err)
	}
	liveCtx, stopLive := context.WithCancel(ctx)
	var live sync.WaitGroup
	live.Go(func() { emu.RunLive(liveCtx, 150) })
	defer func() { stopLive(); live.Wait() }()

	st, err := shared.open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A moderator approves the removal of every case the workers open (a
	// second one gives the four-eyes approvals), so that deletions and
	// public replies are sent by whichever worker claims them.
	reviewer := decide.New(decide.Options{Store: st, Grace: 2 * time.Second})
	approvals := 0
	live.Go(func() {
		for liveCtx.Err() == nil {
			cases, err := st.ListCases(ctx, moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseOpen, moderation.CaseEscalated}})
			if err == nil {
				for _, c := range cases {
					out, err := reviewer.Decide(ctx, decide.Request{CaseID: c.ID, Kind: moderation.DecideRemove, By: "moderator-1", Role: moderation.RoleAdmin, Surface: decide.SurfaceWeb})
					if err == nil && out.AwaitingSecond {
						_, err = reviewer.Decide(ctx, decide.Request{CaseID: c.ID, Kind: moderation.DecideRemove, By: "moderator-2", Role: moderation.RoleAdmin, Surface: decide.SurfaceWeb})
					}
					if err == nil {
						approvals++
					}
				}
			}
			select {
			case <-liveCtx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	})
	holders := func() map[string]string {
		ls, err := st.Leases(ctx)
		if err != nil {
			t.Fatalf("Leases: %v", err)
		}
		out := map[string]string{}
		now := time.Now()
		for _, l := range ls {
			if strings.HasPrefix(l.Name, moderation.LeaseAccountPrefix) && l.ExpiresAt.After(now) {
				out[strings.TrimPrefix(l.Name, moderation.LeaseAccountPrefix)] = l.Holder
			}
		}
		return out
	}
	// The fair share: ceil(6/3) = 2 each, every account held.
	waitFor(t, ctx, "two accounts each", logs, func() bool {
		c := map[string]int{}
		h := holders()
		for _, w := range h {
			c[w]++
		}
		return len(h) == pages && c["w1"] == 2 && c["w2"] == 2 && c["w3"] == 2
	})
	balanced := time.Now()
	time.Sleep(8 * time.Second) // live comments, webhooks, polls on all three

	var victims []string
	for key, w := range holders() {
		if w == "w3" {
			victims = append(victims, key)
		}
	}
	ls, _ := st.Leases(ctx)
	var lastRenewal time.Time
	for _, l := range ls {
		if l.Holder == "w3" && strings.HasPrefix(l.Name, moderation.LeaseAccountPrefix) && l.ExpiresAt.Add(-ttl).After(lastRenewal) {
			lastRenewal = l.ExpiresAt.Add(-ttl)
		}
	}
	syscall.Kill(-procs[2].cmd.Process.Pid, syscall.SIGKILL)
	<-procs[2].done
	killed := time.Now()
	procs[2].cmd = nil
	t.Logf("w3 killed %s after the accounts were balanced, holding %v (last renewal %s before the kill)",
		killed.Sub(balanced).Round(time.Millisecond), victims, killed.Sub(lastRenewal).Round(time.Millisecond))
	waitFor(t, ctx, "w3's accounts taken over", logs, func() bool {
		h := holders()
		for _, key := range victims {
			if w := h[key]; w != "w1" && w != "w2" {
				return false
			}
		}
		return len(victims) > 0
	})
	ls, _ = st.Leases(ctx)
	var takeover time.Time
	for _, l := range ls {
		for _, key := range victims {
			if l.Name == moderation.LeaseAccountPrefix+key {
				if l.AcquiredAt.Before(lastRenewal.Add(ttl)) {
					t.Errorf("%s taken by %s at %s, before w3's lease expired at %s: two holders at once",
						key, l.Holder, l.AcquiredAt.Format(time.StampMilli), lastRenewal.Add(ttl).Format(time.StampMilli))
				}
				if l.AcquiredAt.After(takeover) {
					takeover = l.AcquiredAt
				}
			}
		}
	}
	took := takeover.Sub(killed)
	t.Logf("w3's %d accounts taken over %s after the kill, %s after its leases expired (TTL %s, renewal every %s)",
		len(victims), took.Round(time.Millisecond), takeover.Sub(lastRenewal.Add(ttl)).Round(time.Millisecond), ttl, ttl/3)
	// Its leases expire at most one TTL after the kill; the others take
	// them at their next balance, at most TTL/3 later (plus the time a
	// balance takes on a loaded machine: up to 2 s allowed).
	if limit := ttl + ttl/3 + 2*time.Second; took > limit {
		t.Errorf("takeover took %s after the kill, want at most %s", took, limit)
	}
	ws, err := st.Workers(ctx, time.Now())
	if err != nil || len(ws) != 2 {
		t.Errorf("live workers: %+v, %v; want w1 and w2", ws, err)
	}
	time.Sleep(8 * time.Second) // more live activity on the two that are left

	// Settle: live mode stopped, a reconcile pass of every account, then
	// the two workers drain what is queued.
	stopLive()
	live.Wait()
	poll := exec.CommandContext(ctx, bin, "poll", "-once", "-reconcile", "-config", procs[0].cfg)
	poll.Env = env
	if out, err := poll.CombinedOutput(); err != nil {
		t.Fatalf("poll -once -reconcile: %v\n%s", err, out)
	}
	waitFor(t, ctx, "the queues drained", logs, func() bool {
		now := time.Now()
		w, err1 := st.PendingWork(ctx, time.Time{}, 0)
		a, err2 := st.PendingActions(ctx, now.Add(time.Hour), 0)
		e, err3 := st.PendingWebhookEvents(ctx, time.Time{}, 0)
		if err1 != nil || err2 != nil || err3 != nil || len(w)+len(a)+len(e) > 0 {
			return false
		}
		// Every approved removal carried out (its grace passed, its
		// deletion queued and done).
		approved, err := st.ListCases(ctx, moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseApproved}})
		if err != nil {
			return false
		}
		for _, c := range approved {
			as, err := st.Actions(ctx, c.CommentID)
			if err != nil || !slices.ContainsFunc(as, func(a moderation.Action) bool {
				return a.Kind == moderation.ActDelete && a.State == moderation.ActionDone
			}) {
				return false
			}
		}
		return true
	})
	for _, p := range procs[:2] {
		syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
	}
	for _, p := range procs[:2] {
		select {
		case <-p.done:
			p.cmd = nil
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not stop within 20 s of SIGTERM\n%s", p.id, logs())
		}
	}
	if ls, err := st.Leases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases after both stopped cleanly: %+v, %v; want none (given back)", ls, err)
	}

	state := emu.State("")
	rep, err := chaos.Check(ctx, chaos.Input{State: state, Store: st, Keys: keys,
		HideThenReview: []string{"personal_id", "sensitive_data"}, Since: time.Now().Add(-9000*time.Hour + time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d approvals; checked %d comments, %d versions, %d platform actions, %d webhook deliveries: lost=%d versions_lost=%d duplicate_actions=%d before_evidence=%d stalled=%d",
		approvals, rep.Comments, rep.Versions, rep.Actions, len(state.Deliveries), rep.Lost, rep.VersionsLost, rep.DuplicateActions, rep.BeforeEvidence, rep.Stalled)
	if rep.Failures() != 0 {
		t.Errorf("%d failures:\n%s\n%s", rep.Failures(), strings.Join(rep.Details[:min(len(rep.Details), 40)], "\n"), logs())
	}
	if rep.Actions == 0 {
		t.Errorf("no platform action was sent: the test shows nothing about actions")
	}
	if shared.evidenceFiles != nil {
		n, err := shared.evidenceFiles()
		t.Logf("%d evidence files in the bucket", n)
		if err != nil || n == 0 {
			t.Errorf("evidence in the bucket: %d files, %v; want the evidence of the actions", n, err)
		}
	}
	// Every worker did part of the work.
	for _, p := range procs {
		mu.Lock()
		held := strings.Contains(p.log.String(), "accounts of this worker")
		mu.Unlock()
		if !held {
			t.Errorf("%s never held an account\n%s", p.id, logs())
		}
	}
}

// lockedWriter serialises a process's output into a buffer the test reads.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func getOK(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 500 || resp.StatusCode == http.StatusServiceUnavailable
}

// waitFor polls cond every 100 ms until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, what string, logs func() string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within the test's time\n%s", what, logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestServeOnPostgres: with store.driver postgres (the DSN in dsn_file),
// serve creates uppsikt's tables in an empty database, archives every
// comment of the scenario into it and runs the pipeline on them; it logs
// no DSN; backup and restore, which copy SQLite's file, say that
// PostgreSQL's own tools back it up.
func TestServeOnPostgres(t *testing.T) {
	r := newSupRig(t, syntheticScenario(t, 2, 2, 3))
	text, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	dsn := pgtest.DSN(t)
	dsnFile := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(dsnFile, []byte(dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text = append(text, fmt.Sprintf("store: {driver: postgres, dsn_file: %q}\n", dsnFile)...)
	if err := os.WriteFile(r.cfgPath, text, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := r.run(t, "config", "check", "-config", r.cfgPath); code != 0 {
		t.Fatalf("config check: exit %d\n%s%s", code, out, errs)
	} else if !strings.Contains(out, "database on PostgreSQL") || strings.Contains(out+errs, dsn) {
		t.Errorf("config check printed %q; want the database named as PostgreSQL, without the DSN", out+errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	env, _, logs := testEnv(r.env)
	done := make(chan int, 1)
	go func() { done <- run(sctx, env, []string{"serve", "-config", r.cfgPath}) }()

	var st *postgres.Store
	for st == nil {
		select {
		case code := <-done:
			t.Fatalf("serve stopped with exit %d:\n%s", code, logs.String())
		case <-ctx.Done():
			t.Fatalf("no store within 90 s:\n%s", logs.String())
		case <-time.After(200 * time.Millisecond):
		}
		// Open succeeds once serve has made the tables (an empty
		// database is made uppsikt's by the first Open, so wait for
		// serve's first).
		if strings.Contains(logs.String(), "uppsikt is running") {
			if st, err = postgres.Open(ctx, dsn); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer st.Close()
	keys := map[string]string{}
	for key, a := range r.keys {
		keys[a.ID] = key
	}
	var rep chaos.Report
	for {
		w, err := st.PendingWork(ctx, time.Time{}, 0)
		if err == nil && len(w) == 0 {
			rep, err = chaos.Check(ctx, chaos.Input{State: r.emu.State(""), Store: st, Keys: keys,
				HideThenReview: []string{"personal_id", "sensitive_data"}, Since: time.Now().Add(-9000*time.Hour + time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Comments > 0 && rep.Lost == 0 && rep.VersionsLost == 0 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve stopped with exit %d:\n%s", code, logs.String())
		case <-ctx.Done():
			t.Fatalf("the comments not archived within 90 s: %d compared, %d lost\n%s\n%s", rep.Comments, rep.Lost, strings.Join(rep.Details, "\n"), logs.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("serve on PostgreSQL archived %d comments (%d in the store, %d accounts)", rep.Comments, stats.Comments, stats.Accounts)
	if stats.Comments != 12 || stats.Accounts != 2 {
		t.Errorf("the store holds %d comments on %d accounts, want 12 on 2 (2 pages × 2 posts × 3)", stats.Comments, stats.Accounts)
	}
	stop()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d after shutdown\n%s", code, logs.String())
	}
	if strings.Contains(logs.String(), dsn) {
		t.Errorf("serve logged the DSN")
	}
	if _, err := os.Stat(filepath.Join(r.dir, "uppsikt.db")); err == nil {
		t.Errorf("serve on PostgreSQL made an SQLite file in the data folder")
	}
	for _, args := range [][]string{
		{"backup", "-config", r.cfgPath, "-out", filepath.Join(t.TempDir(), "b")},
		{"restore", "-config", r.cfgPath, "-from", t.TempDir()},
	} {
		code, _, errs := r.run(t, args...)
		if code == 0 || !strings.Contains(errs, "store.driver postgres") || !strings.Contains(errs, "pg_") {
			t.Errorf("%s on PostgreSQL: exit %d, stderr %q; want a failure naming PostgreSQL's own tools", args[0], code, errs)
		}
	}
}

// TestJobRunsOnOneWorker: two workers on one store run a job through
// Once; it runs on exactly one at a time, and moves to the other within
// one renewal period when its worker stops.
func TestJobRunsOnOneWorker(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	const ttl = 300 * time.Millisecond
	var (
		mu      sync.Mutex
		running = map[string]bool{}
		most    int
		started = map[string]time.Time{}
	)
	type w struct {
		k    *lease.Keeper
		stop context.CancelFunc
		done chan struct{}
	}
	var ws []w
	for _, id := range []string{"a", "b"} {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		k := lease.New(lease.Options{Store: st, ID: id, Instance: id, TTL: ttl})
		if err := k.Join(ctx); err != nil {
			t.Fatal(err)
		}
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			var g sync.WaitGroup
			g.Go(func() { k.Run(wctx) })
			k.Once("test", func(jctx context.Context) {
				mu.Lock()
				running[id] = true
				started[id] = time.Now()
				n := 0
				for _, r := range running {
					if r {
						n++
					}
				}
				most = max(most, n)
				mu.Unlock()
				<-jctx.Done()
				mu.Lock()
				running[id] = false
				mu.Unlock()
			})(wctx)
			g.Wait()
		}()
		ws = append(ws, w{k: k, stop: stop, done: done})
	}
	holder := func() string {
		mu.Lock()
		defer mu.Unlock()
		for id, r := range running {
			if r {
				return id
			}
		}
		return ""
	}
	deadline := time.Now().Add(10 * time.Second)
	for holder() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	first := holder()
	if first == "" {
		t.Fatal("the job never started")
	}
	time.Sleep(3 * ttl) // several renewals: it stays where it is
	if h := holder(); h != first {
		t.Errorf("the job moved from %s to %q while both lived", first, h)
	}
	// The holder stops cleanly: Once stops the job and gives the lease
	// back, so the other takes it at its next try, within TTL/3. (A worker
	// killed outright loses its leases after the TTL:
	// TestWorkersShareTheStore measures that for accounts.)
	i := 0
	if first == "b" {
		i = 1
	}
	stopped := time.Now()
	ws[i].stop()
	<-ws[i].done
	other := ws[1-i].k.ID()
	for holder() != other && time.Now().Before(deadline.Add(10*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	took := started[other].Sub(stopped)
	m := most
	mu.Unlock()
	if holder() != other {
		t.Fatalf("the job did not move to %s", other)
	}
	t.Logf("the job moved to %s %s after %s stopped (TTL %s)", other, took.Round(time.Millisecond), first, ttl)
	if took > ttl/3+ttl {
		t.Errorf("the job moved after %s, want at most %s", took, ttl/3+ttl)
	}
	if m != 1 {
		t.Errorf("the job ran on %d workers at once, want 1", m)
	}
	ws[1-i].stop()
	<-ws[1-i].done
}

// TestKeeperHoldsItsShare: two workers on one store, on a test clock.
// Each polls only the accounts it holds, never one the other holds; a
// worker whose renewals stop counts its accounts as held only until the
// TTL after the last renewal; a worker that leaves gives its accounts to
// the other at its next renewal.
func TestKeeperHoldsItsShare(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	clock := &testClock{now: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	const ttl = 30 * time.Second
	accounts := []string{"k0", "k1", "k2", "k3"}
	keeper := func(id string) *lease.Keeper {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return lease.New(lease.Options{Store: st, ID: id, Instance: id, TTL: ttl, Accounts: accounts, Now: clock.Now})
	}
	held := func(k *lease.Keeper) []string {
		var out []string
		for _, a := range accounts {
			if k.Holds(a) {
				out = append(out, a)
			}
		}
		return out
	}
	step := func(d time.Duration, k *lease.Keeper, renew func(context.Context) error) {
		t.Helper()
		clock.Advance(d)
		if err := renew(ctx); err != nil {
			t.Fatalf("%s: %v", k.ID(), err)
		}
	}
	a, b := keeper("a"), keeper("b")
	step(0, a, a.Join)
	if got := held(a); !slices.Equal(got, accounts) {
		t.Fatalf("a alone holds %v, want every account", got)
	}
	step(time.Second, b, b.Join)
	if got := held(b); len(got) != 0 {
		t.Errorf("b at once holds %v, want none (a holds all)", got)
	}
	step(10*time.Second, a, a.Renew)
	step(time.Second, b, b.Renew)
	ga, gb := held(a), held(b)
	if !slices.Equal(ga, accounts[:2]) || !slices.Equal(gb, accounts[2:]) {
		t.Errorf("after balancing: a %v, b %v; want %v and %v", ga, gb, accounts[:2], accounts[2:])
	}
	// b's renewals stop (it hangs): it stops counting its accounts as its
	// own when its TTL has passed since its last renewal.
	step(10*time.Second, a, a.Renew)
	if !b.Alive() {
		t.Error("b 10 s after its heartbeat: not alive, want alive (its claims are its own)")
	}
	clock.Advance(19 * time.Second)
	if got := held(b); len(got) != 2 {
		t.Errorf("b 29 s after its renewal: holds %v, want its 2 still", got)
	}
	if b.Alive() {
		t.Error("b 29 s after its heartbeat (TTL 30 s): alive, want not (it must stop sending what it claimed)")
	}
	clock.Advance(time.Second)
	if got := held(b); len(got) != 0 {
		t.Errorf("b past its TTL: holds %v, want none", got)
	}
	step(0, a, a.Renew)
	if got := held(a); !slices.Equal(got, accounts) {
		t.Errorf("a after b's leases expired: holds %v, want every account", got)
	}
	// b comes back and a leaves: b takes everything at its next renewal.
	step(time.Second, b, b.Renew)
	if err := a.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if got := held(a); len(got) != 0 {
		t.Errorf("a after leaving holds %v", got)
	}
	step(time.Second, b, b.Renew)
	if got := held(b); !slices.Equal(got, accounts) {
		t.Errorf("b after a left: holds %v, want every account", got)
	}
}

// TestActionsNotSentAfterTheHeartbeatLapsed: a worker whose heartbeat is
// older than two thirds of the TTL (it could not reach the store) sends
// nothing it claimed, since another worker may take the claim over; once
// its heartbeat is renewed it sends.
func TestActionsNotSentAfterTheHeartbeatLapsed(t *testing.T) {
	r := newActRig(t)
	id, cid := r.add(t, "Ring mig, mitt personnummer är 811218-9876")
	a := r.queue(t, cid, moderation.ActHide)
	k := lease.New(lease.Options{Store: r.st, ID: "w1", Instance: "1", TTL: 30 * time.Second, Accounts: []string{r.key}, Now: r.clock.Now})
	if err := k.Join(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.exec = newClaimingExecutor(r.cfg, r.st, r.sup.client, r.ev, r.clock.Now, discardLogger(), k)
	r.clock.Advance(21 * time.Second)
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionPending || got.Attempts != 0 || r.emuComment(id).Hidden {
		t.Fatalf("heartbeat 21 s old (TTL 30 s): action %s with %d attempts, hidden %v; want pending, untouched", got.State, got.Attempts, r.emuComment(id).Hidden)
	}
	if err := k.Renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionDone || !r.emuComment(id).Hidden {
		t.Errorf("after the heartbeat: action %s (%s), hidden %v; want done and hidden", got.State, got.LastError, r.emuComment(id).Hidden)
	}
}
