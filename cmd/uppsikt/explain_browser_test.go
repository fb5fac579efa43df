package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uppsikt/uppsikt/bot/emulator"
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
	id, cid := r.add(t, "Du är en idiot")
	r.emu.InjectFault(emulator.Fault{Code: 10, Method: "DELETE", Path: "/{comment}"})
	cs := r.approve(t, cid)
	for range 3 {
		r.drain(t)
		r.clock.Advance(time.Minute)
	}
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
