package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestReviewPrivacyAndUndoInBrowser: in Chromium, a moderator sees the
// identity number masked and reveals it with the button (audited); a
// removal asks for confirmation showing the reply the author will get,
// then offers Undo until the grace ends, and the undo leaves the case open
// with nothing queued after the grace; a viewer sees the number masked and
// has no reveal control and no evidence links.
func TestReviewPrivacyAndUndoInBrowser(t *testing.T) {
	axe := axeSource(t)
	ctx := newBrowser(t)
	r := newReviewRigWith(t, rigOptions{grace: time.Minute})
	bg := context.Background()
	base := r.srv.URL
	x := r.cases[0]
	if _, err := r.st.AddEvidence(bg, moderation.EvidenceFile{CommentID: x.CommentID, Kind: moderation.EvidencePDF, SHA256: strings.Repeat("b", 64),
		Path: "bb/evidence.pdf", Size: 10, CreatedAt: r.now, Version: 1}); err != nil {
		t.Fatal(err)
	}
	caseURL := fmt.Sprintf("%s/cases/%d", base, x.ID)
	signInBrowser(t, ctx, base, "moderator", testPassword)

	// Masked, then revealed.
	browse(t, ctx, "open the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(`form.reveal button`))
	if shown := value(t, ctx, "comment text", chromedp.Text(`.comment-text`)); strings.Contains(shown, fullNumber) || !strings.Contains(shown, maskedNumber) {
		t.Errorf("moderator's case page: got %q, want the number masked", shown)
	}
	checkAccessible(t, ctx, axe, "case with a masked number")
	screenshot(t, ctx, "case-masked")
	browse(t, ctx, "reveal", chromedp.Click(`form.reveal button`), chromedp.WaitVisible(`p.warn[role=note]`))
	if shown := value(t, ctx, "revealed text", chromedp.Text(`.comment-text`)); !strings.Contains(shown, fullNumber) {
		t.Errorf("after the reveal: got %q, want the full number", shown)
	}
	log, _ := r.st.AuditLog(bg, 0, 0)
	revealed := false
	for _, e := range log {
		revealed = revealed || e.Action == "comment.revealed" && e.Actor == "moderator" && e.Subject == fmt.Sprintf("comment/%d", x.CommentID)
	}
	if !revealed {
		t.Errorf("the audit log has no comment.revealed by moderator for comment %d", x.CommentID)
	}
	browse(t, ctx, "open the case again", chromedp.Navigate(caseURL), chromedp.WaitVisible(`form.reveal button`))
	if shown := value(t, ctx, "comment text again", chromedp.Text(`.comment-text`)); strings.Contains(shown, fullNumber) {
		t.Errorf("the reveal outlived its response: %q", shown)
	}

	// Approve, confirm, undo.
	target := r.cases[1]
	browse(t, ctx, "approve removal",
		chromedp.Navigate(fmt.Sprintf("%s/cases/%d", base, target.ID)),
		chromedp.WaitVisible(`form.decide`),
		chromedp.SendKeys(`#reason`, "personangrepp"),
		chromedp.Click(`button[value=remove]`),
		chromedp.WaitVisible(`form.confirm`))
	screenshot(t, ctx, "confirm-removal")
	reply := value(t, ctx, "reply text", chromedp.Text(`.reply-text`))
	// The author gets the reply in the account's language, not the reviewer's.
	if !strings.Contains(reply, "Din kommentar har tagits bort eftersom den innehöll trakasserier eller personangrepp") {
		t.Errorf("confirmation: reply %q, want the Swedish template with the category", reply)
	}
	if ds, _ := r.st.Decisions(bg, target.ID); len(ds) != 0 {
		t.Fatalf("the confirmation page recorded %+v", ds)
	}
	browse(t, ctx, "confirm", chromedp.Click(`form.confirm button[type=submit]`), chromedp.WaitVisible(`div.undo button`))
	if msg := value(t, ctx, "undo offer", chromedp.Text(`div.undo`)); !strings.Contains(msg, "The removal will be carried out at 10:01:00") {
		t.Errorf("undo offer: %q", msg)
	}
	checkAccessible(t, ctx, axe, "case with the undo")
	screenshot(t, ctx, "case-undo")
	r.advance(30 * time.Second)
	browse(t, ctx, "undo", chromedp.Click(`div.undo button`), chromedp.WaitVisible(`form.decide`))
	if msg := value(t, ctx, "message", chromedp.Text(`p.ok`)); !strings.Contains(msg, "The removal is undone") {
		t.Errorf("after the undo: %q", msg)
	}
	if c, _ := r.st.Case(bg, target.ID); c.State != moderation.CaseOpen {
		t.Errorf("case after the undo: %s, want open", c.State)
	}
	r.advance(5 * time.Minute)
	if _, err := r.exec.Drain(bg, nil); err != nil {
		t.Fatal(err)
	}
	if acts, _ := r.st.Actions(bg, target.CommentID); len(acts) != 0 {
		t.Errorf("after the undo and the grace the executor queued %+v, want nothing", acts)
	}

	// A viewer: masked, no reveal, no evidence.
	browse(t, ctx, "sign out", chromedp.Click(`form.logout button`), chromedp.WaitVisible(`#name`))
	signInBrowser(t, ctx, base, "viewer", testPassword)
	browse(t, ctx, "viewer opens the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(`.comment-text`))
	if shown := value(t, ctx, "viewer's text", chromedp.Text(`.comment-text`)); strings.Contains(shown, fullNumber) || !strings.Contains(shown, maskedNumber) {
		t.Errorf("viewer's case page: got %q, want the number masked", shown)
	}
	if n := value(t, ctx, "reveal controls", chromedp.Evaluate[int](`document.querySelectorAll('form.reveal button, a[href^="/evidence/"]').length`)); n != 0 {
		t.Errorf("viewer's case page has %d reveal buttons or evidence links, want none", n)
	}
}
