package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/poller"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// syntheticScenario writes a scenario of facebook pages with posts ×
// comments each and no replies, for measurements.
func syntheticScenario(t testing.TB, pages, posts, comments int) *emulator.Scenario {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: Mätkommun\nlanguage: sv\nseed: 7\ndays: 300\naccounts:\n")
	for i := range pages {
		fmt.Fprintf(&b, "  - {key: p%d, platform: facebook, id: \"%d\", name: Sida %d, token: EMU-tok-%d, posts: %d, comments_per_post: [%d, %d], reply_percent: 0}\n",
			i, 1094820000000000+i, i, i, posts, comments, comments)
	}
	b.WriteString("authors: [\"Anna Ek\", \"Bo Ek\", \"Cia Ek\"]\nposts: [\"Ett inlägg om vägarbeten\", \"Ett inlägg om biblioteket\"]\n")
	b.WriteString("comments: [\"Bra information\", \"Tack för svaret\", \"När öppnar det?\", \"Vad kostar det?\"]\n")
	sc, err := emulator.ParseScenario("synthetic", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// harness is the supervision side wired as the service wires it, on the
// rig's clock, with its store open.
type harness struct {
	*supRig
	st  store
	sup *supervision
	// What the cycles met: polls that failed, accounts skipped as disconnected.
	failed, skipped int
}

func newHarness(t testing.TB, r *supRig) *harness {
	t.Helper()
	cfg, err := loadConfigFile(r)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(context.Background(), cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sup, err := openSupervision(context.Background(), cfg, st, discardLogger(), supervisionOptions{Now: r.clock.Now, Sleep: r.clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{supRig: r, st: st, sup: sup}
}

// cycle polls every account once, as the poller's workers would.
func (h *harness) cycle(force bool) (requests int) {
	for _, key := range h.sup.keys {
		rep, err := h.sup.poller.PollAccount(context.Background(), key, force)
		requests += rep.Requests
		if err != nil {
			h.failed++
		}
		if rep.Skipped != "" {
			h.skipped++
		}
	}
	return requests
}

func TestReconcileRequestsNearMinimum(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 comments: not in -short")
	}
	r := newSupRig(t, syntheticScenario(t, 1, 1000, 20))
	h := newHarness(t, r)
	key := h.sup.keys[0]
	r.emu.ResetStats()
	rep, err := h.sup.poller.PollAccount(context.Background(), key, true)
	if err != nil {
		t.Fatal(err)
	}
	poll := 1 // the cheap poll that runs first in the cycle (its window holds few posts)
	reconcile := r.emu.Stats().Total - poll
	minimum := 10 // 1,000 posts at 100 a page, each with its 20 comments inline
	t.Logf("reconcile of 1,000 posts × 20 comments: %d requests (minimum %d); cycle total %d; stored %d comments", reconcile, minimum, rep.Requests, rep.NewComments)
	if reconcile > minimum+minimum/10 {
		t.Errorf("reconcile requests: got %d, want at most %d (10 %% over the minimum)", reconcile, minimum+minimum/10)
	}
	if rep.NewComments != 20000 {
		t.Errorf("stored comments: got %d, want 20000", rep.NewComments)
	}
	// A second reconcile of an unchanged page stores nothing and costs the same.
	r.emu.ResetStats()
	rep, err = h.sup.poller.PollAccount(context.Background(), key, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NewVersions != 0 || rep.Changes != 0 || r.emu.Stats().Total-poll > minimum+minimum/10 {
		t.Errorf("unchanged reconcile: %d new versions, %d changes, %d requests", rep.NewVersions, rep.Changes, r.emu.Stats().Total-poll)
	}
}

func TestFaultsNothingMissedNothingStoredTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("fault harness: not in -short")
	}
	r := newSupRig(t, loadSV(t))
	h := newHarness(t, r)
	ctx := context.Background()
	hooks := httptest.NewServer(h.sup.webhook)
	defer hooks.Close()
	if err := r.emu.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: hooks.URL, VerifyToken: rigVerify, SubscribeAll: true}); err != nil {
		t.Fatal(err)
	}
	h.cycle(true)

	var fbID, igID string
	var targets []string // posts and media that get new comments
	for _, a := range r.emu.State("").Accounts {
		if a.Platform == "facebook" {
			fbID = a.ID
		} else {
			igID = a.ID
		}
		// The newest post (inside the cheap poll's window) and an old one
		// (seen only by webhooks and the reconcile pass).
		targets = append(targets, a.Posts[0].ID, a.Posts[len(a.Posts)/2].ID)
	}
	r.emu.InjectFault(emulator.Fault{Code: 2, Method: "GET", Probability: 0.10})              // 10 % 5xx
	r.emu.InjectFault(emulator.Fault{Code: 80001, Account: fbID, Count: 3, RegainMinutes: 2}) // rate-limit burst
	r.emu.InjectFault(emulator.Fault{Code: 4, Count: 2, RegainMinutes: 1})
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookDuplicate, Probability: 0.2})
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookReorder, Probability: 0.2})
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookDrop, Probability: 0.1})

	rng := rand.New(rand.NewPCG(3, 4))
	var added []string
	deleted := map[string]bool{}
	for round := range 30 {
		for i := range 4 {
			parent := targets[rng.IntN(len(targets))]
			if len(added) > 0 && i == 3 {
				parent = added[rng.IntN(len(added))] // a reply
			}
			id, err := r.emu.AddComment(parent, fmt.Sprintf("Person %d", rng.IntN(50)), fmt.Sprintf("Kommentar %d.%d", round, i))
			if err == nil {
				added = append(added, id)
			}
		}
		if len(added) > 4 {
			_ = r.emu.EditComment(added[rng.IntN(len(added)-4)], fmt.Sprintf("Redigerad i runda %d", round))
		}
		if round%3 == 2 {
			victim := added[rng.IntN(len(added)-4)]
			if r.emu.AuthorDelete(victim) == nil {
				deleted[victim] = true
			}
		}
		switch round {
		case 10: // the page token is revoked (the Instagram account uses it too)
			r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: igID, Count: 1})
		case 20: // Meta restores it; the poller's probe finds out by itself
			r.emu.ResetTokens("")
		}
		r.clock.Advance(15 * time.Minute)
		h.cycle(false)
		if _, err := h.sup.hooks.ProcessPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.emu.ClearFaults()
	waitDeliveries(r.emu)
	if _, err := h.sup.hooks.ProcessPending(ctx); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour)
	h.cycle(true) // the daily reconcile pass

	keyOf := map[string]string{}
	for key, a := range r.keys {
		keyOf[a.ID] = key
	}
	var missed, twice, neverSeen, comments, versions int
	for _, a := range r.emu.State("").Accounts {
		for _, p := range a.Posts {
			deletedHere := map[string]bool{}
			for _, c := range p.Comments {
				deletedHere[c.ID] = c.Deleted
			}
			for _, c := range p.Comments {
				comments++
				stored, err := h.st.CommentByPlatformID(ctx, keyOf[a.ID], c.ID)
				// Deleting a comment deletes its replies on the platform.
				if c.Deleted || deletedHere[c.ParentID] {
					switch {
					case err != nil:
						neverSeen++ // deleted before any poll or delivery saw it
					case stored.State != moderation.StateDeleted:
						missed++
						t.Errorf("%s: deleted on the platform, %s in the store", c.ID, stored.State)
					}
					continue
				}
				if err != nil {
					missed++
					t.Errorf("%s: not stored: %v", c.ID, err)
					continue
				}
				vs, err := h.st.CommentVersions(ctx, stored.ID)
				if err != nil {
					t.Fatal(err)
				}
				versions += len(vs)
				hashes := map[string]bool{}
				for _, v := range vs {
					if hashes[v.Hash] {
						twice++
					}
					hashes[v.Hash] = true
				}
				if len(vs) > c.Edits+1 {
					twice++
					t.Errorf("%s: %d versions for %d edits", c.ID, len(vs), c.Edits)
				}
				if last := vs[len(vs)-1].Message; last != c.Message {
					missed++
					t.Errorf("%s: latest stored text is not the platform's", c.ID)
				}
				if want := map[bool]moderation.CommentState{true: moderation.StateHidden, false: moderation.StateVisible}[c.Hidden]; stored.State != want {
					missed++
					t.Errorf("%s: state %s, platform hidden=%v", c.ID, stored.State, c.Hidden)
				}
			}
		}
	}
	stats, err := h.st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events := r.emu.State("").Deliveries
	t.Logf("faults met: %d failed account polls, %d polls skipped while disconnected, %d webhook delivery attempts, %d Graph requests in all",
		h.failed, h.skipped, len(events), r.emu.Stats().Total)
	if h.failed == 0 || h.skipped == 0 {
		t.Errorf("the faults did not bite: %d failed polls, %d skipped", h.failed, h.skipped)
	}
	if stats.Pending != stats.Versions {
		twice++
		t.Errorf("work items %d for %d versions: each version must enter the pipeline exactly once", stats.Pending, stats.Versions)
	}
	t.Logf("faults: %d comments on the platform (%d added in the run, %d deleted by authors, %d of those never seen alive), %d versions stored; missed %d, stored twice %d",
		comments, len(added), len(deleted), neverSeen, versions, missed, twice)
	if missed != 0 || twice != 0 {
		t.Errorf("missed %d, stored twice %d; want 0 and 0", missed, twice)
	}
}

