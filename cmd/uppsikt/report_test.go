package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/report"
	"github.com/uppsikt/uppsikt/moderation/review"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// demoStore fills a store by polling the emulator's Swedish demo scenario
// once (with the reconcile pass) and classifying what came in with the
// built-in rule packs and model, as the service does; it returns the rig
// and the store, open, with the answer clock's questions opened.
func demoStore(t *testing.T) (*supRig, *config.Config, *sqlite.Store) {
	t.Helper()
	r := newSupRig(t, loadSV(t))
	if code, out, errs := r.run(t, "poll", "-config", r.cfgPath, "-once", "-reconcile"); code != 0 {
		t.Fatalf("poll -once -reconcile: exit %d\n%s\n%s", code, out, errs)
	}
	cfg := r.config(t)
	st := r.store(t)
	t.Cleanup(func() { st.Close() })
	classifier, err := newClassifier(cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.New(pipeline.Options{Store: st, Classifier: classifier}).Drain(context.Background(), nil); err != nil {
		t.Fatalf("classify the demo's comments: %v", err)
	}
	// And the answer clock's round: the questions among them.
	if _, err := st.SyncQuestions(context.Background(), time.Now()); err != nil {
		t.Fatalf("the answer clock's questions: %v", err)
	}
	return r, cfg, st
}

// TestReportCommandOnDemoStore runs "uppsikt report" on a store filled from
// the emulator's demo scenario and checks its figures against the store's
// own lists, and its words and PDF/A identification.
func TestReportCommandOnDemoStore(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext", "pdftoppm")
	r, cfg, st := demoStore(t)
	ctx := context.Background()
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	from, to := report.Month(time.Now(), loc)
	// The same figures counted another way: from the lists of comments
	// and cases.
	accounts, err := st.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]string{}
	for _, a := range accounts {
		own[a.Key] = a.PlatformID
	}
	cases, err := st.ListCases(ctx, moderation.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	hasCase := map[int64]bool{}
	for _, c := range cases {
		hasCase[c.CommentID] = true
	}
	comments, err := st.ListComments(ctx, moderation.CommentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantSeen := 0
	flagged := map[int64]bool{}
	for _, c := range comments {
		at := c.CreatedAt
		if at.IsZero() {
			at = c.FirstSeenAt
		}
		if !at.Before(from) && at.Before(to) && c.Author.ID != own[c.AccountKey] {
			wantSeen++
			if hasCase[c.ID] {
				flagged[c.ID] = true
			}
		}
	}
	if len(flagged) == 0 || wantSeen == 0 {
		t.Fatalf("the demo gave %d comments and %d flagged this month; want some of each", wantSeen, len(flagged))
	}

	month := from.Format("2006-01")
	out := filepath.Join(t.TempDir(), "rapport.pdf")
	code, stdout, errs := r.run(t, "report", "-config", r.cfgPath, "-month", month, "-out", out, "-lang", "da")
	if code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errs)
	}
	if want := fmt.Sprintf("(%d comments, %d flagged, 0 removed)", wantSeen, len(flagged)); !strings.Contains(stdout, want) {
		t.Errorf("report: got %q, want the figures %q", stdout, want)
	}
	text := pdfText(t, out)
	// The answer clock's section: its figures when the month has
	// questions (the demo's do), else that it has none.
	questions, err := st.Questions(ctx, moderation.QuestionFilter{AskedFrom: from, AskedTo: to})
	if err != nil {
		t.Fatal(err)
	}
	clockWords := "Svaruret har ingen oplysninger for måneden: ingen spørgsmål."
	if len(questions) > 0 {
		clockWords = "Besvaret i tide"
	}
	for _, w := range []string{"Månedsrapport " + report.MonthTitle("da", from), "Testby kommun", "I alt", "Markerede kommentarer pr. kategori",
		clockWords} {
		if !strings.Contains(text, w) {
			t.Errorf("the Danish report: got no %q, want it", w)
		}
	}
	for _, w := range []string{"Månadsrapport", "Borttagna", "Granskningstid", "frågor", "Totalt", "Monthly report"} {
		if strings.Contains(text, w) {
			t.Errorf("the Danish report: got %q of another language, want none", w)
		}
	}
	for _, c := range moderation.Categories() {
		if strings.Contains(text, c) && strings.Contains(c, "_") {
			t.Errorf("the Danish report: got the category code %q, want words", c)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`pdfaid:part(='3'|="3"|>3<)`).Match(raw) {
		t.Errorf("the report is not PDF/A-3 by its XMP")
	}
	if dir := os.Getenv("UPPSIKT_SCREENS"); dir != "" {
		// The screenshot shows last month, a whole one.
		sv := filepath.Join(t.TempDir(), "sv.pdf")
		if code, stdout, errs := r.run(t, "report", "-config", r.cfgPath, "-out", sv); code != 0 {
			t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errs)
		}
		if b, err := exec.Command("pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", sv, filepath.Join(dir, "monthly-report")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, b)
		}
	}

	// Without -out, in the municipality's language into archive.reports.
	if code, stdout, errs := r.run(t, "report", "-config", r.cfgPath, "-month", month); code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errs)
	}
	def := filepath.Join(cfg.Archive.Reports, "report-"+month+".pdf")
	if text := pdfText(t, def); !strings.Contains(text, "Månadsrapport") {
		t.Errorf("%s: got no Swedish title, want the municipality's language", def)
	}
	// The web page's download: the same month as PDF/A, in the reader's
	// language.
	addUser(t, st, "arkivarie", moderation.RoleArchivist)
	web, err := review.New(review.Options{Store: st, Users: st, Municipality: cfg.Municipality.Name, Language: "sv", Location: loc,
		ReportPDF: renderReport(cfg, st, loc)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	client := signIn(t, srv.URL, "arkivarie", testPassword)
	req, err := http.NewRequest("GET", srv.URL+"/report/pdf?month="+month, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("GET /report/pdf: got %d %q, want a PDF", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	dl := filepath.Join(t.TempDir(), "download.pdf")
	if err := os.WriteFile(dl, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, dl); !strings.Contains(text, "Monthly report "+report.MonthTitle("en", from)) {
		t.Errorf("the download: got no English title, want the reader's language")
	}

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"a month that is not one", []string{"-month", "november"}},
		{"an unknown language", []string{"-lang", "fi"}},
	} {
		if code, _, errs := r.run(t, append([]string{"report", "-config", r.cfgPath}, tc.args...)...); code != 2 {
			t.Errorf("%s: got exit %d, want 2 (usage)\n%s", tc.name, code, errs)
		}
	}
}

func pdfText(t *testing.T, file string) string {
	t.Helper()
	b, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", file, err, b)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestServiceMonthlyReports: the service writes last month's report from
// the first working day of the month in the municipality's time zone (a
// report missed then, the service being down, is written when it runs),
// and never twice, also after a restart.
func TestServiceMonthlyReports(t *testing.T) {
	testenv.NeedTools(t, "gs")
	dir := t.TempDir()
	yaml := fmt.Sprintf(`municipality: {name: Årsby kommun, country: se, timezone: Europe/Stockholm, language: sv}
paths: {data: %q}
meta: {app_id: "1000000000000001", app_secret: "${APP_SECRET}"}
archive: {reports: arkiv/månadsrapporter}
web: {public_url: "https://uppsikt.arsby.se/"}
accounts:
  - {key: arsby-fb, platform: facebook, id: "1094810000000001", name: Årsby kommun, owners: [a], substitutes: [b], token: "${TOKEN}", language: sv}
`, dir)
	path := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(k string) string { return map[string]string{"APP_SECRET": "s", "TOKEN": "t"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc := mustLoc(t, cfg.Municipality.Timezone)
	folder := filepath.Join(dir, "arkiv", "månadsrapporter")
	fake := newFakeSlack(t)
	files := func() string {
		es, _ := os.ReadDir(folder)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return strings.Join(names, ", ")
	}
	for _, tc := range []struct {
		name      string
		now       time.Time
		wantFile  string
		wantFiles string
	}{
		{"Sunday 1 November is no working day", time.Date(2026, 11, 1, 12, 0, 0, 0, loc), "", ""},
		{"Monday 2 November, Stockholm time", time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC), "report-2026-10.pdf", "report-2026-10.pdf"},
		{"after a restart the same day", time.Date(2026, 11, 2, 9, 0, 0, 0, loc), "", "report-2026-10.pdf"},
		{"later in the month", time.Date(2026, 11, 30, 22, 59, 0, 0, time.UTC), "", "report-2026-10.pdf"},
		{"Tuesday 1 December", time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), "report-2026-11.pdf", "report-2026-10.pdf, report-2026-11.pdf"},
		{"New Year's Day is no working day", time.Date(2027, 1, 1, 10, 0, 0, 0, loc), "", "report-2026-10.pdf, report-2026-11.pdf"},
		{"nor is the weekend after it", time.Date(2027, 1, 3, 10, 0, 0, 0, loc), "", "report-2026-10.pdf, report-2026-11.pdf"},
		{"Monday 4 January", time.Date(2027, 1, 4, 0, 5, 0, 0, loc), "report-2026-12.pdf", "report-2026-10.pdf, report-2026-11.pdf, report-2026-12.pdf"},
		{"the day after", time.Date(2027, 1, 5, 8, 0, 0, 0, loc), "", "report-2026-10.pdf, report-2026-11.pdf, report-2026-12.pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A new scheduler each time, as after a restart of the service.
			m, err := newMonthlyReports(cfg, st, discardLogger(), loc, func() time.Time { return tc.now })
			if err != nil {
				t.Fatal(err)
			}
			m.announce = slackAnnouncer(slack.New("xoxb-test", slack.OptionAPIURL(fake.srv.GetAPIURL())), []string{"C-granskning"})
			got, err := m.Check(ctx)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if filepath.Base(got) != tc.wantFile && !(got == "" && tc.wantFile == "") {
				t.Errorf("written: got %q, want %q", got, tc.wantFile)
			}
			if got := files(); got != tc.wantFiles {
				t.Errorf("files: got %q, want %q", got, tc.wantFiles)
			}
		})
	}
	audit, err := st.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, e := range audit {
		if e.Action == "report.monthly" {
			months = append(months, e.Subject)
		}
	}
	if got, want := strings.Join(months, ", "), "report/2026-10, report/2026-11, report/2026-12"; got != want {
		t.Errorf("audit log: got %q, want %q", got, want)
	}
	posts, _, _ := fake.snapshot()
	var told []string
	for _, p := range posts {
		told = append(told, p.Get("channel")+": "+p.Get("text"))
	}
	if len(told) != 3 || !strings.HasPrefix(told[0], "C-granskning: Månadsrapporten för oktober 2026 är klar: 0 kommentarer") ||
		!strings.HasSuffix(told[2], "https://uppsikt.arsby.se/report?month=2026-12") {
		t.Errorf("Slack: got %q, want the three reports told once each, with a link", told)
	}
}

// TestReportWebPage shows the monthly report on the web page in Swedish,
// Danish and English: the reader's words only, categories in words, the
// charts as inline SVG under the page's policy.
func TestReportWebPage(t *testing.T) {
	// The rig's second comment (harassment) is by the account itself
	// (author id 1, the page's id): it is not counted as a comment seen
	// nor flagged.
	r := newReviewRig(t)
	ctx := context.Background()
	if _, err := r.dec.Decide(ctx, decide.Request{CaseID: r.cases[1].ID, Kind: moderation.DecideKeep, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
		t.Fatal(err)
	}
	admin := signIn(t, r.srv.URL, "archivist", testPassword)
	get := func(lang, path string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest("GET", r.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", lang)
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		if _, err := fmt.Fprint(&b, readAll(t, resp)); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, b.String()
	}
	only := map[string][]string{
		"sv": {"Månadsrapport", "Borttagna", "Granskningstid", "inga frågor", "Inaktiva konton"},
		"da": {"Månedsrapport", "Fjernede", "Behandlingstid", "ingen spørgsmål", "Inaktive konti"},
		"en": {"Monthly report", "Removed", "Review time", "no questions", "Inactive accounts"},
	}
	for _, tc := range []struct {
		lang, path string
		want       []string
	}{
		{"sv", "/report?month=2026-11", []string{"Månadsrapport november 2026", "personnummer", "reklam", "Kommunen", "Totalt", "Svarsklockan har inga uppgifter för månaden: inga frågor.", "Inaktiva konton"}},
		{"da", "/report?month=2026-11", []string{"Månedsrapport november 2026", "CPR-nummer", "reklame", "I alt", "Svaruret har ingen oplysninger"}},
		{"en", "/report?month=2026-11", []string{"Monthly report November 2026", "identity number", "advertising", "Total", "no questions"}},
		{"en", "/report", []string{"Monthly report October 2026", "No comments were flagged.", "No cases were decided."}},
	} {
		t.Run(tc.lang+" "+tc.path, func(t *testing.T) {
			code, h, body := get(tc.lang, tc.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200", tc.path, code)
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("policy: got %q, want the page's strict one", csp)
			}
			text := visibleText(body)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("got no %q, want it:\n%s", w, text)
				}
			}
			for lang, words := range only {
				for _, w := range words {
					if lang != tc.lang && strings.Contains(text, w) {
						t.Errorf("got the %s words %q on a page in %s", lang, w, tc.lang)
					}
				}
			}
			if m := regexp.MustCompile(`\b(personal_id|harassment_|advertising_|sensitive_data|party_politics)\b`).FindString(text); m != "" {
				t.Errorf("got the category code %q, want words", m)
			}
			svg := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1)
			if len(svg) == 0 {
				t.Fatalf("got no inline SVG chart")
			}
			for _, s := range svg {
				if strings.Contains(s, "style=") || strings.Contains(s, "<script") || strings.Contains(s, "href") {
					t.Errorf("an SVG chart has a style attribute, script or link, which the policy blocks: %s", s)
				}
			}
			if tc.path != "/report" && !strings.Contains(body, "<polyline") {
				t.Errorf("got no line chart")
			}
		})
	}
	if code, _, _ := get("sv", "/report?month=november"); code != http.StatusBadRequest {
		t.Errorf("GET /report?month=november: got %d, want 400", code)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestReportPageInBrowser shows the monthly report of a store filled from
// the emulator's demo scenario in Chromium, checks it with axe-core and
// saves docs/screens/monthly-report-web.png when UPPSIKT_SCREENS is set.
func TestReportPageInBrowser(t *testing.T) {
	axe := axeSource(t)
	bctx := newBrowser(t)
	_, cfg, st := demoStore(t)
	addUser(t, st, "arkivarie", moderation.RoleArchivist)
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	web, err := review.New(review.Options{Store: st, Users: st, Municipality: cfg.Municipality.Name, Language: "sv", Location: loc,
		ReportPDF: renderReport(cfg, st, loc), AnswerClock: reportAnswerClock(cfg, st)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	signInBrowser(t, bctx, srv.URL, "arkivarie", testPassword)
	// Last month, a whole one (the page's default).
	browse(t, bctx, "the monthly report",
		chromedp.Navigate(srv.URL+"/report"),
		chromedp.WaitVisible(`svg.chart`),
	)
	checkAccessible(t, bctx, axe, "/report")
	n := value(t, bctx, "the charts", chromedp.Evaluate[int](`document.querySelectorAll('svg.chart rect').length`))
	if n < 3 {
		t.Errorf("charts: got %d bars and legend marks, want the category bars drawn", n)
	}
	w := value(t, bctx, "the chart's width", chromedp.Evaluate[float64](`document.querySelector('svg.chart').getBoundingClientRect().width`))
	if w < 100 {
		t.Errorf("the bar chart is %v px wide, want it drawn", w)
	}
	screenshot(t, bctx, "monthly-report-web")
}
