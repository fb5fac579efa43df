package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/chaos"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// harness is one chaos campaign: the emulator, serve, and the work folder.
type harness struct {
	o       options
	dir     string
	cfgPath string
	cfg     *config.Config
	evDir   string
	web     string // serve's address, host:port
	em      *emulator.Emulator
	emSrv   *http.Server
	emLog   *os.File
	serve   *child
	serveLg *os.File
	keys    map[string]string // emulator account id → uppsikt account key
	verify  string            // the webhook verify token
	started time.Time

	mu     sync.Mutex
	rng    *mrand.Rand
	counts counts
}

type counts struct {
	kills, faults, approvals, chromiumKills, evidenceOutages int
	regainUntil                                              time.Time // the end of the longest rate limit injected
}

// result is what a campaign found.
type result struct {
	counts
	report     chaos.Report
	verifyOK   bool
	deliveries int
	unplanned  int
	took       time.Duration
}

const reviewerName = "chaos.reviewer"

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6s] %s\n", time.Since(h.started).Round(time.Second), fmt.Sprintf(format, args...))
}

func (h *harness) randDur(lo, hi time.Duration) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return lo + time.Duration(h.rng.Int64N(int64(hi-lo)+1))
}

func (h *harness) randN(n int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rng.IntN(n)
}

func (h *harness) count(f func(c *counts)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.counts)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// newHarness makes the work folder, starts the emulator and writes serve's
// configuration, its secrets and a moderator.
func newHarness(ctx context.Context, o options) (*harness, error) {
	h := &harness{o: o, started: time.Now(), rng: mrand.New(mrand.NewPCG(uint64(o.seed), 0x6368616f73)), verify: randomHex(12)}
	if _, err := os.Stat(o.bin); err != nil {
		return nil, fmt.Errorf("the uppsikt binary: %w (make build)", err)
	}
	var err error
	if o.dir != "" {
		h.dir, err = filepath.Abs(o.dir)
		if err == nil {
			err = os.MkdirAll(h.dir, 0o700)
		}
	} else {
		h.dir, err = os.MkdirTemp("", "uppsikt-chaos-")
	}
	if err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	// A copy of the binary: a rebuild of bin/uppsikt during the run must
	// not change what is restarted.
	bin, err := os.ReadFile(o.bin)
	if err != nil {
		return h, fmt.Errorf("the uppsikt binary: %w", err)
	}
	h.o.bin = filepath.Join(h.dir, "uppsikt")
	if err := os.WriteFile(h.o.bin, bin, 0o700); err != nil {
		return h, err
	}
	if h.emLog, err = os.Create(filepath.Join(h.dir, "emulator.log")); err != nil {
		return h, err
	}
	if h.serveLg, err = os.Create(filepath.Join(h.dir, "serve.log")); err != nil {
		return h, err
	}
	sc, err := emulator.LoadScenario(o.scenario)
	if err != nil {
		return h, err
	}
	secret := randomHex(16)
	h.em, err = emulator.New(emulator.Options{Scenario: sc, AppID: "1000000000000", AppSecret: secret, Seed: o.seed,
		Logger: slog.New(slog.NewTextHandler(h.emLog, &slog.HandlerOptions{Level: slog.LevelWarn})), DeliveryLog: 1 << 20})
	if err != nil {
		return h, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return h, fmt.Errorf("emulator: %w", err)
	}
	base := "http://" + ln.Addr().String() + "/"
	h.em.SetBaseURL(base)
	h.emSrv = &http.Server{Handler: h.em, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(slog.NewTextHandler(h.emLog, nil), slog.LevelWarn)}
	go h.emSrv.Serve(ln)

	if h.web, err = freeAddr(); err != nil {
		return h, err
	}
	secrets := filepath.Join(h.dir, "secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		return h, err
	}
	write := func(name, value string) (string, error) {
		return filepath.Join("secrets", name), os.WriteFile(filepath.Join(secrets, name), []byte(value+"\n"), 0o600)
	}
	ec := config.EmulatorConfig{Municipality: "Chaos kommun", Country: "se", Language: "sv", GraphURL: base, AppID: "1000000000000",
		DataDir: "data", Listen: h.web, Interval: "15s", OfficeHours: "00:00-24:00", Webhooks: true, TokenProbeEvery: "20s", Log: "info text",
		// A short grace for undoing approvals: the reviewer's last
		// approvals are carried out before the run settles.
		UndoGrace: "2s"}
	p, err := write("app_secret", secret)
	if err != nil {
		return h, err
	}
	ec.AppSecretRef = "app_secret_file: " + p
	if p, err = write("verify_token", h.verify); err != nil {
		return h, err
	}
	ec.VerifyTokenRef = "webhook_verify_token_file: " + p
	h.keys = map[string]string{}
	for _, a := range h.em.Accounts() {
		key := config.EmulatorAccountKey(a.Name, a.Platform)
		h.keys[a.ID] = key
		if p, err = write(key+".token", a.Token); err != nil {
			return h, err
		}
		ec.Accounts = append(ec.Accounts, config.EmulatorAccount{Key: key, Platform: a.Platform, ID: a.ID, Name: a.Name, Language: a.Language, TokenRef: "token_file: " + p})
	}
	yaml, err := ec.YAML()
	if err != nil {
		return h, err
	}
	h.cfgPath = filepath.Join(h.dir, "uppsikt.yaml")
	if err := os.WriteFile(h.cfgPath, yaml, 0o600); err != nil {
		return h, err
	}
	if h.cfg, err = config.Load(h.cfgPath, os.Getenv); err != nil {
		return h, fmt.Errorf("the generated configuration: %w", err)
	}
	h.evDir = h.cfg.Paths.Evidence
	password := randomHex(12)
	if err := h.uppsikt(ctx, strings.NewReader(password+"\n"), "user", "add", "-config", h.cfgPath, "-role", "moderator", reviewerName); err != nil {
		return h, err
	}
	if err := os.WriteFile(filepath.Join(secrets, "reviewer_password"), []byte(password), 0o600); err != nil {
		return h, err
	}
	h.serve = &child{bin: h.o.bin, cfg: h.cfgPath, log: h.serveLg}
	h.logf("work folder %s, emulator %s, serve on %s, seed %d", h.dir, base, h.web, o.seed)
	return h, nil
}