// waitDeliveries waits until the emulator's webhook deliveries stop.
func waitDeliveries(emu *emulator.Emulator) {
	last, still := -1, 0
	for still < 20 {
		n := len(emu.State("").Deliveries)
		if n == last {
			still++
		} else {
			still, last = 0, n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkIdlePoll200Accounts measures an idle poll cycle of 200 pages,
// one cycle per 15 minutes of the shared clock: requests per account (from
// the emulator's counters), CPU time and heap. The CPU time includes the
// emulator answering in the same process.
func BenchmarkIdlePoll200Accounts(b *testing.B) {
	r := newSupRig(b, syntheticScenario(b, 200, 20, 5))
	h := newHarness(b, r)
	h.cycle(true)
	r.emu.ResetStats()
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	for b.Loop() {
		r.clock.Advance(15 * time.Minute) // the office-hours interval: Meta's usage windows see a real pace
		h.cycle(false)
	}
	b.StopTimer()
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(b.N)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	calls := r.emu.Stats().ByAccount
	perAccount := make([]int, 0, len(calls))
	for _, n := range calls {
		perAccount = append(perAccount, n)
	}
	slices.Sort(perAccount)
	b.ReportMetric(float64(r.emu.Stats().Total)/float64(b.N*len(h.sup.keys)), "requests/account")
	b.ReportMetric(float64(perAccount[len(perAccount)-1])/float64(b.N), "max-requests/account")
	b.ReportMetric(float64(cpu.Milliseconds()), "cpu-ms/cycle")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}

// BenchmarkWebhookLatency measures comment posted in the emulator → stored
// in SQLite through the webhook path (delivery, signature check, persist,
// processor fetch, RecordComment), with the processor running as in the
// service.
func BenchmarkWebhookLatency(b *testing.B) {
	r := newSupRig(b, loadSV(b))
	cfg, err := loadConfigFile(r)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sup, err := openSupervision(ctx, cfg, st, discardLogger(), supervisionOptions{})
	if err != nil {
		b.Fatal(err)
	}
	hooks := httptest.NewServer(sup.webhook)
	defer hooks.Close()
	done := make(chan error, 1)
	go func() { done <- sup.hooks.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := r.emu.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: hooks.URL, VerifyToken: rigVerify, SubscribeAll: true}); err != nil {
		b.Fatal(err)
	}
	var fbKey, postID string
	for key, a := range r.keys {
		if a.Platform == "facebook" {
			fbKey = key
			postID = r.emu.State(a.ID).Accounts[0].Posts[0].ID
		}
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		id, err := r.emu.AddComment(postID, "Mätare", fmt.Sprintf("Latens %d", i))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := st.CommentByPlatformID(ctx, fbKey, id); err == nil {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func loadConfigFile(r *supRig) (*config.Config, error) {
	return config.Load(r.cfgPath, func(k string) string { return r.env[k] })
}

// TestStuckAccountDoesNotBlockOthers runs the poller's own loop with two
// workers while one page answers only after a long delay: the other pages
// are all polled, and the stuck one ends with a timeout in its schedule.
func TestStuckAccountDoesNotBlockOthers(t *testing.T) {
	r := newSupRig(t, syntheticScenario(t, 6, 3, 2))
	h := newHarness(t, r)
	var stuckKey string
	for key := range r.keys {
		if stuckKey == "" || key < stuckKey {
			stuckKey = key
		}
	}
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultDelay, Account: r.keys[stuckKey].ID, Delay: emulator.Duration{Duration: time.Minute}})
	p := poller.New(poller.Options{
		Store: h.st, Connectors: h.sup.connectors, Workers: 2, Tick: 10 * time.Millisecond,
		PollTimeout: 300 * time.Millisecond, Now: r.clock.Now,
		Interval: func(moderation.Account, moderation.Schedule, time.Time) time.Duration { return time.Hour },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	polled := func() (ok, stuck int, stuckErr string) {
		for _, key := range h.sup.keys {
			sc, err := h.st.Schedule(context.Background(), key)
			if err != nil || sc.LastPollAt.IsZero() {
				continue
			}
			if key == stuckKey {
				stuck, stuckErr = 1, sc.LastError
			} else if sc.LastError == "" {
				ok++
			}
		}
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, stuck, _ := polled()
		if ok == len(h.sup.keys)-1 && stuck == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ok, stuck, stuckErr := polled()
	if ok != len(h.sup.keys)-1 {
		t.Errorf("healthy accounts polled: got %d, want %d", ok, len(h.sup.keys)-1)
	}
	if stuck != 1 || !strings.Contains(stuckErr, "deadline") {
		t.Errorf("stuck account: polled %d, last error %q; want a timeout", stuck, stuckErr)
	}
}

// BenchmarkPollLatency measures comment posted → stored through the poll
// path alone (no webhooks), with the poller's own loop polling one page
// every second in crisis mode. The target is p99 < interval + 1 s.
func BenchmarkPollLatency(b *testing.B) {
	const every = time.Second
	r := newSupRigClock(b, syntheticScenario(b, 1, 5, 2), &testClock{real: true})
	h := newHarness(b, r)
	key := h.sup.keys[0]
	ctx, cancel := context.WithCancel(context.Background())
	if err := poller.SetCrisis(ctx, h.st, key, every, time.Now().Add(time.Hour), time.Now()); err != nil {
		b.Fatal(err)
	}
	p := poller.New(poller.Options{
		Store: h.st, Connectors: h.sup.connectors, Tick: 20 * time.Millisecond,
		Interval: func(_ moderation.Account, s moderation.Schedule, _ time.Time) time.Duration { return s.CrisisEvery },
	})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	postID := r.emu.State(r.keys[key].ID).Accounts[0].Posts[0].ID
	rng := rand.New(rand.NewPCG(5, 6))
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		time.Sleep(time.Duration(rng.Int64N(int64(every)))) // post at a random moment of the interval
		start := time.Now()
		id, err := r.emu.AddComment(postID, "Mätare", fmt.Sprintf("Polllatens %d", i))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := h.st.CommentByPlatformID(ctx, key, id); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(every.Milliseconds()), "interval-ms")
}
