package facebook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
)

const testSecret = "emulator-app-secret"

// fakeClock is a clock that Sleep moves forward, so that waits cost no time.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

// Advance moves the clock forward without counting it as a wait.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Duration
	for _, d := range c.slept {
		t += d
	}
	return t
}

type rig struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	clock *fakeClock
	conn  *Connector
	fb    []moderation.Account // the scenario's Facebook pages as uppsikt accounts
}

// newRig starts the emulator with the embedded Swedish scenario over HTTP
// and a Connector pointed at it.
func newRig(t *testing.T) *rig {
	t.Helper()
	sc, err := emulator.LoadScenario("sv")
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
	emu, err := emulator.New(emulator.Options{Scenario: sc, AppSecret: testSecret, RequireAppsecretProof: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	emu.SetBaseURL(srv.URL + "/")
	t.Cleanup(func() { srv.Close(); emu.Close() })
	r := &rig{emu: emu, srv: srv, clock: clock}
	tokens := map[string]string{}
	for _, a := range emu.Accounts() {
		key := a.Platform + "-" + a.ID
		tokens[key] = a.Token
		if a.Platform == "facebook" {
			r.fb = append(r.fb, moderation.Account{Key: key, Platform: moderation.Facebook, PlatformID: a.ID, Status: moderation.AccountActive})
		}
	}
	if len(r.fb) == 0 {
		t.Fatal("scenario has no Facebook page")
	}
	client := NewClient(ClientOptions{GraphURL: srv.URL, Version: "v23.0", AppSecret: testSecret, Tokens: tokens,
		Now: clock.Now, Sleep: clock.Sleep, BaseBackoff: 100 * time.Millisecond})
	r.conn = New(Options{Client: client, Now: clock.Now})
	return r
}

func TestIdlePollCostsOneRequest(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, a := range r.fb {
		first, err := r.conn.Poll(ctx, a, moderation.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Posts) == 0 {
			t.Fatalf("%s: first poll saw no posts in the window", a.Key)
		}
		r.emu.ResetStats()
		res, err := r.conn.Poll(ctx, a, first.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.emu.Stats().ByAccount[a.PlatformID]; got != 1 {
			t.Errorf("%s: emulator counted %d requests for an idle poll, want 1", a.Key, got)
		}
		if res.Requests != 1 {
			t.Errorf("%s: PollResult.Requests got %d, want 1", a.Key, res.Requests)
		}
		if len(res.Comments) != len(first.Comments) {
			t.Errorf("%s: idle poll saw %d comments, first poll %d", a.Key, len(res.Comments), len(first.Comments))
		}
	}
}

// collect runs a reconcile walk and returns what it emitted.
func collect(t *testing.T, r *rig, a moderation.Account, known map[string]moderation.CommentState, knownPost map[string]string) (moderation.PollResult, int) {
	t.Helper()
	var all moderation.PollResult
	o := moderation.ReconcileOptions{
		Since:  r.clock.Now().Add(-400 * 24 * time.Hour),
		Source: moderation.SourceReconcile,
		Emit: func(_ context.Context, res moderation.PollResult) error {
			all.Posts = append(all.Posts, res.Posts...)
			all.Comments = append(all.Comments, res.Comments...)
			all.Changes = append(all.Changes, res.Changes...)
			return nil
		},
	}
	if known != nil {
		o.Known = func(_ context.Context, postID string) (map[string]moderation.CommentState, error) {
			out := map[string]moderation.CommentState{}
			for id, st := range known {
				if knownPost[id] == postID {
					out[id] = st
				}
			}
			return out, nil
		}
	}
	n, err := r.conn.Reconcile(context.Background(), a, o)
	if err != nil {
		t.Fatal(err)
	}
	return all, n
}

func TestReconcileFindsEditsHidesAndDeletions(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	first, _ := collect(t, r, a, nil, nil)
	if len(first.Comments) < 10 {
		t.Fatalf("first walk saw %d comments, want a scenario with more", len(first.Comments))
	}
	known := map[string]moderation.CommentState{}
	knownPost := map[string]string{}
	for _, c := range first.Comments {
		known[c.PlatformID] = moderation.StateVisible
		knownPost[c.PlatformID] = c.PostID
	}
	// An old comment is edited by its author, another deleted by its author,
	// a third hidden by another admin through the API.
	old := first.Comments[len(first.Comments)-1]
	deleted := first.Comments[len(first.Comments)-2]
	hidden := first.Comments[len(first.Comments)-3]
	if err := r.emu.EditComment(old.PlatformID, "Ändrad text efter publicering"); err != nil {
		t.Fatal(err)
	}
	if err := r.emu.AuthorDelete(deleted.PlatformID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.conn.Client().Post(context.Background(), a, "/"+hidden.PlatformID, fb.Params{"is_hidden": true}, nil); err != nil {
		t.Fatal(err)
	}
	second, _ := collect(t, r, a, known, knownPost)
	byID := map[string]moderation.CommentObservation{}
	for _, c := range second.Comments {
		byID[c.PlatformID] = c
	}
	if got := byID[old.PlatformID].Message; got != "Ändrad text efter publicering" {
		t.Errorf("edited comment: got %q, want the new text", got)
	}
	if !byID[hidden.PlatformID].Hidden {
		t.Errorf("hidden comment: got Hidden false, want true")
	}
	if _, ok := byID[deleted.PlatformID]; ok {
		t.Errorf("deleted comment still observed")
	}
	var dels []string
	for _, c := range second.Changes {
		if c.State == moderation.StateDeleted {
			dels = append(dels, c.PlatformID)
		}
	}
	if len(dels) != 1 || dels[0] != deleted.PlatformID {
		t.Errorf("deletions: got %v, want [%s]", dels, deleted.PlatformID)
	}
}

func TestTokenRevokedGivesTokenError(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: a.PlatformID, Count: 1})
	for i := range 2 {
		_, err := r.conn.Poll(context.Background(), a, moderation.Cursor{})
		var te *TokenError
		if !errors.As(err, &te) {
			t.Fatalf("poll %d: got %v, want a *TokenError", i, err)
		}
		if te.Subcode != 460 || te.Fingerprint != TokenFingerprint(r.conn.Client().Token(a.Key)) {
			t.Errorf("poll %d: got subcode %d fingerprint %q", i, te.Subcode, te.Fingerprint)
		}
		if got := NoteFingerprint(te.StatusNote()); got != te.Fingerprint {
			t.Errorf("NoteFingerprint: got %q, want %q", got, te.Fingerprint)
		}
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	r.emu.InjectFault(emulator.Fault{Code: 2, Path: "/{page}/feed", Count: 2})
	r.emu.ResetStats()
	res, err := r.conn.Poll(context.Background(), a, moderation.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 3 {
		t.Errorf("requests: got %d, want 3 (two failures, one success)", res.Requests)
	}
	if len(r.clock.slept) != 2 {
		t.Errorf("backoff waits: got %d, want 2", len(r.clock.slept))
	}
}

func TestRateLimitWaitsForRegain(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	r.emu.InjectFault(emulator.Fault{Code: 32, Path: "/{page}/feed", Count: 1, RegainMinutes: 1})
	if _, err := r.conn.Poll(context.Background(), a, moderation.Cursor{}); err != nil {
		t.Fatal(err)
	}
	if got := r.clock.total(); got < time.Minute {
		t.Errorf("waited %v, want at least the regain time of 1m", got)
	}
	// A longer throttle than MaxWait is not waited in place: the account is
	// refused without a request until it has passed.
	r.emu.InjectFault(emulator.Fault{Code: 80001, Path: "/{page}/feed", Count: 1, RegainMinutes: 30})
	_, err := r.conn.Poll(context.Background(), a, moderation.Cursor{})
	var th *ThrottledError
	if !errors.As(err, &th) {
		t.Fatalf("got %v, want a *ThrottledError", err)
	}
	r.emu.ResetStats()
	_, err = r.conn.Poll(context.Background(), a, moderation.Cursor{})
	if !errors.As(err, &th) {
		t.Fatalf("second poll: got %v, want a *ThrottledError", err)
	}
	if got := r.emu.Stats().Total; got != 0 {
		t.Errorf("calls while throttled: got %d, want 0", got)
	}
}

func TestUsageHeadersSlowDown(t *testing.T) {
	tests := []struct {
		name      string
		app, page int
		want      time.Duration
	}{
		{"low usage, no pause", 10, 20, 0},
		{"app at 80 percent", 80, 0, pauseSlow},
		{"page at 95 percent", 10, 95, pauseCrawl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-App-Usage", `{"call_count":`+strconv.Itoa(tt.app)+`,"total_time":1,"total_cputime":1}`)
				w.Header().Set("X-Business-Use-Case-Usage", `{"42":[{"type":"pages","call_count":`+strconv.Itoa(tt.page)+`,"total_time":1,"total_cputime":1,"estimated_time_to_regain_access":0}]}`)
				w.Write([]byte(`{"id":"42"}`))
			}))
			defer srv.Close()
			clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
			c := NewClient(ClientOptions{GraphURL: srv.URL, Version: "v23.0", Tokens: map[string]string{"k": "tok"}, Now: clock.Now, Sleep: clock.Sleep})
			a := moderation.Account{Key: "k", PlatformID: "42"}
			for range 2 {
				if _, err := c.Get(context.Background(), a, "/42", nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := clock.total(); got != tt.want {
				t.Errorf("waited %v before the second call, want %v", got, tt.want)
			}
		})
	}
}

func TestFetchDeletedCommentIsGone(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	res, err := r.conn.Poll(context.Background(), a, moderation.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Comments) == 0 {
		t.Fatal("no comments in the poll window of the scenario")
	}
	c := res.Comments[0]
	if _, err := r.conn.FetchComment(context.Background(), a, c.PostID, c.PlatformID, moderation.SourceWebhook, nil); err != nil {
		t.Fatalf("fetch live comment: %v", err)
	}
	if err := r.emu.AuthorDelete(c.PlatformID); err != nil {
		t.Fatal(err)
	}
	_, err = r.conn.FetchComment(context.Background(), a, c.PostID, c.PlatformID, moderation.SourceWebhook, nil)
	if !IsGone(err) {
		t.Errorf("fetch deleted comment: got %v, want IsGone", err)
	}
}

func TestNonJSONServerErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		wantErr  bool
		wantReqs int
	}{
		{"two 502 pages, then an answer", 2, false, 3},
		{"every attempt fails", 10, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls <= tt.failures {
					w.WriteHeader(http.StatusBadGateway)
					w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
					return
				}
				w.Write([]byte(`{"id":"42"}`))
			}))
			defer srv.Close()
			clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
			c := NewClient(ClientOptions{GraphURL: srv.URL, Version: "v23.0", Tokens: map[string]string{"k": "tok"}, Now: clock.Now, Sleep: clock.Sleep})
			n := 0
			_, err := c.Get(context.Background(), moderation.Account{Key: "k", PlatformID: "42"}, "/42", nil, &n)
			if (err != nil) != tt.wantErr {
				t.Errorf("error: got %v, want error %v", err, tt.wantErr)
			}
			if n != tt.wantReqs || calls != tt.wantReqs {
				t.Errorf("requests: got %d counted, %d served, want %d", n, calls, tt.wantReqs)
			}
			if len(clock.slept) != tt.wantReqs-1 {
				t.Errorf("backoff waits: got %d, want %d", len(clock.slept), tt.wantReqs-1)
			}
		})
	}
}