// uppsikt runs a one-shot subcommand of the binary, its output into
// serve's log.
func (h *harness) uppsikt(ctx context.Context, stdin io.Reader, args ...string) error {
	cmd := exec.CommandContext(ctx, h.o.bin, args...)
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = h.serveLg, h.serveLg
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("uppsikt %s: %w (see %s)", strings.Join(args, " "), err, h.serveLg.Name())
	}
	return nil
}

// close stops everything; remove deletes the work folder.
func (h *harness) close(remove bool) {
	if h.serve != nil {
		h.serve.kill()
	}
	if h.emSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h.emSrv.Shutdown(ctx)
		cancel()
	}
	if h.em != nil {
		h.em.Close()
	}
	h.restoreEvidence()
	for _, f := range []*os.File{h.emLog, h.serveLg} {
		if f != nil {
			f.Close()
		}
	}
	if remove && h.dir != "" {
		os.RemoveAll(h.dir)
	}
}

// health is serve's /healthz.
type health = review.Health

func (h *harness) health(ctx context.Context) (health, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+h.web+"/healthz", nil)
	if err != nil {
		return health{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return health{}, err
	}
	defer resp.Body.Close()
	// The body is JSON whatever the status: 200 ok, 503 degraded (an
	// account disconnected, work stalled: expected under chaos) or 503
	// unavailable (the store does not answer), which alone is an error.
	var hz health
	if err := json.NewDecoder(resp.Body).Decode(&hz); err != nil {
		return hz, fmt.Errorf("/healthz: %s: %w", resp.Status, err)
	}
	if hz.Status == "unavailable" || hz.Status == "" {
		return hz, fmt.Errorf("/healthz: %s, status %q", resp.Status, hz.Status)
	}
	return hz, nil
}

