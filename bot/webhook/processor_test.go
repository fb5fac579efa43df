package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/moderation"
)

const secret = "emulator-app-secret"

// hookClock is the rig's clock: the Graph client and the processor read
// it, and the client's waits move it on at once.
type hookClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *hookClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *hookClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *hookClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

type hookRig struct {
	clock   *hookClock
	emu     *emulator.Emulator
	store   *memStore
	proc    *Processor
	fbAcct  moderation.Account
	igAcct  moderation.Account
	postID  string
	mediaID string
}

func newHookRig(t *testing.T) *hookRig {
	t.Helper()
	sc, err := emulator.LoadScenario("sv")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{Scenario: sc, AppSecret: secret, WebhookBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	graph := httptest.NewServer(emu)
	emu.SetBaseURL(graph.URL + "/")
	r := &hookRig{emu: emu, clock: &hookClock{now: time.Now().UTC()}}
	tokens := map[string]string{}
	for _, a := range emu.Accounts() {
		switch a.Platform {
		case "facebook":
			if r.fbAcct.Key == "" {
				r.fbAcct = moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: a.ID, Status: moderation.AccountActive}
				tokens["fb"] = a.Token
			}
		case "instagram":
			r.igAcct = moderation.Account{Key: "ig", Platform: moderation.Instagram, PlatformID: a.ID, Status: moderation.AccountActive}
			tokens["ig"] = a.Token
		}
	}
	r.store = newMemStore(r.fbAcct, r.igAcct)
	client := facebook.NewClient(facebook.ClientOptions{GraphURL: graph.URL, Version: "v23.0", AppSecret: secret, Tokens: tokens,
		Now: r.clock.Now, Sleep: r.clock.Sleep})
	r.proc = NewProcessor(ProcessorOptions{
		Store: r.store, Gone: facebook.IsGone, Now: r.clock.Now,
		Fetchers: map[moderation.Platform]Fetcher{
			moderation.Facebook:  facebook.New(facebook.Options{Client: client}),
			moderation.Instagram: instagram.New(instagram.Options{Client: client}),
		},
	})
	h := &Handler{Store: r.store, AppSecret: secret, VerifyToken: "vt", Received: r.proc.Wake}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/meta", h)
	hooks := httptest.NewServer(mux)
	t.Cleanup(func() { hooks.Close(); graph.Close(); emu.Close() })
	if err := emu.RegisterWebhook(context.Background(), emulator.WebhookRegistration{CallbackURL: hooks.URL + "/webhooks/meta", VerifyToken: "vt", SubscribeAll: true}); err != nil {
		t.Fatal(err)
	}
	for _, a := range emu.State("").Accounts {
		if len(a.Posts) == 0 {
			continue
		}
		if a.ID == r.fbAcct.PlatformID {
			r.postID = a.Posts[0].ID
		}
		if a.ID == r.igAcct.PlatformID {
			r.mediaID = a.Posts[0].ID
		}
	}
	return r
}

// waitEvents waits until n deliveries were stored, then processes them.
func (r *hookRig) waitEvents(t *testing.T, n int) Result {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.store.eventCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("stored deliveries: got %d, want %d", r.store.eventCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	res, err := r.proc.ProcessPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestProcessFacebookEvents(t *testing.T) {
	r := newHookRig(t)
	id, err := r.emu.AddComment(r.postID, "Test Testsson", "Första texten")
	if err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 1)
	if got := r.store.versions("fb", id); got != 1 {
		t.Fatalf("versions after add: got %d, want 1", got)
	}
	if err := r.emu.EditComment(id, "Andra texten"); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 2)
	if got := r.store.versions("fb", id); got != 2 {
		t.Errorf("versions after edit: got %d, want 2", got)
	}
	// Duplicated and reordered deliveries change nothing more.
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookDuplicate, Count: 1})
	if err := r.emu.EditComment(id, "Andra texten"); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 4)
	if got := r.store.versions("fb", id); got != 2 {
		t.Errorf("versions after a duplicated same-text edit: got %d, want 2", got)
	}
	if err := r.emu.AuthorDelete(id); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 5)
	if got := r.store.state("fb", id); got != moderation.StateDeleted {
		t.Errorf("state after remove: got %q, want deleted", got)
	}
	for _, e := range r.store.events {
		if e.Error != "" {
			t.Errorf("event %d: %s", e.ID, e.Error)
		}
	}
}

