package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

// fakeSlack records what uppsikt sends to Slack's Web API, and fails the
// first few postings when asked to.
type fakeSlack struct {
	mu        sync.Mutex
	failPosts int
	posts     []url.Values
	updates   []url.Values
	ephemeral []url.Values
	srv       *slacktest.Server
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	record := func(list *[]url.Values, fail *int, ts string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			f.mu.Lock()
			defer f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if fail != nil && *fail > 0 {
				*fail--
				fmt.Fprint(w, `{"ok":false,"error":"service_unavailable"}`)
				return
			}
			*list = append(*list, r.Form)
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"%s.%d"}`, r.Form.Get("channel"), ts, len(*list))
		}
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", record(&f.posts, &f.failPosts, "1700000000"))
		c.Handle("/chat.update", record(&f.updates, nil, "1700000000"))
		c.Handle("/chat.postEphemeral", record(&f.ephemeral, nil, "1700000001"))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) snapshot() (posts, updates, eph []url.Values) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...), append([]url.Values(nil), f.updates...), append([]url.Values(nil), f.ephemeral...)
}

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// signed builds a Slack interactivity request signed with secret at ts.
func signed(t *testing.T, endpoint, secret string, ts time.Time, payload any) *http.Request {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	body := "payload=" + url.QueryEscape(string(b))
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req := httptest.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

func click(user, action string, caseID int64, channel, ts string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user},
		"container": map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"channel":   map[string]any{"id": channel},
		"actions":   []map[string]any{{"action_id": action, "block_id": "decide", "value": strconv.FormatInt(caseID, 10), "type": "button"}},
	}
}

func TestSlackPostsCasesEscapedAndRetries(t *testing.T) {
	r := newReviewRig(t)
	f := newFakeSlack(t)
	f.failPosts = 2
	n := uslack.New(uslack.Options{
		Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
		Store:  r.st, Users: r.st, Decide: r.dec, Language: "en", BaseURL: "https://uppsikt.example",
		Channel: func(string) string { return "C1" },
	})
	ctx := context.Background()
	if err := n.Sync(ctx); err == nil {
		t.Errorf("first pass with Slack failing: got no error")
	}
	failed := 0
	for _, c := range r.cases {
		no, err := r.st.Notice(ctx, c.ID, uslack.Surface)
		if err != nil {
			t.Fatalf("notice of case %d: %v", c.ID, err)
		}
		if no.Ref == "" && no.Attempts == 1 && strings.Contains(no.LastError, "service_unavailable") {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("notices after two failed posts: got %d unposted with the error recorded, want 2", failed)
	}
	if err := n.Sync(ctx); err != nil {
		t.Fatalf("second pass: %v", err)
	}
	posts, _, _ := f.snapshot()
	if len(posts) != len(r.cases) {
		t.Fatalf("posted messages: got %d, want one per case (%d)", len(posts), len(r.cases))
	}
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := f.snapshot(); len(again) != len(r.cases) {
		t.Errorf("a third pass posted again: %d messages", len(again))
	}
	var first string
	for _, p := range posts {
		if strings.Contains(p.Get("blocks"), "Eve") {
			first = p.Get("blocks")
		}
	}
	// Read the blocks as Slack does: JSON-decoded, then mrkdwn.
	var blocks []any
	if err := json.Unmarshal([]byte(first), &blocks); err != nil {
		t.Fatalf("blocks of the payload case: %v\n%s", err, first)
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(blocks); err != nil {
		t.Fatal(err)
	}
	first = sb.String()
	for _, bad := range []string{"<script>", "<img", `onerror="document`} {
		if strings.Contains(first, bad) {
			t.Errorf("the Slack message carries the raw payload %q:\n%s", bad, first)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;img src=x", "199001011234", "Riktlinjer, 3.2", uslack.ActionRemove, uslack.ActionKeep, uslack.ActionRegister, uslack.ActionOpen, "https://uppsikt.example/cases/", "<https://facebook.example/1_1|The post>"} {
		if !strings.Contains(first, want) {
			t.Errorf("the Slack message lacks %q:\n%s", want, first)
		}
	}
}

