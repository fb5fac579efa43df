package instagram

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
)

func newRig(t *testing.T) (*emulator.Emulator, *Connector, moderation.Account) {
	t.Helper()
	sc, err := emulator.LoadScenario("sv")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	emu, err := emulator.New(emulator.Options{Scenario: sc, AppSecret: "s", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	emu.SetBaseURL(srv.URL + "/")
	t.Cleanup(func() { srv.Close(); emu.Close() })
	var acct moderation.Account
	tokens := map[string]string{}
	for _, a := range emu.Accounts() {
		if a.Platform == "instagram" {
			acct = moderation.Account{Key: "ig", Platform: moderation.Instagram, PlatformID: a.ID, Status: moderation.AccountActive}
			tokens["ig"] = a.Token
		}
	}
	if acct.Key == "" {
		t.Fatal("scenario has no Instagram account")
	}
	client := facebook.NewClient(facebook.ClientOptions{GraphURL: srv.URL, Version: "v23.0", AppSecret: "s", Tokens: tokens, Now: clock,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	return emu, New(Options{Client: client, Now: clock, Window: 365 * 24 * time.Hour, MediaLimit: 100}), acct
}

func TestPollAndReconcile(t *testing.T) {
	emu, conn, a := newRig(t)
	ctx := context.Background()
	first, err := conn.Poll(ctx, a, moderation.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Comments) < 3 {
		t.Fatalf("first poll saw %d comments, want at least 3", len(first.Comments))
	}
	replies := 0
	for _, c := range first.Comments {
		if c.Message == "" || c.PostID == "" {
			t.Errorf("comment %s: empty text or post id", c.PlatformID)
		}
		if c.ParentID != "" {
			replies++
		}
	}
	if replies == 0 {
		t.Error("no replies read; the scenario has some")
	}
	emu.ResetStats()
	res, err := conn.Poll(ctx, a, first.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := emu.Stats().ByAccount[a.PlatformID], res.Requests; got != want {
		t.Errorf("emulator counted %d requests, connector %d", got, want)
	}
	if res.Requests != 1 {
		t.Errorf("idle poll: got %d requests, want 1", res.Requests)
	}

	known := map[string]map[string]moderation.CommentState{}
	for _, c := range first.Comments {
		if known[c.PostID] == nil {
			known[c.PostID] = map[string]moderation.CommentState{}
		}
		known[c.PostID][c.PlatformID] = moderation.StateVisible
	}
	gone, hidden := first.Comments[0], first.Comments[1]
	if err := emu.AuthorDelete(gone.PlatformID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.opts.Client.Post(ctx, a, "/"+hidden.PlatformID, fb.Params{"hide": true}, nil); err != nil {
		t.Fatal(err)
	}
	var all moderation.PollResult
	_, err = conn.Reconcile(ctx, a, moderation.ReconcileOptions{
		Since: time.Now().Add(-400 * 24 * time.Hour), Source: moderation.SourceReconcile,
		Known: func(_ context.Context, postID string) (map[string]moderation.CommentState, error) {
			return known[postID], nil
		},
		Emit: func(_ context.Context, r moderation.PollResult) error {
			all.Comments = append(all.Comments, r.Comments...)
			all.Changes = append(all.Changes, r.Changes...)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Changes) != 1 || all.Changes[0].PlatformID != gone.PlatformID || all.Changes[0].State != moderation.StateDeleted {
		t.Errorf("changes: got %+v, want one deletion of %s", all.Changes, gone.PlatformID)
	}
	sawHidden := false
	for _, c := range all.Comments {
		if c.PlatformID == hidden.PlatformID {
			sawHidden = c.Hidden
		}
	}
	if !sawHidden {
		t.Error("hidden comment not seen as hidden")
	}
	ob, err := conn.FetchComment(ctx, a, "", hidden.PlatformID, moderation.SourceWebhook, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ob.PostID != hidden.PostID || ob.Message != hidden.Message {
		t.Errorf("fetched: got post %q text %q, want %q %q", ob.PostID, ob.Message, hidden.PostID, hidden.Message)
	}
}

// TestRateLimitWaitsRegainOnInstagram: a throttled Instagram account
// (80002 with Meta's estimated time to regain access under the Instagram
// id) is not called again until the limit has passed, and the poll says
// when, so that the poller reschedules.
func TestRateLimitWaitsRegainOnInstagram(t *testing.T) {
	emu, conn, a := newRig(t)
	now := time.Now().UTC().Truncate(time.Second) // the rig's clock is fixed near now
	emu.InjectFault(emulator.Fault{Code: 80002, Account: a.PlatformID, RegainMinutes: 10, Count: 1})
	_, err := conn.Poll(context.Background(), a, moderation.Cursor{})
	var th *facebook.ThrottledError
	if !errors.As(err, &th) {
		t.Fatalf("poll: got %v, want a *facebook.ThrottledError", err)
	}
	if d := th.RetryAt().Sub(now); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("retry at now+%v, want about the regain time of 10m", d)
	}
	emu.ResetStats()
	if _, err := conn.Poll(context.Background(), a, moderation.Cursor{}); !errors.As(err, &th) {
		t.Errorf("second poll: got %v, want a *facebook.ThrottledError", err)
	}
	if got := emu.Stats().Total; got != 0 {
		t.Errorf("calls while throttled: got %d, want 0", got)
	}
}