// TestEditedPayloadRecordedWhileThrottled edits a stored comment while
// Meta's rate limit refuses the fetch for ten minutes: the edited text in
// the delivery is a version at once, the delivery waits for the limit's
// end without using up attempts, and is then fetched once and finished.
func TestEditedPayloadRecordedWhileThrottled(t *testing.T) {
	r := newHookRig(t)
	id, err := r.emu.AddComment(r.postID, "Test Testsson", "Första texten")
	if err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 1)
	r.emu.InjectFault(emulator.Fault{Code: 80001, Method: "GET", Path: "/{comment}", Count: 1, RegainMinutes: 10})
	if err := r.emu.EditComment(id, "Ändrad text med 19121212-1212"); err != nil {
		t.Fatal(err)
	}
	res := r.waitEvents(t, 2)
	if got, want := r.store.texts("fb", id), []string{"Första texten", "Ändrad text med 19121212-1212"}; !slices.Equal(got, want) {
		t.Fatalf("versions while throttled: got %q, want %q", got, want)
	}
	if res.Events != 0 || res.Deferred != 1 {
		t.Errorf("while throttled: got %+v, want the delivery kept back", res)
	}
	ev := r.store.event(2)
	if ev.Done || ev.Attempts != 0 || ev.NextAttemptAt.Before(r.clock.Now().Add(9*time.Minute)) {
		t.Errorf("delivery while throttled: got %+v, want it waiting about 10 minutes with no attempt counted", ev)
	}
	// Wakes before the limit's end (each new delivery wakes the processor)
	// send nothing and use up nothing.
	r.emu.ResetStats()
	for range 10 {
		r.clock.Advance(30 * time.Second)
		if res, err := r.proc.ProcessPending(context.Background()); err != nil || res.Requests != 0 || res.Events != 0 {
			t.Fatalf("wake while throttled: got %+v, %v, want nothing done", res, err)
		}
	}
	if got := r.emu.Stats().Total; got != 0 {
		t.Errorf("Graph calls while throttled: got %d, want 0", got)
	}
	if ev := r.store.event(2); ev.Done || ev.Attempts != 0 {
		t.Errorf("delivery after early wakes: got %+v, want it waiting, no attempt counted", ev)
	}
	r.clock.Advance(6 * time.Minute)
	res, err = r.proc.ProcessPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 1 || res.Requests != 1 || res.NewVersions != 0 {
		t.Errorf("after the limit: got %+v, want the delivery finished with one fetch and no new version", res)
	}
	if ev := r.store.event(2); !ev.Done || ev.Error != "" {
		t.Errorf("delivery after the limit: got %+v, want done without error", ev)
	}
}

// TestFailedDeliveryBacksOffAndIsKept fails the fetch with a plain error:
// the delivery is tried again after a growing wait, its attempts kept in
// the store, and set aside only a day after it was received.
func TestFailedDeliveryBacksOffAndIsKept(t *testing.T) {
	clock := &hookClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	acct := moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Status: moderation.AccountActive}
	st := newMemStore(acct)
	f := &stubFetcher{err: errors.New("connection refused")}
	p := NewProcessor(ProcessorOptions{Store: st, Now: clock.Now, Fetchers: map[moderation.Platform]Fetcher{moderation.Facebook: f}})
	body := `{"object":"page","entry":[{"id":"1","time":1772442000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","message":"hej","created_time":1772442000}}]}]}`
	if _, err := st.SaveWebhookEvent(context.Background(), moderation.WebhookEvent{Object: "page", Body: []byte(body), ReceivedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for range 8 {
		if _, err := p.ProcessPending(context.Background()); err != nil {
			t.Fatal(err)
		}
		// A wake at the same moment does not try again.
		if res, err := p.ProcessPending(context.Background()); err != nil || res.Deferred != 0 {
			t.Fatalf("wake before the retry time: got %+v, %v, want nothing tried", res, err)
		}
		ev := st.event(1)
		if ev.Done {
			t.Fatalf("after %d attempts: the delivery was set aside, want it kept", ev.Attempts)
		}
		waits = append(waits, ev.NextAttemptAt.Sub(clock.Now()))
		clock.Advance(ev.NextAttemptAt.Sub(clock.Now()))
	}
	if got := st.event(1).Attempts; got != 8 || f.calls != 8 {
		t.Errorf("attempts: got %d in the store and %d fetches, want 8 and 8", got, f.calls)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] || waits[i] > 15*time.Minute {
			t.Errorf("waits %v: want them growing, at most 15 minutes", waits)
			break
		}
	}
	if got := st.texts("fb", "1_2"); !slices.Equal(got, []string{"hej"}) {
		t.Errorf("texts: got %q, want the delivery's text recorded", got)
	}
	clock.Advance(24 * time.Hour)
	if res, err := p.ProcessPending(context.Background()); err != nil || res.Events != 1 {
		t.Fatalf("a day later: got %+v, %v, want the delivery set aside", res, err)
	}
	if ev := st.event(1); !ev.Done || !strings.Contains(ev.Error, "connection refused") {
		t.Errorf("set aside: got %+v, want done with the error", ev)
	}
}