func TestSlackInteractionsSignedMappedAndUpdated(t *testing.T) {
	r := newReviewRig(t)
	f := newFakeSlack(t)
	n := uslack.New(uslack.Options{
		Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
		Store:  r.st, Users: r.st, Decide: r.dec, Language: "en", SigningSecret: signingSecret,
		Channel:    func(string) string { return "C1" },
		SlackUsers: map[string]string{"U1": "moderator", "U2": "viewer"},
	})
	ctx := context.Background()
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	c := r.cases[1]
	no, err := r.st.Notice(ctx, c.ID, uslack.Surface)
	if err != nil || no.Ref == "" {
		t.Fatalf("notice: %+v, %v", no, err)
	}
	serve := func(req *http.Request) (int, string) {
		w := httptest.NewRecorder()
		n.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, string(b)
	}
	now := time.Now()
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"forged signature", signed(t, "/slack/interactions", "not-the-secret", now, click("U1", uslack.ActionRemove, c.ID, "C1", no.Ref)), http.StatusUnauthorized},
		{"stale signature", signed(t, "/slack/interactions", signingSecret, now.Add(-6*time.Minute), click("U1", uslack.ActionRemove, c.ID, "C1", no.Ref)), http.StatusUnauthorized},
		{"no signature", httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader("payload={}")), http.StatusUnauthorized},
		{"unmapped user", signed(t, "/slack/interactions", signingSecret, now, click("U9", uslack.ActionRemove, c.ID, "C1", no.Ref)), http.StatusOK},
		{"viewer", signed(t, "/slack/interactions", signingSecret, now, click("U2", uslack.ActionRemove, c.ID, "C1", no.Ref)), http.StatusOK},
	} {
		if got, body := serve(tc.req); got != tc.status {
			t.Errorf("%s: got %d (%s), want %d", tc.name, got, body, tc.status)
		}
	}
	if ds, _ := r.st.Decisions(ctx, c.ID); len(ds) != 0 {
		t.Fatalf("refused clicks decided the case: %+v", ds)
	}
	_, _, eph := f.snapshot()
	if len(eph) != 2 || !strings.Contains(eph[0].Get("text"), "not linked to an uppsikt user") || eph[0].Get("user") != "U9" || !strings.Contains(eph[1].Get("text"), "may not decide") {
		t.Errorf("explanations to refused users: got %v", eph)
	}
	// The moderator approves; the message is updated in place.
	if got, body := serve(signed(t, "/slack/interactions", signingSecret, now, click("U1", uslack.ActionRemove, c.ID, "C1", no.Ref))); got != http.StatusOK {
		t.Fatalf("moderator's click: %d %s", got, body)
	}
	ds, _ := r.st.Decisions(ctx, c.ID)
	if len(ds) != 1 || ds[0].By != "moderator" || ds[0].Surface != "slack" || ds[0].Kind != moderation.DecideRemove {
		t.Errorf("decision: got %+v, want moderator's removal from slack", ds)
	}
	_, updates, _ := f.snapshot()
	if len(updates) != 1 || updates[0].Get("ts") != no.Ref || !strings.Contains(updates[0].Get("blocks"), "Removal approved") || strings.Contains(updates[0].Get("blocks"), uslack.ActionRemove) {
		t.Errorf("message update: got %v, want the message %s showing the approval without decision buttons", updates, no.Ref)
	}
	// A second click (someone else's, or a double click) is told who decided.
	serve(signed(t, "/slack/interactions", signingSecret, now, click("U1", uslack.ActionKeep, c.ID, "C1", no.Ref)))
	_, _, eph = f.snapshot()
	if len(eph) != 3 || !strings.Contains(eph[2].Get("text"), "already decided by moderator (slack") {
		t.Errorf("second click: got %v, want an explanation naming moderator", eph)
	}
	if ds, _ := r.st.Decisions(ctx, c.ID); len(ds) != 1 {
		t.Errorf("decisions after the second click: got %d, want 1", len(ds))
	}
	// A decision on the web page reaches the Slack message on the next pass.
	if _, err := r.dec.Decide(ctx, decideReq(r.cases[2].ID, moderation.DecideKeep)); err != nil {
		t.Fatal(err)
	}
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	_, updates, _ = f.snapshot()
	if len(updates) != 2 || !strings.Contains(updates[1].Get("blocks"), "Kept") {
		t.Errorf("web decision on Slack: got %v", updates)
	}
}

func decideReq(caseID int64, kind string) decide.Request {
	return decide.Request{CaseID: caseID, Kind: kind, By: "admin", Role: moderation.RoleAdmin, Surface: decide.SurfaceWeb}
}
