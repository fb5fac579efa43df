package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// LeaseBackend is a store several workers share.
type LeaseBackend interface {
	moderation.Store
	moderation.WorkerStore
}

// RunLeases runs the contract of moderation.LeaseStore and
// moderation.ClaimStore. open must return a new, empty store each time;
// RunLeases closes it. Times are given to every call, so no test sleeps.
func RunLeases(t *testing.T, open func(t *testing.T) LeaseBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s LeaseBackend)
	}{
		{"workers/live until the heartbeat's TTL has passed", testWorkersLive},
		{"workers/the same id from another instance is a clash", testWorkerClash},
		{"leases/one worker holds every account", testLeasesOneWorker},
		{"leases/a new worker gets its fair share, no account held twice", testLeasesShare},
		{"leases/balancing again changes nothing", testLeasesStable},
		{"leases/a dead worker's accounts are taken after the TTL", testLeasesTakeover},
		{"leases/leaving gives everything back at once", testLeasesLeave},
		{"leases/an account left out of the list is given back", testLeasesDropped},
		{"leases/a job's lease is held by one worker", testJobLease},
		{"claims/a worker without a heartbeat cannot claim", testClaimNeedsHeartbeat},
		{"claims/two workers claiming at once get disjoint work", testClaimWorkDisjoint},
		{"claims/a dead worker's claim is taken over", testClaimTakeover},
		{"claims/a heartbeat keeps the claims", testClaimHeartbeat},
		{"claims/released items are claimed again; done ones are not", testClaimRelease},
		{"claims/items of one comment stay with one worker", testClaimSameComment},
		{"claims/actions: disjoint, only on active accounts", testClaimActions},
		{"claims/a comment's actions stay with one worker", testClaimActionsSameComment},
		{"claims/webhook deliveries: disjoint, taken over after the TTL", testClaimWebhooks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			for _, a := range []moderation.Account{
				{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen", UpdatedAt: t0},
				{Key: "skolan", Platform: moderation.Facebook, PlatformID: "1002", Name: "Skolan", UpdatedAt: t0},
			} {
				if err := s.UpsertAccount(context.Background(), a); err != nil {
					t.Fatalf("UpsertAccount: %v", err)
				}
			}
			tc.fn(t, s)
		})
	}
}

const leaseTTL = 30 * time.Second

// sec is t0 plus n seconds.
func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func beat(t *testing.T, s LeaseBackend, id string, now time.Time) {
	t.Helper()
	if _, err := s.Heartbeat(context.Background(), moderation.Worker{ID: id, Instance: id + "-1"}, now, leaseTTL); err != nil {
		t.Fatalf("Heartbeat(%s): %v", id, err)
	}
}

// balance beats and balances, as a worker's round does.
func balance(t *testing.T, s LeaseBackend, id string, names []string, now time.Time) []string {
	t.Helper()
	beat(t, s, id, now)
	held, err := s.BalanceLeases(context.Background(), id, names, now, leaseTTL)
	if err != nil {
		t.Fatalf("BalanceLeases(%s): %v", id, err)
	}
	return held
}

func accountNames(n int) []string {
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("%s%02d", moderation.LeaseAccountPrefix, i))
	}
	return names
}

// holders maps every unexpired lease at now to its holder and checks that
// every name in names is held by at most one worker.
func holders(t *testing.T, s LeaseBackend, now time.Time) map[string]string {
	t.Helper()
	ls, err := s.Leases(context.Background())
	if err != nil {
		t.Fatalf("Leases: %v", err)
	}
	got := map[string]string{}
	for _, l := range ls {
		if !l.ExpiresAt.After(now) {
			continue
		}
		if prev, ok := got[l.Name]; ok {
			t.Fatalf("lease %s held by %s and %s", l.Name, prev, l.Holder)
		}
		got[l.Name] = l.Holder
	}
	return got
}

func counts(h map[string]string) map[string]int {
	c := map[string]int{}
	for _, w := range h {
		c[w]++
	}
	return c
}

func testWorkersLive(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(10))
	ws, err := s.Workers(ctx, sec(20))
	if err != nil || len(ws) != 2 || ws[0].ID != "a" || ws[1].ID != "b" {
		t.Fatalf("Workers(20s): got %+v, %v; want a and b", ws, err)
	}
	sameTime(t, "a's SeenAt", ws[0].SeenAt, sec(0))
	sameTime(t, "a's ExpiresAt", ws[0].ExpiresAt, sec(30))
	ws, err = s.Workers(ctx, sec(30))
	if err != nil || len(ws) != 1 || ws[0].ID != "b" {
		t.Errorf("Workers(30s): got %+v, %v; want b only (a's heartbeat expired)", ws, err)
	}
	if _, err := s.Heartbeat(ctx, moderation.Worker{}, sec(0), leaseTTL); err == nil {
		t.Error("Heartbeat without an id: got no error")
	}
}

