package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// questionsRig is a web page with the answer clock's Questions page over a
// store holding four questions of one account, on Monday 23 November 2026
// at 10:00 in Stockholm: one overdue (46 working hours), one asked at
// 09:00, one answered by the page after 4 hours, and one with an identity
// number.
type questionsRig struct {
	st                    *sqlite.Store
	srv                   *httptest.Server
	overdue, soon, masked int64 // comment ids
}

func newQuestionsRig(t *testing.T) *questionsRig {
	t.Helper()
	ctx := context.Background()
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	local := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, sto) }
	now := local(23, 10) // Monday
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"), sqlite.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, a := range []moderation.Account{{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen"},
		{Key: "skola", Platform: moderation.Facebook, PlatformID: "2", Name: "Skolan"}} {
		if err := st.UpsertAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	add := func(id, parent, author, text string, at time.Time, question bool) int64 {
		t.Helper()
		res, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: author, Name: "Namn " + author}, Message: text, CreatedAt: at, Source: moderation.SourcePoll, SeenAt: at})
		if err != nil {
			t.Fatal(err)
		}
		v := moderation.Verdict{Question: question}
		if question && strings.Contains(text, "personnummer") {
			v.Categories = []string{moderation.CatPersonalID}
		}
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, Verdict: v, At: at}); err != nil {
			t.Fatal(err)
		}
		return res.CommentID
	}
	overdue := add("a", "", "11", "Varför är vägen inte plogad?", local(16, 9), true)                          // 46 working hours
	soon := add("b", "", "12", "När töms soporna?", local(23, 9), true)                                        // 1 h, due Friday 09:00
	add("c", "", "13", "Var hämtar man ved?", local(17, 9), true)                                              // answered after 4 h
	add("c-svar", "c", "1", "Vid återvinningscentralen.", local(17, 13), false)                                // the page's answer
	masked := add("d", "", "14", "Mitt personnummer är 19900101-1234, när får jag svar?", local(20, 16), true) // 3 h, due Thursday 16:00
	if _, err := st.SyncQuestions(ctx, now); err != nil {
		t.Fatal(err)
	}
	// The clock reminded of the overdue question at 24 and 32 hours.
	qs, err := st.Questions(ctx, moderation.QuestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		for _, after := range []time.Duration{24 * time.Hour, 32 * time.Hour} {
			if q.CommentID == overdue {
				if _, err := st.RecordReminder(ctx, moderation.QuestionReminder{QuestionID: q.ID, After: after, SentAt: local(19, 12), Channel: "web"}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	cal, _ := calendar.New("se")
	hours, err := calendar.NewOfficeHours(cal, sto, 8*time.Hour, 17*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	web, err := review.New(review.Options{Store: st, Users: st, Decide: decide.New(decide.Options{Store: st}), Language: "en", Location: sto,
		Now: func() time.Time { return now },
		Answers: &review.Answers{Store: st, Hours: func(string) moderation.WorkingTime { return hours }, Within: 36 * time.Hour,
			Reminders: []time.Duration{24 * time.Hour, 32 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	addUser(t, st, "moderator", moderation.RoleModerator)
	addUser(t, st, "archivist", moderation.RoleArchivist)
	return &questionsRig{st: st, srv: srv, overdue: overdue, soon: soon, masked: masked}
}

// TestQuestionsPage: the Questions page lists the open questions overdue
// first, then by due time, with their working-time age and masked text;
// shows each account's answer times; and lets a moderator, not an
// archivist, mark one "not a question" by a form with its CSRF token,
// audited, after which it leaves the list and the statistics.
func TestQuestionsPage(t *testing.T) {
	ctx := context.Background()
	rig := newQuestionsRig(t)
	st, srv, overdue, soon, masked := rig.st, rig.srv, rig.overdue, rig.soon, rig.masked
	mod := signIn(t, srv.URL, "moderator", testPassword)
	arch := signIn(t, srv.URL, "archivist", testPassword)
	get := func(c *http.Client, path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Language", "en")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}

	body := get(mod, "/questions")
	row := func(id int64) int { return strings.Index(body, fmt.Sprintf(`href="/comments/%d">#%d<`, id, id)) }
	tests := []struct {
		name string
		ok   bool
	}{
		{"in the menu", strings.Contains(body, `<a href="/questions">Questions</a>`)},
		{"overdue first, then by due time", row(overdue) >= 0 && row(overdue) < row(masked) && row(masked) < row(soon)},
		{"the answered question is not listed", !strings.Contains(body, "Var hämtar man ved")},
		{"working-time age", strings.Contains(body, ">46 h<") && strings.Contains(body, ">1 h<") && strings.Contains(body, ">3 h<")},
		{"due time in the municipality's zone", strings.Contains(body, "2026-11-27 09:00 CET") && strings.Contains(body, "2026-11-26 16:00 CET")},
		{"overdue is said", strings.Contains(body, `<strong class="late">Overdue</strong>`)},
		{"the reminders sent", strings.Contains(body, ">24 h, 32 h<") && strings.Count(body, ">—<") >= 2},
		{"identity number masked", !strings.Contains(body, "19900101-1234") && strings.Contains(body, "Mitt personnummer")},
		{"statistics: median and share", strings.Contains(body, `<td data-label="Median">4 h</td>`) && strings.Contains(body, ">50 %<")},
		{"mark buttons for a moderator", strings.Contains(body, `/mark"`) && strings.Contains(body, `value="not_a_question"`)},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("moderator's page: %s: not so:\n%s", tt.name, body)
		}
	}
	if other := get(mod, "/questions?account=skola"); strings.Contains(other, "/comments/") {
		t.Errorf("filtered by another account: questions of fb are listed")
	}
	archPage := get(arch, "/questions")
	if strings.Contains(archPage, "/mark\"") || !strings.Contains(archPage, "Varför är vägen") {
		t.Errorf("archivist's page: want the list without mark buttons")
	}

	qs, err := st.Questions(ctx, moderation.QuestionFilter{States: []string{moderation.QuestionOpen}})
	if err != nil {
		t.Fatal(err)
	}
	var target int64
	for _, q := range qs {
		if q.CommentID == overdue {
			target = q.ID
		}
	}
	mark := func(c *http.Client, csrf string) *http.Response {
		t.Helper()
		noFollow := *c
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := noFollow.PostForm(fmt.Sprintf("%s/questions/%d/mark", srv.URL, target),
			url.Values{"csrf": {csrf}, "mark": {moderation.QuestionNotAQuestion}, "note": {"Ett påstående"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tt := range []struct {
		name   string
		c      *http.Client
		csrf   string
		status int
	}{
		{"without the CSRF token", mod, "", http.StatusForbidden},
		{"an archivist", arch, formToken(t, arch, srv.URL+"/questions"), http.StatusForbidden},
		{"a moderator", mod, formToken(t, mod, srv.URL+"/questions"), http.StatusSeeOther},
		{"a moderator again", mod, formToken(t, mod, srv.URL+"/questions"), http.StatusConflict},
	} {
		if got := mark(tt.c, tt.csrf).StatusCode; got != tt.status {
			t.Errorf("mark by %s: got %d, want %d", tt.name, got, tt.status)
		}
	}
	q, err := st.Question(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if q.State != moderation.QuestionNotAQuestion || q.ClosedBy != "moderator" || q.Note != "Ett påstående" {
		t.Errorf("marked question: got %+v", q)
	}
	log, err := st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, e := range log {
		if e.Action == moderation.AuditQuestionNotAQuestion && e.Actor == "moderator" {
			audited++
		}
	}
	if audited != 1 {
		t.Errorf("audit entries of the mark: got %d, want 1", audited)
	}
	body = get(mod, "/questions")
	if row(overdue) >= 0 || !strings.Contains(body, ">100 %<") {
		t.Errorf("after the mark: want the question gone from the list and the share at 100 %%:\n%s", body)
	}
}
