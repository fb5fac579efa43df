package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestQuestionsPageInBrowser opens the Questions page in Chromium as a
// moderator, checks it with axe-core (WCAG 2.1 A and AA) like every other
// page, marks a question with its button, and saves docs/screens/questions.png
// when UPPSIKT_SCREENS is set.
func TestQuestionsPageInBrowser(t *testing.T) {
	axe := axeSource(t)
	ctx := newBrowser(t)
	rig := newQuestionsRig(t)
	base := rig.srv.URL
	signInBrowser(t, ctx, base, "moderator", testPassword)
	browse(t, ctx, "open /questions", chromedp.Navigate(base+"/questions"), chromedp.WaitVisible(`table.questions`))
	checkAccessible(t, ctx, axe, "/questions")
	screenshot(t, ctx, "questions")
	browse(t, ctx, "mark the first question not a question",
		chromedp.SendKeys(`table.questions tbody tr:first-child input[name=note]`, "Ett påstående"),
		chromedp.Click(`table.questions tbody tr:first-child button[value=not_a_question]`),
		chromedp.WaitVisible(`p.notice`),
	)
	text := value(t, ctx, "the page after the mark", chromedp.Text(`main`))
	if !strings.Contains(text, "The comment is marked not a question.") || strings.Contains(text, "Varför är vägen inte plogad?") {
		t.Errorf("after the mark: want the notice and the overdue question gone, got:\n%s", text)
	}
	checkAccessible(t, ctx, axe, "/questions?done=not_a_question")
}