// startServe starts serve and waits until it answers /healthz.
func (h *harness) startServe(ctx context.Context) error {
	for {
		if err := h.serve.start(); err != nil {
			return err
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := h.health(ctx); err == nil {
				return nil
			}
			if _, ok := h.serve.running(); !ok {
				break // it exited at start (the evidence folder is away): again
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return err
			}
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// campaign runs the warm-up, the chaos phase, the settling and the checks.
func (h *harness) campaign(ctx context.Context) (result, error) {
	var res result
	if err := h.startServe(ctx); err != nil {
		return res, errf("start serve", err)
	}
	if err := h.em.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: "http://" + h.web + "/webhooks/meta",
		VerifyToken: h.verify, SubscribeAll: true}); err != nil {
		return res, errf("register the webhook", err)
	}
	h.logf("serve is up, webhooks registered; warming up")
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	var live sync.WaitGroup
	live.Go(func() { h.em.RunLive(liveCtx, h.o.rate) })
	if err := sleep(ctx, 15*time.Second); err != nil {
		return res, errf("warm-up", err)
	}

	phase := max(60*time.Second, time.Duration(h.o.kills)*6*time.Second)
	h.logf("chaos phase: %s, %d kills", phase, h.o.kills)
	if err := h.chaos(ctx, phase); err != nil {
		return res, errf("chaos phase", err)
	}

	h.logf("settling: live mode stopped, faults cleared")
	stopLive()
	live.Wait()
	h.em.ClearFaults()
	h.em.ResetTokens("")
	h.restoreEvidence()
	if err := h.settle(ctx); err != nil {
		return res, errf("settle", err)
	}

	st, err := sqlite.Open(ctx, h.cfg.Paths.Database)
	if err != nil {
		return res, errf("open the store", err)
	}
	state := h.em.State("")
	window := h.cfg.Schedules[config.DefaultSchedule].ReconcileWindow.D()
	res.report, err = chaos.Check(ctx, chaos.Input{State: state, Store: st, Keys: h.keys, HideThenReview: h.cfg.Actions.HideThenReview,
		Since: time.Now().Add(-window + time.Hour)})
	st.Close()
	if err != nil {
		return res, errf("check", err)
	}
	res.deliveries = len(state.Deliveries)
	os.WriteFile(filepath.Join(h.dir, "details.txt"), []byte(strings.Join(res.report.Details, "\n")+"\n"), 0o600)
	res.verifyOK = h.uppsikt(ctx, nil, "verify", "-config", h.cfgPath) == nil
	h.mu.Lock()
	res.counts = h.counts
	h.mu.Unlock()
	res.unplanned = h.serve.unplannedExits()
	res.took = time.Since(h.started)
	return res, nil
}

// chaos kills serve at h.o.kills random moments of the phase and
// restarts it, while faults, an evidence outage, Chromium kills and a
// reviewer's approvals run beside it.
func (h *harness) chaos(ctx context.Context, phase time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, phase)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { h.faultLoop(pctx) })
	wg.Go(func() { h.watchdog(pctx) })
	wg.Go(func() { h.reviewLoop(pctx) })
	wg.Go(func() {
		if sleep(pctx, time.Duration(float64(phase)*(0.2+0.2*float64(h.randN(100))/100))) == nil {
			h.evidenceOutage(pctx, h.randDur(10*time.Second, 20*time.Second))
		}
	})
	wg.Go(func() {
		for _, at := range []float64{0.45, 0.8} {
			if sleep(pctx, time.Until(start.Add(time.Duration(float64(phase)*at)))) != nil {
				return
			}
			h.killChromium(pctx)
		}
	})
	// The kills, one in each of h.o.kills equal slices of the phase. A
	// slot that finds serve down (it exits at start while the evidence
	// folder is away) starts it and kills it once it answers; a kill that
	// could not be made is made after the phase, a few seconds apart.
	var err error
	slot := phase / time.Duration(max(h.o.kills, 1))
	owed := 0
	for i := 0; i < h.o.kills && err == nil; i++ {
		at := start.Add(time.Duration(i)*slot + h.randDur(slot/5, slot*4/5))
		if err = sleep(pctx, time.Until(at)); err != nil {
			owed += h.o.kills - i
			break
		}
		if !h.killServe(pctx) {
			owed++
		}
	}
	if err == nil || errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		sleep(pctx, time.Until(start.Add(phase)))
		err = nil
	}
	late, stopLate := context.WithTimeout(ctx, 90*time.Second)
	for ; owed > 0 && err == nil; owed-- {
		if err = sleep(late, h.randDur(2*time.Second, 5*time.Second)); err == nil && !h.killServe(late) {
			err = sleep(late, time.Second)
			owed++
		}
	}
	stopLate()
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	h.mu.Lock()
	h.logf("chaos phase over: %d kills, %d faults, %d approvals", h.counts.kills, h.counts.faults, h.counts.approvals)
	h.mu.Unlock()
	return nil
}

