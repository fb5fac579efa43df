package main

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

// alertsIn returns the postings that are disconnection alerts.
func alertsIn(f *fakeSlack) []string {
	posts, _, _ := f.snapshot()
	var out []string
	for _, p := range posts {
		if strings.Contains(p.Get("text"), "no longer supervises") {
			out = append(out, p.Get("channel")+" "+p.Get("text"))
		}
	}
	return out
}

func TestSlackAlertsDisconnectedAccountOnce(t *testing.T) {
	r := newReviewRig(t)
	f := newFakeSlack(t)
	ctx := context.Background()
	if err := r.st.UpsertAccount(ctx, moderation.Account{Key: "ig", Platform: moderation.Instagram, PlatformID: "2", Name: "Kommunen på Instagram",
		Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	channels := map[string]string{"fb": "C1"} // the Instagram account has no Slack channel
	notifier := func() *uslack.Notifier {
		return uslack.New(uslack.Options{
			Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
			Store:  r.st, Users: r.st, Decide: r.dec, Language: "en",
			Channel: func(k string) string { return channels[k] },
		})
	}
	n := notifier()
	// Cases are posted; no account is disconnected, so no alert.
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := alertsIn(f); len(got) != 0 {
		t.Fatalf("alerts with every account active: got %v, want none", got)
	}

	note := "Graph error 190/460: the session was invalidated (token fingerprint: 3f2a)"
	for _, k := range []string{"fb", "ig"} {
		if err := r.st.SetAccountStatus(ctx, k, moderation.AccountDisconnected, note); err != nil {
			t.Fatal(err)
		}
	}
	// Slack fails: nothing recorded, the next pass retries.
	f.mu.Lock()
	f.failPosts = 100
	f.mu.Unlock()
	if err := n.Sync(ctx); err == nil {
		t.Errorf("pass with Slack failing: got no error")
	}
	f.mu.Lock()
	f.failPosts = 0
	f.mu.Unlock()
	if got := alertsIn(f); len(got) != 0 {
		t.Fatalf("alerts while Slack fails: got %v", got)
	}
	for i := range 3 {
		if err := n.Sync(ctx); err != nil {
			t.Fatalf("pass %d: %v", i, err)
		}
	}
	got := alertsIn(f)
	if len(got) != 1 {
		t.Fatalf("alerts after three passes: got %d %v, want 1", len(got), got)
	}
	for _, want := range []string{"C1 ", "Kommunen", "(fb, facebook)", note, "replace the account's token", "restart"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("alert: got %q, want it to contain %q", got[0], want)
		}
	}
	// A restart remembers the alert (audit log).
	if err := notifier().Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := alertsIn(f); len(got) != 1 {
		t.Errorf("alerts after a restart: got %d, want 1", len(got))
	}
	log, err := r.st.AuditLog(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, e := range log {
		if e.Action == uslack.AlertAction && e.Subject == "fb" {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("audit entries for the alert: got %d, want 1", recorded)
	}

	// A later disconnection (a new token rejected) is a new alert.
	if err := r.st.SetAccountStatus(ctx, "fb", moderation.AccountActive, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.st.SetAccountStatus(ctx, "fb", moderation.AccountDisconnected, "Graph error 190: token expired (token fingerprint: 9c1d)"); err != nil {
		t.Fatal(err)
	}
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := alertsIn(f); len(got) != 2 || !strings.Contains(got[1], "9c1d") {
		t.Errorf("alerts after a second disconnection: got %v, want a second one naming 9c1d", got)
	}
}

func TestAlertTextEscapesAndSpeaksTheLanguage(t *testing.T) {
	a := moderation.Account{Key: "fb", Platform: moderation.Facebook, Name: "<!channel> Kommun", StatusNote: "Graph error 190 <x>"}
	for _, tc := range []struct{ name, lang, want string }{
		{"swedish", "sv", "byt kontots token"},
		{"danish", "da", "erstat kontoens token"},
		{"english", "en", "replace the account's token"},
	} {
		got := uslack.AlertText(a, tc.lang)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "<!channel>") || !strings.Contains(got, "&lt;x&gt;") {
			t.Errorf("%s: got %q, want %q and everything escaped", tc.name, got, tc.want)
		}
	}
}

// TestSlackAlertsAgainAfterReconnect: an account reconnected (the poller's
// probe found the token accepted again) and then disconnected again with
// the same token is a new disconnection, announced again — also by a
// notifier started after the reconnection.
func TestSlackAlertsAgainAfterReconnect(t *testing.T) {
	r := newReviewRig(t)
	f := newFakeSlack(t)
	ctx := context.Background()
	notifier := func() *uslack.Notifier {
		return uslack.New(uslack.Options{
			Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
			Store:  r.st, Users: r.st, Decide: r.dec, Language: "en",
			Channel: func(string) string { return "C1" },
		})
	}
	note := "Meta rejected the access token (error 190/460) token fingerprint: 3f2a"
	disconnect := func() {
		t.Helper()
		if err := r.st.SetAccountStatus(ctx, "fb", moderation.AccountDisconnected, note); err != nil {
			t.Fatal(err)
		}
	}
	n := notifier()
	disconnect()
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := alertsIn(f); len(got) != 1 {
		t.Fatalf("alerts after the first disconnection: got %d, want 1", len(got))
	}
	// Meta accepts the token again: the account is active, the
	// reconnection audited; later the same token is rejected again.
	if err := r.st.SetAccountStatus(ctx, "fb", moderation.AccountActive, "the platform accepts the token again"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.AppendAudit(ctx, moderation.AuditEntry{Actor: "uppsikt", Action: moderation.AuditAccountReconnected, Subject: "fb", Detail: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	disconnect()
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := notifier().Sync(ctx); err != nil { // a restart announces nothing more
		t.Fatal(err)
	}
	if got := alertsIn(f); len(got) != 2 {
		t.Errorf("alerts after a second disconnection with the same token: got %d, want 2", len(got))
	}
}