// TestDrainsBacklogWithoutTicks stores a burst of 350 deliveries: one
// ProcessPending (what one wake or tick runs) works through all of them,
// not one batch.
func TestDrainsBacklogWithoutTicks(t *testing.T) {
	acct := moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Status: moderation.AccountActive}
	st := newMemStore(acct)
	f := &stubFetcher{}
	p := NewProcessor(ProcessorOptions{Store: st, Tick: time.Hour, Fetchers: map[moderation.Platform]Fetcher{moderation.Facebook: f}})
	for i := range 350 {
		body := fmt.Sprintf(`{"object":"page","entry":[{"id":"1","time":1772442000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_%d","post_id":"1_1","message":"kommentar %[1]d"}}]}]}`, i+2)
		if _, err := st.SaveWebhookEvent(context.Background(), moderation.WebhookEvent{Object: "page", Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := p.ProcessPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 350 || res.NewVersions != 350 {
		t.Errorf("one round: got %+v, want all 350 deliveries finished and 350 versions", res)
	}
	if left, _ := st.PendingWebhookEvents(context.Background(), time.Time{}, 0); len(left) != 0 {
		t.Errorf("left: %d deliveries, want none", len(left))
	}
}

// stubFetcher answers every fetch at once: the comment as asked, with the
// text "fetched", or err.
type stubFetcher struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (f *stubFetcher) FetchComment(_ context.Context, a moderation.Account, postID, commentID string, source moderation.Source, n *int) (moderation.CommentObservation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	*n++
	if f.err != nil {
		return moderation.CommentObservation{}, f.err
	}
	return moderation.CommentObservation{AccountKey: a.Key, PostID: postID, PlatformID: commentID, Message: "kommentar " + commentID[2:], Source: source}, nil
}

func TestProcessReorderedAddAndEdit(t *testing.T) {
	r := newHookRig(t)
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookReorder, Count: 1})
	id, err := r.emu.AddComment(r.postID, "Test Testsson", "Ursprunglig text")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.emu.EditComment(id, "Redigerad text"); err != nil {
		t.Fatal(err)
	}
	r.waitEvents(t, 2)
	// The edit arrived first: its text and the fetched one are one version.
	// The late add finds the comment stored and fetches the same text: no
	// version is stored twice, and the newest text stays the latest version.
	if got := r.store.versions("fb", id); got != 1 {
		t.Errorf("versions: got %d, want 1", got)
	}
	if got := r.store.state("fb", id); got != moderation.StateVisible {
		t.Errorf("state: got %q, want visible", got)
	}
}

func TestProcessInstagramComment(t *testing.T) {
	r := newHookRig(t)
	id, err := r.emu.AddComment(r.mediaID, "Test Testsson", "Snygg bild!")
	if err != nil {
		t.Fatal(err)
	}
	res := r.waitEvents(t, 1)
	if got := r.store.versions("ig", id); got != 1 {
		t.Errorf("versions: got %d, want 1", got)
	}
	if res.Requests != 1 {
		t.Errorf("Graph requests: got %d, want 1 (the fetch)", res.Requests)
	}
}

// FuzzProcess feeds arbitrary (already verified) bodies to the processor:
// it must never panic, and never store a comment without an id.
func FuzzProcess(f *testing.F) {
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","time":1700000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","parent_id":"1_1","message":"hej","created_time":1700000000}}]}]}`))
	f.Add([]byte(`{"object":"instagram","entry":[{"id":"9","changes":[{"field":"comments","value":{"id":"5","text":"x","media":{"id":"7"}}}]}]}`))
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"hide","comment_id":"1_2"}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		st := newMemStore(
			moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Status: moderation.AccountActive},
			moderation.Account{Key: "ig", Platform: moderation.Instagram, PlatformID: "9", Status: moderation.AccountActive},
		)
		p := NewProcessor(ProcessorOptions{Store: st})
		if _, err := st.SaveWebhookEvent(context.Background(), moderation.WebhookEvent{Object: "page", Body: body}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.ProcessPending(context.Background()); err != nil {
			t.Fatal(err)
		}
		for k := range st.comments {
			if strings.HasSuffix(k, "/") {
				t.Fatalf("stored a comment without an id: %q", k)
			}
		}
	})
}
