package emulator_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

// receiver verifies deliveries the way a Meta webhook endpoint must: the
// HMAC-SHA256 of the raw body with the app secret, compared in constant time.
type receiver struct {
	t           *testing.T
	secret      string
	verifyToken string
	failFirst   int // answer 500 to this many deliveries first

	mu         sync.Mutex
	handshakes int
	events     []map[string]any
	rejected   int
	outOfOrder bool
	arrived    chan struct{}
}

func newReceiver(t *testing.T, secret string) (*receiver, *httptest.Server) {
	r := &receiver{t: t, secret: secret, verifyToken: "uppsikt-verify", arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func verifySignature(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	gotRaw, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(gotRaw, m.Sum(nil))
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != rc.verifyToken {
			http.Error(w, "bad verify token", http.StatusForbidden)
			return
		}
		rc.handshakes++
		io.WriteString(w, q.Get("hub.challenge"))
	case http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		if rc.handshakes == 0 {
			rc.outOfOrder = true
		}
		if !verifySignature(rc.secret, body, r.Header.Get("X-Hub-Signature-256")) {
			rc.rejected++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			rc.arrived <- struct{}{}
			return
		}
		if rc.failFirst > 0 {
			rc.failFirst--
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			rc.t.Errorf("delivery is not JSON: %v", err)
		}
		rc.events = append(rc.events, ev)
		w.WriteHeader(http.StatusOK)
		rc.arrived <- struct{}{}
	}
}

func (rc *receiver) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		rc.mu.Lock()
		got := len(rc.events) + rc.rejected
		rc.mu.Unlock()
		if got >= n {
			break
		}
		select {
		case <-rc.arrived:
		case <-deadline:
			t.Fatalf("waited for %d deliveries, got %d", n, got)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.events...)
}

