package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// TestReviewPagesOnANarrowScreen shows the pages in Chromium 375 CSS pixels
// wide (a phone) and checks that none scrolls sideways, and that the
// evidence view, served under its own sandboxed policy, keeps its styles.
func TestReviewPagesOnANarrowScreen(t *testing.T) {
	ctx := newBrowser(t)
	r := newReviewRig(t)
	base := r.srv.URL
	bg := context.Background()
	// A long word and a long address in a comment, which must wrap.
	long := strings.Repeat("Överklagandeprocessen", 4) + " https://example.org/" + strings.Repeat("a/very/long/path/", 6)
	res, err := r.st.RecordComment(bg, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_long",
		Author: moderation.Author{ID: "9", Name: "Medborgare Med Ett Mycket Långt Namn"}, Message: long, CreatedAt: r.now, Source: moderation.SourcePoll, SeenAt: r.now})
	if err != nil {
		t.Fatal(err)
	}
	longCase, _, err := r.st.OpenCase(bg, moderation.Case{CommentID: res.CommentID, Version: 1, Categories: []string{moderation.CatViolencePorn, moderation.CatCrimeIncitement}, OpenedAt: r.now})
	if err != nil {
		t.Fatal(err)
	}
	view, err := evidencepdf.RenderView(evidencepdf.View{Municipality: "Gruvbergs kommun", Account: moderation.Account{Name: "Kommunen", Platform: moderation.Facebook},
		Comment: moderation.Comment{PlatformID: "1_1_0"}, Location: time.UTC, RenderedAt: r.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.evDir, "view.html"), view, 0o644); err != nil {
		t.Fatal(err)
	}
	ev, err := r.st.AddEvidence(bg, moderation.EvidenceFile{CommentID: r.cases[0].CommentID, Kind: "evidence_view", SHA256: strings.Repeat("cd", 32), Path: "view.html", Size: int64(len(view)), CreatedAt: r.now, Version: 1})
	if err != nil {
		t.Fatal(err)
	}

	signInBrowser(t, ctx, base, "moderator", testPassword)
	browse(t, ctx, "a phone's width", chromedp.EmulateViewport(375, 800))
	for _, p := range []struct{ path, ready string }{
		{"/cases", "table.cases"},
		{fmt.Sprintf("/cases/%d", r.cases[0].ID), "form.decide"},
		{fmt.Sprintf("/cases/%d", longCase.ID), "form.decide"},
		{"/", "table.accounts"},
		{fmt.Sprintf("/comments/%d", res.CommentID), "section.version"},
	} {
		browse(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(p.ready))
		if got := value(t, ctx, "width of "+p.path, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); got > 375 {
			t.Errorf("%s at 375 px: got a page %d px wide, want at most 375 (no sideways scrolling)", p.path, got)
		}
		screenshot(t, ctx, "narrow-"+strings.Trim(strings.ReplaceAll(p.path, "/", "-"), "-"))
	}

	// The sandbox runs no script, so the page is read through DevTools' DOM
	// and CSS, not by evaluating JavaScript in it.
	browse(t, ctx, "the evidence view", chromedp.Navigate(fmt.Sprintf("%s/evidence/%d", base, ev.ID)), chromedp.WaitReady(`h1`))
	// The view's own style makes its heading 22 px; unstyled it would be 32.
	size := ""
	for _, p := range value(t, ctx, "style of the evidence view", chromedp.ComputedStyle(`h1`)) {
		if p.Name == "font-size" {
			size = p.Value
		}
	}
	if size != "22px" {
		t.Errorf("evidence view heading: got font-size %q, want 22px (its own style applied)", size)
	}
}