func testWorkerClash(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	for _, tc := range []struct {
		instance string
		at       time.Time
		want     int
	}{
		{"one", sec(0), 0},
		{"one", sec(10), 0},   // its own next heartbeat
		{"two", sec(20), 1},   // another process, while one is alive
		{"three", sec(55), 0}, // after two's heartbeat expired: a restart
	} {
		got, err := s.Heartbeat(ctx, moderation.Worker{ID: "w", Instance: tc.instance}, tc.at, leaseTTL)
		if err != nil || got != tc.want {
			t.Errorf("Heartbeat(instance %s at %v): got %d, %v; want %d", tc.instance, tc.at, got, err, tc.want)
		}
	}
}

func testLeasesOneWorker(t *testing.T, s LeaseBackend) {
	names := accountNames(5)
	got := balance(t, s, "a", names, sec(0))
	if !slices.Equal(got, names) {
		t.Errorf("BalanceLeases: got %v, want every account %v", got, names)
	}
	ls, err := s.Leases(context.Background())
	if err != nil || len(ls) != 5 {
		t.Fatalf("Leases: got %d, %v; want 5", len(ls), err)
	}
	sameTime(t, "ExpiresAt", ls[0].ExpiresAt, sec(30))
	// Renewed at the next balance.
	balance(t, s, "a", names, sec(10))
	ls, _ = s.Leases(context.Background())
	sameTime(t, "ExpiresAt after renewal", ls[0].ExpiresAt, sec(40))
	sameTime(t, "AcquiredAt after renewal", ls[0].AcquiredAt, sec(0))
}

func testLeasesShare(t *testing.T, s LeaseBackend) {
	names := accountNames(10)
	balance(t, s, "a", names, sec(0))
	// b appears: everything is held, so it gets nothing at once.
	if got := balance(t, s, "b", names, sec(1)); len(got) != 0 {
		t.Errorf("b's first balance: got %v, want nothing (a holds all)", got)
	}
	// a gives back what is over its share (ceil(10/2) = 5), b takes it.
	if got := balance(t, s, "a", names, sec(2)); !slices.Equal(got, names[:5]) {
		t.Errorf("a after b appeared: got %v, want %v", got, names[:5])
	}
	if got := balance(t, s, "b", names, sec(3)); !slices.Equal(got, names[5:]) {
		t.Errorf("b's second balance: got %v, want %v", got, names[5:])
	}
	// c appears: the share is ceil(10/3) = 4.
	balance(t, s, "c", names, sec(4))
	balance(t, s, "a", names, sec(5))
	balance(t, s, "b", names, sec(6))
	balance(t, s, "c", names, sec(7))
	h := holders(t, s, sec(7))
	if len(h) != 10 {
		t.Errorf("held: %d accounts, want all 10: %v", len(h), h)
	}
	for w, n := range counts(h) {
		if n > 4 {
			t.Errorf("worker %s holds %d accounts, more than its share of 4", w, n)
		}
	}
	if c := counts(h); c["c"] < 2 {
		t.Errorf("c holds %d accounts, want at least 2: %v", c["c"], c)
	}
}