// killServe SIGKILLs serve, waiting (up to 10 s) for it to run when it is
// down, and restarts it after 0.2-2 s. It reports whether it killed it.
func (h *harness) killServe(ctx context.Context) bool {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := h.serve.running(); ok {
			break
		}
		h.serve.start()
		if time.Now().After(deadline) || sleep(ctx, 500*time.Millisecond) != nil {
			return false
		}
	}
	killed := h.serve.kill()
	if killed {
		h.count(func(c *counts) { c.kills++ })
	}
	sleep(ctx, h.randDur(200*time.Millisecond, 2*time.Second))
	h.serve.start()
	return killed
}

// watchdog restarts serve when it has been down for 3 s without being
// killed on purpose: it exits at start while the evidence folder is away.
func (h *harness) watchdog(ctx context.Context) {
	var down time.Time
	for sleep(ctx, 500*time.Millisecond) == nil {
		if _, ok := h.serve.running(); ok {
			down = time.Time{}
			continue
		}
		if down.IsZero() {
			down = time.Now()
		}
		if time.Since(down) > 3*time.Second {
			h.serve.start()
			down = time.Time{}
		}
	}
}

// faults are the platform's failures the campaign injects, one at a time.
func (h *harness) faultMenu() []struct {
	name   string
	faults func() []emulator.Fault
	token  bool // a revoked token: Meta accepts it again at the end
	regain bool // a rate limit of a minute
} {
	var fb, ig string
	for _, a := range h.em.Accounts() {
		if a.Platform == "facebook" && fb == "" {
			fb = a.ID
		}
		if a.Platform == "instagram" && ig == "" {
			ig = a.ID
		}
	}
	type entry = struct {
		name   string
		faults func() []emulator.Fault
		token  bool
		regain bool
	}
	one := func(f emulator.Fault) func() []emulator.Fault {
		return func() []emulator.Fault { return []emulator.Fault{f} }
	}
	menu := []entry{
		{"5xx", one(emulator.Fault{Code: 2, HTTPStatus: 503, Probability: 0.5}), false, false},
		{"500 unknown error", one(emulator.Fault{Code: 1, Probability: 0.4}), false, false},
		{"HTML 502", one(emulator.Fault{Kind: emulator.FaultHTML, HTTPStatus: 502, Probability: 0.4}), false, false},
		{"connection reset", one(emulator.Fault{Kind: emulator.FaultReset, Probability: 0.3}), false, false},
		{"rate limit 4", one(emulator.Fault{Code: 4, Count: 3, RegainMinutes: 1}), false, true},
		{"rate limit 17", one(emulator.Fault{Code: 17, Count: 3, RegainMinutes: 1}), false, true},
		{"rate limit 32", one(emulator.Fault{Code: 32, Account: fb, Count: 3, RegainMinutes: 1}), false, true},
		{"rate limit 613", one(emulator.Fault{Code: 613, Count: 3, RegainMinutes: 1}), false, true},
		{"rate limit 80001", one(emulator.Fault{Code: 80001, Account: fb, Count: 3, RegainMinutes: 1}), false, true},
		{"slow answers", one(emulator.Fault{Kind: emulator.FaultDelay, Delay: emulator.Duration{Duration: 3 * time.Second}, Probability: 0.2}), false, false},
		{"webhooks duplicated, reordered, dropped", func() []emulator.Fault {
			return []emulator.Fault{{Kind: emulator.FaultWebhookDuplicate, Probability: 0.3}, {Kind: emulator.FaultWebhookReorder, Probability: 0.3},
				{Kind: emulator.FaultWebhookDrop, Probability: 0.2}}
		}, false, false},
		{"token revoked (190)", one(emulator.Fault{Code: 190, Subcode: 460, Account: fb, Count: 1}), true, false},
	}
	if ig != "" {
		menu = append(menu, entry{"rate limit 80002", one(emulator.Fault{Code: 80002, Account: ig, Count: 3, RegainMinutes: 1}), false, true})
	}
	return menu
}