// TestOutageBacksOffPerAccount: while Meta answers one page with 5xx, the
// client does not multiply its requests by its retries at every poll: after
// the first failed call each call makes one attempt, the page is paused for
// a growing time (returned as RetryAt, so the poller reschedules), other
// accounts are called as usual, and the first answer ends the pause.
func TestOutageBacksOffPerAccount(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	page := r.fb[0]
	var other moderation.Account
	tokens := map[string]string{}
	for _, a := range r.emu.Accounts() {
		tokens[a.Platform+"-"+a.ID] = a.Token
		if a.Platform == "instagram" {
			other = moderation.Account{Key: a.Platform + "-" + a.ID, Platform: moderation.Instagram, PlatformID: a.ID}
		}
	}
	// The client as the service makes it: default retries and backoff.
	r.conn = New(Options{Client: NewClient(ClientOptions{GraphURL: r.srv.URL, Version: "v23.0", AppSecret: testSecret, Tokens: tokens,
		Now: r.clock.Now, Sleep: r.clock.Sleep}), Now: r.clock.Now})
	if _, err := r.conn.Poll(ctx, page, moderation.Cursor{}); err != nil {
		t.Fatal(err)
	}
	r.emu.ResetStats()
	r.emu.InjectFault(emulator.Fault{Code: 2, HTTPStatus: 503, Account: page.PlatformID})
	const polls = 10
	for i := range polls {
		_, err := r.conn.Poll(ctx, page, moderation.Cursor{})
		var retry interface{ RetryAt() time.Time }
		if !errors.As(err, &retry) {
			t.Fatalf("poll %d during the outage: got %v, want an error with RetryAt", i, err)
		}
		if !retry.RetryAt().After(r.clock.Now()) {
			t.Errorf("poll %d: RetryAt %v is not after now %v", i, retry.RetryAt(), r.clock.Now())
		}
		if _, err := r.conn.Client().Get(ctx, other, "/"+other.PlatformID, fb.Params{"fields": "id"}, nil); err != nil {
			t.Errorf("poll %d: the other account: %v", i, err)
		}
		r.clock.Advance(time.Minute)
	}
	st := r.emu.Stats()
	t.Logf("%d polls a minute apart during an outage: %d requests for the failing page", polls, st.ByAccount[page.PlatformID])
	if got := st.ByAccount[page.PlatformID]; got > polls {
		t.Errorf("requests for the failing page over %d polls: got %d, want at most %d (one per poll when healthy)", polls, got, polls)
	}
	if got := st.ByAccount[other.PlatformID]; got != polls {
		t.Errorf("requests for the other account: got %d, want %d", got, polls)
	}
	// Meta answers again: after the pause the page is polled as before.
	r.emu.ClearFaults()
	r.clock.Advance(15 * time.Minute)
	r.emu.ResetStats()
	if _, err := r.conn.Poll(ctx, page, moderation.Cursor{}); err != nil {
		t.Fatalf("poll after the outage: %v", err)
	}
	r.emu.InjectFault(emulator.Fault{Code: 2, Account: page.PlatformID, Count: 1})
	if _, err := r.conn.Poll(ctx, page, moderation.Cursor{}); err != nil {
		t.Errorf("a single 5xx after recovery is retried in place: got %v", err)
	}
}