func testLeasesStable(t *testing.T, s LeaseBackend) {
	names := accountNames(7)
	now := 0
	round := func() {
		for _, w := range []string{"a", "b", "c"} {
			now++
			balance(t, s, w, names, sec(now))
		}
	}
	round()
	round()
	before := holders(t, s, sec(now))
	for range 5 {
		round()
		if after := holders(t, s, sec(now)); !maps(before, after) {
			t.Fatalf("leases moved between rounds: %v then %v", before, after)
		}
	}
	if len(before) != 7 {
		t.Errorf("held: %v, want all 7 accounts", before)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testLeasesTakeover(t *testing.T, s LeaseBackend) {
	names := accountNames(6)
	balance(t, s, "a", names, sec(0))
	balance(t, s, "b", names, sec(1))
	balance(t, s, "a", names, sec(2))
	balance(t, s, "b", names, sec(3))
	if c := counts(holders(t, s, sec(3))); c["a"] != 3 || c["b"] != 3 {
		t.Fatalf("before a dies: %v, want 3 each", c)
	}
	// a dies after its balance at 2s; b keeps balancing every 10 s.
	if got := balance(t, s, "b", names, sec(13)); len(got) != 3 {
		t.Errorf("b at 13s (a still counted live): got %v, want its 3", got)
	}
	if got := balance(t, s, "b", names, sec(23)); len(got) != 3 {
		t.Errorf("b at 23s: got %v, want its 3", got)
	}
	// a's heartbeat and leases expired at 32 s.
	if got := balance(t, s, "b", names, sec(33)); !slices.Equal(got, names) {
		t.Errorf("b at 33s: got %v, want every account", got)
	}
	ws, _ := s.Workers(context.Background(), sec(33))
	if len(ws) != 1 || ws[0].ID != "b" {
		t.Errorf("Workers: got %+v, want b only", ws)
	}
}

func testLeasesLeave(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	names := accountNames(4)
	balance(t, s, "a", names, sec(0))
	balance(t, s, "b", names, sec(1))
	balance(t, s, "a", names, sec(2))
	if ok, err := s.AcquireLease(ctx, "job:yearly", "a", sec(2), leaseTTL); err != nil || !ok {
		t.Fatalf("AcquireLease: %v, %v", ok, err)
	}
	if err := s.Leave(ctx, "a"); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if got := balance(t, s, "b", names, sec(3)); !slices.Equal(got, names) {
		t.Errorf("b after a left: got %v, want every account at once", got)
	}
	if ok, err := s.AcquireLease(ctx, "job:yearly", "b", sec(3), leaseTTL); err != nil || !ok {
		t.Errorf("b's AcquireLease of a's job after a left: %v, %v; want true", ok, err)
	}
	if ws, _ := s.Workers(ctx, sec(3)); len(ws) != 1 {
		t.Errorf("Workers: %+v, want b only", ws)
	}
}

func testLeasesDropped(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	names := accountNames(3)
	balance(t, s, "a", names, sec(0))
	if ok, err := s.AcquireLease(ctx, "job:reports", "a", sec(0), leaseTTL); err != nil || !ok {
		t.Fatalf("AcquireLease: %v, %v", ok, err)
	}
	if got := balance(t, s, "a", names[:2], sec(1)); !slices.Equal(got, names[:2]) {
		t.Errorf("got %v, want %v", got, names[:2])
	}
	h := holders(t, s, sec(1))
	if _, ok := h[names[2]]; ok {
		t.Errorf("the account left out is still held: %v", h)
	}
	if h["job:reports"] != "a" {
		t.Errorf("the job's lease was given back by BalanceLeases: %v", h)
	}
}

func testJobLease(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	try := func(w string, at time.Time, want bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx, "job:yearly", w, at, leaseTTL)
		if err != nil || got != want {
			t.Errorf("AcquireLease(%s at %v): got %v, %v; want %v", w, at, got, err, want)
		}
	}
	try("a", sec(0), true)
	try("b", sec(1), false)
	try("a", sec(10), true) // renewed until 40 s
	try("b", sec(39), false)
	try("b", sec(40), true) // a did not renew: expired
	try("a", sec(41), false)
	if err := s.ReleaseLease(ctx, "job:yearly", "a"); err != nil {
		t.Fatalf("ReleaseLease by a non-holder: %v", err)
	}
	try("a", sec(42), false) // a's release did not free b's lease
	if err := s.ReleaseLease(ctx, "job:yearly", "b"); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	try("a", sec(43), true)
}

// queueWork records n comments (one work item each) and returns their ids.
func queueWork(t *testing.T, s LeaseBackend, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		r := record(t, s, obs(fmt.Sprintf("w%d", i), "text", 1))
		ids = append(ids, r.CommentID)
	}
	return ids
}

func claimWork(t *testing.T, s LeaseBackend, w string, now time.Time, limit int) []moderation.WorkItem {
	t.Helper()
	items, err := s.ClaimWork(context.Background(), w, now, limit)
	if err != nil {
		t.Fatalf("ClaimWork(%s): %v", w, err)
	}
	return items
}

func testClaimNeedsHeartbeat(t *testing.T, s LeaseBackend) {
	queueWork(t, s, 1)
	if _, err := s.ClaimWork(context.Background(), "a", sec(0), 10); err == nil {
		t.Error("ClaimWork without a heartbeat: got no error")
	}
	beat(t, s, "a", sec(0))
	if _, err := s.ClaimWork(context.Background(), "a", sec(31), 10); err == nil {
		t.Error("ClaimWork after the heartbeat expired: got no error")
	}
}