// faultLoop injects one fault after another: each for 8-15 s, then a gap.
// Every kind comes once before any comes again.
func (h *harness) faultLoop(ctx context.Context) {
	menu := h.faultMenu()
	var order []int
	for ctx.Err() == nil {
		if len(order) == 0 {
			order = make([]int, len(menu))
			for i := range order {
				order[i] = i
			}
			h.mu.Lock()
			h.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			h.mu.Unlock()
		}
		f := menu[order[0]]
		order = order[1:]
		for _, x := range f.faults() {
			h.em.InjectFault(x)
		}
		h.count(func(c *counts) {
			c.faults++
			if f.regain {
				c.regainUntil = time.Now().Add(70 * time.Second)
			}
		})
		h.logf("fault: %s", f.name)
		err := sleep(ctx, h.randDur(8*time.Second, 15*time.Second))
		h.em.ClearFaults()
		if f.token {
			h.em.ResetTokens("") // Meta accepts the token again
		}
		if err != nil || sleep(ctx, h.randDur(2*time.Second, 6*time.Second)) != nil {
			return
		}
	}
}

// evidencePath is where the evidence folder waits while it is away.
func (h *harness) evidenceAway() string { return h.evDir + ".away" }

// evidenceOutage makes the evidence folder unwritable for d: the folder is
// renamed away and a file put in its place, so that writing into it fails
// even for root.
func (h *harness) evidenceOutage(ctx context.Context, d time.Duration) {
	if err := os.Rename(h.evDir, h.evidenceAway()); err != nil {
		h.logf("evidence outage not started: %v", err)
		return
	}
	if err := os.WriteFile(h.evDir, []byte("not a folder: uppsikt-chaos made the evidence folder unwritable\n"), 0o600); err != nil {
		h.logf("evidence outage: %v", err)
	}
	h.count(func(c *counts) { c.faults++; c.evidenceOutages++ })
	h.logf("fault: evidence folder unwritable for %s", d.Round(time.Second))
	sleep(ctx, d)
	h.restoreEvidence()
	h.logf("evidence folder back")
}

// restoreEvidence puts the evidence folder back when it is away.
func (h *harness) restoreEvidence() {
	if h.evDir == "" {
		return
	}
	if _, err := os.Stat(h.evidenceAway()); err != nil {
		return
	}
	if fi, err := os.Lstat(h.evDir); err == nil && !fi.IsDir() {
		os.Remove(h.evDir)
	}
	if err := os.Rename(h.evidenceAway(), h.evDir); err != nil {
		h.logf("evidence folder not restored: %v", err)
	}
}

// killChromium waits (up to 30 s) for serve's browser to have a capture
// open and kills the browser processes by pid.
func (h *harness) killChromium(ctx context.Context) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if pid, ok := h.serve.running(); ok {
			tree := descendants(pid)
			if bs := browsers(pid, tree); len(bs) > 0 && renderers(pid, tree) > 0 {
				for _, b := range bs {
					syscall.Kill(b, syscall.SIGKILL)
				}
				h.count(func(c *counts) { c.faults++; c.chromiumKills++ })
				h.logf("fault: chromium killed (pids %v)", bs)
				return
			}
		}
		if sleep(ctx, 100*time.Millisecond) != nil {
			return
		}
	}
	h.logf("chromium kill skipped: no capture running")
}

