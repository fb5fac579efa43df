package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

// TestSlackApprovalHasTheGraceAndUndo: a removal approved in Slack waits
// out the grace like one approved on the web page; the updated message
// offers Undo, which opens the case again; after the grace the undo is
// refused with an explanation.
func TestSlackApprovalHasTheGraceAndUndo(t *testing.T) {
	r := newReviewRigWith(t, rigOptions{grace: time.Minute})
	f := newFakeSlack(t)
	n := uslack.New(uslack.Options{
		Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
		Store:  r.st, Users: r.st, Decide: r.dec, Language: "en", SigningSecret: signingSecret,
		Channel: func(string) string { return "C1" }, SlackUsers: map[string]string{"U1": "moderator"}, Now: r.clock,
	})
	ctx := context.Background()
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	c := r.cases[1]
	no, err := r.st.Notice(ctx, c.ID, uslack.Surface)
	if err != nil {
		t.Fatal(err)
	}
	clickAs := func(action string) {
		t.Helper()
		w := httptest.NewRecorder()
		n.ServeHTTP(w, signed(t, "/slack/interactions", signingSecret, time.Now(), click("U1", action, c.ID, "C1", no.Ref)))
		if w.Code != 200 {
			t.Fatalf("click %s: %d", action, w.Code)
		}
	}
	lastUpdate := func() string {
		_, updates, _ := f.snapshot()
		if len(updates) == 0 {
			return ""
		}
		return updates[len(updates)-1].Get("blocks")
	}

	clickAs(uslack.ActionRemove)
	if got := lastUpdate(); !strings.Contains(got, uslack.ActionUndo) || !strings.Contains(got, "carried out at 10:01:00 UTC") {
		t.Errorf("message after approving: want the undo until 10:01:00 UTC:\n%s", got)
	}
	r.advance(70 * time.Second)
	if err := r.exec.FollowDecisions(ctx); err != nil {
		t.Fatal(err)
	}
	if acts, _ := r.st.Actions(ctx, c.CommentID); len(acts) != 2 {
		t.Fatalf("after the grace: %d actions queued, want reply and delete", len(acts))
	}
	clickAs(uslack.ActionUndo)
	_, _, eph := f.snapshot()
	if len(eph) != 1 || !strings.Contains(eph[0].Get("text"), "too late to undo") {
		t.Errorf("late undo: explanations %v, want that it is too late", eph)
	}
	if cs, _ := r.st.Case(ctx, c.ID); cs.State != moderation.CaseApproved {
		t.Errorf("case after a late undo: %s, want approved", cs.State)
	}

	// Another case, undone in time.
	c = r.cases[2]
	if no, err = r.st.Notice(ctx, c.ID, uslack.Surface); err != nil {
		t.Fatal(err)
	}
	clickAs(uslack.ActionRemove)
	r.advance(20 * time.Second)
	clickAs(uslack.ActionUndo)
	if cs, _ := r.st.Case(ctx, c.ID); cs.State != moderation.CaseOpen {
		t.Errorf("case after the undo: %s, want open", cs.State)
	}
	if got := lastUpdate(); !strings.Contains(got, uslack.ActionRemove) || strings.Contains(got, uslack.ActionUndo) {
		t.Errorf("message after the undo: want the decision buttons again:\n%s", got)
	}
	r.advance(5 * time.Minute)
	if err := r.exec.FollowDecisions(ctx); err != nil {
		t.Fatal(err)
	}
	if acts, _ := r.st.Actions(ctx, c.CommentID); len(acts) != 0 {
		t.Errorf("after the undo: %+v queued, want nothing", acts)
	}
}