func register(t *testing.T, f *fixture, callback, verifyToken string) int {
	t.Helper()
	body, _ := json.Marshal(emulator.WebhookRegistration{CallbackURL: callback, VerifyToken: verifyToken})
	resp, err := http.Post(f.srv.URL+"/_emulator/webhooks", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func value(ev map[string]any) map[string]any {
	entry := ev["entry"].([]any)[0].(map[string]any)
	return entry["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)
}

func TestWebhookDelivery(t *testing.T) {
	f := newFixture(t, "sv")
	rc, hook := newReceiver(t, testAppSecret)
	if code := register(t, f, hook.URL+"/meta", "wrong-token"); code != 400 {
		t.Fatalf("registration with a wrong verify token: got %d, want 400", code)
	}
	if code := register(t, f, hook.URL+"/meta", rc.verifyToken); code != 200 {
		t.Fatalf("registration: got %d", code)
	}
	if _, err := f.sess.Post("/"+f.fb.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"}); err != nil {
		t.Fatal(err)
	}
	res, err := f.sess.Get("/"+f.fb.ID+"/subscribed_apps", nil)
	if err != nil || res.Get("data") == nil {
		t.Fatalf("subscribed_apps: %v %v", res, err)
	}
	postID, _ := f.firstThread(t)
	cid, err := f.emu.AddComment(postID, "Test Testsson", "Hej kommunen, när töms soptunnorna?")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.emu.EditComment(cid, "Hej kommunen, när töms soptunnorna på Bergsgatan?"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sess.Post("/"+cid, fb.Params{"is_hidden": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sess.Post("/"+cid, fb.Params{"is_hidden": false}); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.AuthorDelete(cid); err != nil {
		t.Fatal(err)
	}
	events := rc.wait(t, 5)
	var verbs []string
	for _, ev := range events {
		if ev["object"] != "page" {
			t.Errorf("object %v", ev["object"])
		}
		v := value(ev)
		verbs = append(verbs, v["verb"].(string))
		if v["item"] != "comment" || v["comment_id"] != cid || v["post_id"] != postID || v["parent_id"] != postID {
			t.Errorf("value %v", v)
		}
		if _, ok := v["created_time"].(float64); !ok {
			t.Errorf("created_time %v is not unix time", v["created_time"])
		}
	}
	if got, want := strings.Join(verbs, ","), "add,edited,hide,unhide,remove"; got != want {
		t.Errorf("verbs: got %s, want %s", got, want)
	}
	if m := value(events[1])["message"]; m != "Hej kommunen, när töms soptunnorna på Bergsgatan?" {
		t.Errorf("edited message %v", m)
	}
	if _, ok := value(events[4])["message"]; ok {
		t.Errorf("remove event carries the text")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.outOfOrder || rc.handshakes != 1 || rc.rejected != 0 {
		t.Errorf("handshakes %d, deliveries before handshake %v, rejected %d", rc.handshakes, rc.outOfOrder, rc.rejected)
	}
}

func TestWebhookWrongSecretFailsVerification(t *testing.T) {
	f := newFixture(t, "sv", func(o *emulator.Options) { o.WebhookRetries = 1; o.WebhookBackoff = time.Millisecond })
	rc, hook := newReceiver(t, "not-the-app-secret")
	if code := register(t, f, hook.URL, rc.verifyToken); code != 200 {
		t.Fatalf("registration: %d", code)
	}
	f.sess.Post("/"+f.fb.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"})
	postID, _ := f.firstThread(t)
	if _, err := f.emu.AddComment(postID, "A B", "hej"); err != nil {
		t.Fatal(err)
	}
	rc.wait(t, 1)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.rejected == 0 || len(rc.events) != 0 {
		t.Errorf("a body signed with the app secret verified with another secret: rejected %d, accepted %d", rc.rejected, len(rc.events))
	}
	body := []byte(`{"object":"page"}`)
	if !verifySignature(testAppSecret, body, emulator.SignBody(testAppSecret, body)) {
		t.Errorf("SignBody does not verify with its own secret")
	}
}

func TestWebhookNotSubscribed(t *testing.T) {
	f := newFixture(t, "sv")
	rc, hook := newReceiver(t, testAppSecret)
	register(t, f, hook.URL, rc.verifyToken)
	postID, _ := f.firstThread(t)
	f.emu.AddComment(postID, "A B", "först utan prenumeration")
	f.sess.Post("/"+f.fb.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"})
	f.emu.AddComment(postID, "A B", "sedan med")
	events := rc.wait(t, 1)
	time.Sleep(50 * time.Millisecond)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.events) != 1 || value(events[0])["message"] != "sedan med" {
		t.Errorf("events: %v", rc.events)
	}
}

func TestWebhookFaultsAndRetry(t *testing.T) {
	tests := []struct {
		name      string
		fault     string
		failFirst int
		want      []string
	}{
		{"in order", "", 0, []string{"ett", "två", "tre"}},
		{"duplicate", emulator.FaultWebhookDuplicate, 0, []string{"ett", "ett", "två", "tre"}},
		{"reorder", emulator.FaultWebhookReorder, 0, []string{"två", "ett", "tre"}},
		{"drop", emulator.FaultWebhookDrop, 0, []string{"två", "tre"}},
		{"retried after 500", "", 2, []string{"ett", "två", "tre"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "sv", func(o *emulator.Options) { o.WebhookBackoff = 5 * time.Millisecond })
			rc, hook := newReceiver(t, testAppSecret)
			rc.failFirst = tt.failFirst
			body, _ := json.Marshal(emulator.WebhookRegistration{CallbackURL: hook.URL, VerifyToken: rc.verifyToken, SubscribeAll: true})
			resp, err := http.Post(f.srv.URL+"/_emulator/webhooks", "application/json", strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if tt.fault != "" {
				f.emu.InjectFault(emulator.Fault{Kind: tt.fault, Count: 1})
			}
			postID, _ := f.firstThread(t)
			for _, m := range []string{"ett", "två", "tre"} {
				if _, err := f.emu.AddComment(postID, "A B", m); err != nil {
					t.Fatal(err)
				}
			}
			events := rc.wait(t, len(tt.want))
			time.Sleep(30 * time.Millisecond)
			rc.mu.Lock()
			events = append([]map[string]any(nil), rc.events...)
			rc.mu.Unlock()
			var got []string
			for _, ev := range events {
				got = append(got, value(ev)["message"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInstagramWebhook(t *testing.T) {
	f := newFixture(t, "sv")
	rc, hook := newReceiver(t, testAppSecret)
	register(t, f, hook.URL, rc.verifyToken)
	if _, err := f.session(f.ig.Token).Post("/"+f.ig.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "comments"}); err != nil {
		t.Fatal(err)
	}
	var mediaID string
	for _, a := range f.state(t).Accounts {
		if a.ID == f.ig.ID {
			mediaID = a.Posts[0].ID
		}
	}
	cid, err := f.emu.AddComment(mediaID, "Linnea Strand", "Så fint! 😍")
	if err != nil {
		t.Fatal(err)
	}
	ev := rc.wait(t, 1)[0]
	v := value(ev)
	if ev["object"] != "instagram" || v["id"] != cid || v["text"] != "Så fint! 😍" || v["media"].(map[string]any)["id"] != mediaID {
		t.Errorf("instagram event %v", ev)
	}
	if v["from"].(map[string]any)["username"] != "linnea.strand" {
		t.Errorf("from %v", v["from"])
	}
}

func TestCloseStopsRetries(t *testing.T) {
	s, err := emulator.LoadScenario("sv")
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.New(emulator.Options{Scenario: s, AppSecret: testAppSecret, WebhookRetries: 100, WebhookBackoff: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	e.SetBaseURL(srv.URL)
	rc, hook := newReceiver(t, testAppSecret)
	rc.failFirst = 1000
	if err := e.RegisterWebhook(t.Context(), emulator.WebhookRegistration{CallbackURL: hook.URL, VerifyToken: rc.verifyToken, SubscribeAll: true}); err != nil {
		t.Fatal(err)
	}
	var post string
	for _, a := range e.State("").Accounts {
		post = a.Posts[0].ID
		break
	}
	e.AddComment(post, "A B", "hej")
	time.Sleep(50 * time.Millisecond) // the first attempt fails; the retry waits an hour
	done := make(chan struct{})
	go func() {
		e.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not stop a delivery waiting to retry")
	}
}
