package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/moderation"
)

const secret = "emulator-app-secret"

type hookRig struct {
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
	r := &hookRig{emu: emu}
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
	client := facebook.NewClient(facebook.ClientOptions{GraphURL: graph.URL, Version: "v23.0", AppSecret: secret, Tokens: tokens})
	r.proc = NewProcessor(ProcessorOptions{
		Store: r.store, Gone: facebook.IsGone,
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