func testClaimWorkDisjoint(t *testing.T, s LeaseBackend) {
	const n = 40
	queueWork(t, s, n)
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	var (
		mu  sync.Mutex
		got = map[int64]string{}
		wg  sync.WaitGroup
	)
	for _, w := range []string{"a", "b"} {
		wg.Go(func() {
			for range n { // at most n rounds: each claims something or ends
				items, err := s.ClaimWork(context.Background(), w, sec(1), 3)
				if err != nil {
					t.Errorf("ClaimWork(%s): %v", w, err)
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					if prev, ok := got[it.ID]; ok {
						t.Errorf("item %d claimed by %s and %s", it.ID, prev, w)
					}
					got[it.ID] = w
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(got) != n {
		t.Errorf("claimed %d items, want all %d", len(got), n)
	}
	// Claimed items are still pending (not done) but nobody claims them again.
	if items := claimWork(t, s, "a", sec(2), 0); len(items) != 0 {
		t.Errorf("claim again: got %d items, want none", len(items))
	}
	if p := pendingCount(t, s); p != n {
		t.Errorf("PendingWork: %d, want %d (claimed is not done)", p, n)
	}
}

func testClaimTakeover(t *testing.T, s LeaseBackend) {
	queueWork(t, s, 3)
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	if items := claimWork(t, s, "a", sec(1), 0); len(items) != 3 {
		t.Fatalf("a claims: %d, want 3", len(items))
	}
	// b keeps beating, a has died.
	beat(t, s, "b", sec(20))
	if items := claimWork(t, s, "b", sec(29), 0); len(items) != 0 {
		t.Errorf("b before a's claims expire: got %d items, want none", len(items))
	}
	beat(t, s, "b", sec(30))
	items := claimWork(t, s, "b", sec(30), 0)
	if len(items) != 3 {
		t.Fatalf("b after a's claims expired: got %d items, want 3", len(items))
	}
	for i := 1; i < len(items); i++ {
		if items[i].ID < items[i-1].ID {
			t.Errorf("claimed items not oldest first: %v", items)
		}
	}
}

func testClaimHeartbeat(t *testing.T, s LeaseBackend) {
	queueWork(t, s, 2)
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	claimWork(t, s, "a", sec(1), 0)
	beat(t, s, "a", sec(20)) // a is alive: its claims now last until 50 s
	beat(t, s, "b", sec(40))
	if items := claimWork(t, s, "b", sec(40), 0); len(items) != 0 {
		t.Errorf("b while a is alive: got %d items, want none", len(items))
	}
}

func testClaimRelease(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	queueWork(t, s, 3)
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	items := claimWork(t, s, "a", sec(1), 0)
	if len(items) != 3 {
		t.Fatalf("a claims %d, want 3", len(items))
	}
	if err := s.CompleteWork(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.FailWork(ctx, items[1].ID, "browser gone", sec(60)); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseClaims(ctx, moderation.ClaimWork, "a"); err != nil {
		t.Fatalf("ReleaseClaims: %v", err)
	}
	got := claimWork(t, s, "b", sec(2), 0)
	if len(got) != 1 || got[0].ID != items[2].ID {
		t.Errorf("b after a released: got %v, want only item %d (one done, one waiting until 60 s)", got, items[2].ID)
	}
	if err := s.ReleaseClaims(ctx, moderation.ClaimKind("nonsense"), "a"); err == nil {
		t.Error("ReleaseClaims of an unknown queue: got no error")
	}
}

func testClaimSameComment(t *testing.T, s LeaseBackend) {
	r := record(t, s, obs("c1", "first", 1))
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	first := claimWork(t, s, "a", sec(1), 0)
	if len(first) != 1 || first[0].CommentID != r.CommentID {
		t.Fatalf("a claims: %v", first)
	}
	record(t, s, obs("c1", "edited", 2))
	record(t, s, obs("c2", "other", 2))
	got := claimWork(t, s, "b", sec(2), 0)
	if len(got) != 1 || got[0].CommentID == r.CommentID {
		t.Errorf("b claims %v, want only the other comment's item (a works on c1)", got)
	}
	// a may take its own comment's next version.
	if got := claimWork(t, s, "a", sec(3), 0); len(got) != 1 || got[0].CommentID != r.CommentID || got[0].Version != 2 {
		t.Errorf("a claims %v, want c1's version 2", got)
	}
}

func testClaimActions(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	var ids []int64
	for i, acct := range []string{"kommun", "kommun", "kommun", "skolan"} {
		o := obs(fmt.Sprintf("a%d", i), "text", 1)
		o.AccountKey = acct
		o.PostID = acct + "_1"
		r := record(t, s, o)
		a, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: r.CommentID, Kind: moderation.ActHide, CreatedAt: at(1)})
		if err != nil {
			t.Fatalf("EnqueueAction: %v", err)
		}
		ids = append(ids, a.ID)
	}
	if err := s.SetAccountStatus(ctx, "skolan", moderation.AccountDisconnected, "token"); err != nil {
		t.Fatal(err)
	}
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	a, err := s.ClaimActions(ctx, "a", sec(1), 2)
	if err != nil || len(a) != 2 || a[0].ID != ids[0] || a[1].ID != ids[1] {
		t.Fatalf("a claims: %v, %v; want actions %v", a, err, ids[:2])
	}
	b, err := s.ClaimActions(ctx, "b", sec(1), 0)
	if err != nil || len(b) != 1 || b[0].ID != ids[2] {
		t.Errorf("b claims: %v, %v; want only action %d (skolan is disconnected)", b, err, ids[2])
	}
	// The reply under way stays a's: kept pending, still claimed.
	if err := s.FinishAction(ctx, ids[0], moderation.ActionPending, "", "reply sent, answer not yet received"); err != nil {
		t.Fatal(err)
	}
	beat(t, s, "b", sec(20))
	if got, _ := s.ClaimActions(ctx, "b", sec(20), 0); len(got) != 0 {
		t.Errorf("b while a is alive: got %v, want none", got)
	}
	// a dies: b takes both of a's over after its TTL, with the attempt a counted.
	beat(t, s, "b", sec(31))
	got, err := s.ClaimActions(ctx, "b", sec(31), 0)
	if err != nil || len(got) != 2 || got[0].ID != ids[0] || got[0].Attempts != 1 {
		t.Errorf("b after a's TTL: got %+v, %v; want actions %v, the first with 1 attempt", got, err, ids[:2])
	}
}

func testClaimWebhooks(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	for i := range 4 {
		if _, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`), ReceivedAt: at(i)}); err != nil {
			t.Fatal(err)
		}
	}
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	a, err := s.ClaimWebhookEvents(ctx, "a", sec(1), 3)
	if err != nil || len(a) != 3 {
		t.Fatalf("a claims: %d, %v; want 3", len(a), err)
	}
	b, err := s.ClaimWebhookEvents(ctx, "b", sec(1), 0)
	if err != nil || len(b) != 1 || slices.ContainsFunc(a, func(e moderation.WebhookEvent) bool { return e.ID == b[0].ID }) {
		t.Fatalf("b claims: %v, %v; want the one a did not take", b, err)
	}
	if err := s.FinishWebhookEvent(ctx, a[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	beat(t, s, "b", sec(31))
	got, err := s.ClaimWebhookEvents(ctx, "b", sec(31), 0)
	var ids []string
	for _, e := range got {
		ids = append(ids, fmt.Sprint(e.ID))
	}
	if err != nil || len(got) != 2 || got[0].ID != a[1].ID {
		t.Errorf("b after a's TTL: got [%s], %v; want a's two unfinished deliveries", strings.Join(ids, " "), err)
	}
}

func testClaimActionsSameComment(t *testing.T, s LeaseBackend) {
	ctx := context.Background()
	r := record(t, s, obs("c1", "text", 1))
	other := record(t, s, obs("c2", "text", 1))
	hide, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: r.CommentID, Kind: moderation.ActHide, CreatedAt: at(1)})
	if err != nil {
		t.Fatal(err)
	}
	beat(t, s, "a", sec(0))
	beat(t, s, "b", sec(0))
	if got, err := s.ClaimActions(ctx, "a", sec(1), 0); err != nil || len(got) != 1 || got[0].ID != hide.ID {
		t.Fatalf("a claims: %v, %v; want the hide", got, err)
	}
	del, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: r.CommentID, Kind: moderation.ActDelete, CreatedAt: at(2)})
	if err != nil {
		t.Fatal(err)
	}
	hide2, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: other.CommentID, Kind: moderation.ActHide, CreatedAt: at(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimActions(ctx, "b", sec(2), 0); err != nil || len(got) != 1 || got[0].ID != hide2.ID {
		t.Errorf("b claims: %v, %v; want only the other comment's hide (a works on c1)", got, err)
	}
	if got, err := s.ClaimActions(ctx, "a", sec(3), 0); err != nil || len(got) != 1 || got[0].ID != del.ID {
		t.Errorf("a claims: %v, %v; want c1's delete", got, err)
	}
}
