package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// TestRefusedRemovalInBrowser: the platform refuses an approved removal
// (Graph error 10). In Chromium, the moderator's case page shows the case
// open again, uppsikt's reopen and the reason in Swedish, not the
// platform's English; and the author was told nothing.
func TestRefusedRemovalInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	r := newActRigFor(t, explainScenario, "facebook-0", "")
	id, _, cs := r.refusedRemoval(t)
	if a, _, ok := explanation(r.emu.State(""), id); ok {
		t.Fatalf("the author was told of a removal that failed: %+v", a)
	}
	addUser(t, r.st, "moderator", moderation.RoleModerator)
	u, err := r.st.User(context.Background(), "moderator")
	if err != nil {
		t.Fatal(err)
	}
	u.Language = "sv" // the browser asks for English
	if err := r.st.SaveUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	web, err := review.New(review.Options{Store: r.st, Users: r.st, Language: "sv", Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	signInBrowser(t, ctx, srv.URL, "moderator", testPassword)
	browse(t, ctx, "open the case", chromedp.Navigate(fmt.Sprintf("%s/cases/%d", srv.URL, cs.ID)), chromedp.WaitVisible(`table.history`))
	title := value(t, ctx, "heading", chromedp.Text(`h1`))
	if !strings.Contains(title, "öppet") {
		t.Errorf("case heading %q, want the case open again", title)
	}
	history := value(t, ctx, "history", chromedp.Text(`table.history`))
	for _, want := range []string{"öppnade ärendet igen: borttagningen misslyckades", "behörighet", "(Graph #10)", "Inte skickat: borttagningen misslyckades"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	if strings.Contains(history, "Permissions error") {
		t.Errorf("history shows the platform's English to a moderator:\n%s", history)
	}
	if n := value(t, ctx, "decision buttons", chromedp.Evaluate[int](`document.querySelectorAll('form.decide button').length`)); n == 0 {
		t.Errorf("the reopened case offers no decision buttons")
	}
	screenshot(t, ctx, "case-reopened")
}

// TestKeepHiddenIdentityNumberInBrowser: in Chromium, "Keep" on a comment
// uppsikt hid for an identity number first says what will become public,
// with the number marked (masked), and decides nothing; only the
// confirmation keeps it and queues the unhide.
func TestKeepHiddenIdentityNumberInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	r := newReviewRig(t)
	bg := context.Background()
	pid := r.cases[0] // personal_id: 199001011234
	r.hide(t, pid)
	u, err := r.st.User(bg, "moderator")
	if err != nil {
		t.Fatal(err)
	}
	u.Language = "sv" // the browser asks for English
	if err := r.st.SaveUser(bg, u); err != nil {
		t.Fatal(err)
	}
	signInBrowser(t, ctx, r.srv.URL, "moderator", testPassword)
	browse(t, ctx, "keep",
		chromedp.Navigate(fmt.Sprintf("%s/cases/%d", r.srv.URL, pid.ID)),
		chromedp.WaitVisible(`form.decide`),
		chromedp.Click(`button[value=keep]`),
		chromedp.WaitVisible(`form.confirm`))
	warning := value(t, ctx, "warning", chromedp.Text(`p.exposed-number`))
	if !strings.Contains(warning, "blir synligt för alla") || !strings.Contains(warning, maskedNumber) || strings.Contains(warning, fullNumber) {
		t.Errorf("keep confirmation: %q, want the masked number said to become public", warning)
	}
	if marked := value(t, ctx, "marked", chromedp.Text(`mark.exposed`)); marked != maskedNumber {
		t.Errorf("marked text %q, want %q", marked, maskedNumber)
	}
	if ds, _ := r.st.Decisions(bg, pid.ID); len(ds) != 0 {
		t.Fatalf("the confirmation page decided: %+v", ds)
	}
	screenshot(t, ctx, "confirm-keep")
	browse(t, ctx, "confirm keep", chromedp.Click(`form.confirm button[type=submit]`), chromedp.WaitVisible(`table.history`))
	cs, err := r.st.Case(bg, pid.ID)
	if err != nil {
		t.Fatal(err)
	}
	acts, _ := r.st.Actions(bg, pid.CommentID)
	if cs.State != moderation.CaseKept || len(acts) != 2 || acts[1].Kind != moderation.ActUnhide {
		t.Errorf("after confirming: case %s, %d actions, want kept with the unhide queued", cs.State, len(acts))
	}
}