// reviewLoop approves an open case every 10-20 s, as a moderator would.
func (h *harness) reviewLoop(ctx context.Context) {
	pw, err := os.ReadFile(filepath.Join(h.dir, "secrets", "reviewer_password"))
	if err != nil {
		return
	}
	rv := newReviewer("http://"+h.web, reviewerName, string(pw))
	for sleep(ctx, h.randDur(10*time.Second, 20*time.Second)) == nil {
		ok, err := rv.approveOne(ctx)
		if ok {
			h.count(func(c *counts) { c.approvals++ })
		}
		if _, up := h.serve.running(); err != nil && up && ctx.Err() == nil {
			h.logf("approval not made: %v", err)
		}
	}
}

// settle lets the service finish: the longest rate limit waited out, the
// webhook deliveries retried, everything drained; then a reconcile pass
// with serve stopped and serve again until nothing is pending, repeated
// while the drain still changed the platform.
func (h *harness) settle(ctx context.Context) error {
	begun := time.Now()
	if err := h.startServe(ctx); err != nil {
		return err
	}
	// Pending actions wait out their rate limits; the emulator retries a
	// failed webhook delivery for about 16 s; both must be over before the
	// reconcile pass.
	h.mu.Lock()
	until := h.counts.regainUntil
	h.mu.Unlock()
	until = maxTime(until, begun.Add(20*time.Second))
	for round := 1; ; round++ {
		if err := h.drain(ctx); err != nil {
			return err
		}
		if wait := time.Until(until); wait > 0 {
			h.logf("waiting %s for rate limits and webhook retries", wait.Round(time.Second))
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			if err := h.drain(ctx); err != nil {
				return err
			}
		}
		if h.late(ctx) {
			h.logf("no time left for a reconcile pass")
			return h.serve.stop(30 * time.Second)
		}
		actions := len(h.em.State("").Actions)
		if err := h.serve.stop(30 * time.Second); err != nil {
			h.logf("%v", err)
		}
		h.logf("reconcile pass %d", round)
		if err := h.uppsikt(ctx, nil, "poll", "-config", h.cfgPath, "-once", "-reconcile"); err != nil {
			h.logf("%v", err)
		}
		if h.late(ctx) {
			return nil
		}
		if err := h.startServe(ctx); err != nil {
			return err
		}
		if err := h.drain(ctx); err != nil {
			return err
		}
		after := len(h.em.State("").Actions)
		if err := h.serve.stop(30 * time.Second); err != nil {
			h.logf("%v", err)
		}
		if after == actions || round == 3 || h.late(ctx) {
			if after != actions && !h.late(ctx) {
				// The platform changed after the last reconcile pass: one
				// more, with serve stopped, so that the store has seen it.
				h.logf("final reconcile pass")
				if err := h.uppsikt(ctx, nil, "poll", "-config", h.cfgPath, "-once", "-reconcile"); err != nil {
					h.logf("%v", err)
				}
			}
			return nil
		}
		if err := h.startServe(ctx); err != nil {
			return err
		}
	}
}

// late reports whether less than the time the checks need is left.
func (h *harness) late(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < 75*time.Second
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// drain waits until serve's /healthz shows nothing pending and no account
// disconnected, twice in a row a second apart, or until 45 s before the
// run's limit (the checks then count what is left as stalled).
func (h *harness) drain(ctx context.Context) error {
	deadline, _ := ctx.Deadline()
	deadline = deadline.Add(-75 * time.Second)
	quiet := 0
	var last health
	report := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if time.Now().After(report) {
			h.logf("draining: %+v", last)
			report = time.Now().Add(30 * time.Second)
		}
		if _, ok := h.serve.running(); !ok {
			if err := h.startServe(ctx); err != nil {
				return err
			}
		}
		hz, err := h.health(ctx)
		if err == nil {
			last = hz
			if hz.WorkPending == 0 && hz.ActionsPending == 0 && hz.WebhooksPending == 0 && hz.AccountsDisconnected == 0 {
				if quiet++; quiet == 2 {
					return nil
				}
			} else {
				quiet = 0
			}
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	h.logf("drain stopped at the time limit: %+v", last)
	return nil
}
