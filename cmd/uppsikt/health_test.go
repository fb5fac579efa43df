package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/health"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

// facebookKey is the rig's Facebook page.
func facebookKey(t *testing.T, r *supRig) string {
	t.Helper()
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			return k
		}
	}
	t.Fatal("the scenario has no Facebook page")
	return ""
}

// codes are the codes of an account's warnings in a report.
func codes(t *testing.T, rep moderation.HealthReport, key string) []moderation.HealthCode {
	t.Helper()
	ah, ok := rep.Account(key)
	if !ok {
		t.Fatalf("no %s in the report", key)
	}
	var out []moderation.HealthCode
	for _, w := range ah.Warnings {
		out = append(out, w.Code)
	}
	return out
}

// TestHealthDailyCheckAgainstEmulator: the daily check asks the emulator
// over HTTP with debug_token and GET subscribed_apps and records the
// answers: an unsubscribed page is "webhook_missing" until it is
// subscribed, a revoked token is "token_invalid". The check is made again
// only when a day has passed, and the token is never logged.
func TestHealthDailyCheckAgainstEmulator(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	h := newHarness(t, r)
	ctx := context.Background()
	fb := facebookKey(t, r)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chk := newHealthChecker(r.config(t), h.st, log, healthOptions{graph: healthGraph{client: h.sup.client, conn: h.sup.facebook}, now: r.clock.Now})
	page := moderation.Account{Key: fb, Platform: moderation.Facebook, PlatformID: r.keys[fb].ID}

	for _, step := range []struct {
		name     string
		do       func(t *testing.T)
		requests int // Graph requests the round sends
		want     []moderation.HealthCode
		notWant  []moderation.HealthCode
	}{
		{"first check: valid token, page not subscribed", func(*testing.T) {}, 3,
			[]moderation.HealthCode{moderation.HealthWebhookMissing}, []moderation.HealthCode{moderation.HealthTokenInvalid}},
		{"an hour later nothing is asked again", func(*testing.T) { r.clock.Advance(time.Hour) }, 0,
			[]moderation.HealthCode{moderation.HealthWebhookMissing}, nil},
		{"subscribed, a day later", func(t *testing.T) {
			if err := h.sup.facebook.Subscribe(ctx, page); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(24 * time.Hour)
		}, 3, nil, []moderation.HealthCode{moderation.HealthWebhookMissing, moderation.HealthTokenInvalid}},
		{"token revoked in the emulator, a day later", func(*testing.T) {
			r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: r.keys[fb].ID, Count: 1})
			r.clock.Advance(24 * time.Hour)
		}, -1, []moderation.HealthCode{moderation.HealthTokenInvalid}, nil},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.do(t)
			r.emu.ResetStats()
			if err := chk.Round(ctx); err != nil {
				t.Fatalf("Round: %v", err)
			}
			if got := r.emu.Stats().Total; step.requests >= 0 && got != step.requests {
				t.Errorf("requests: got %d, want %d", got, step.requests)
			}
			rep, err := chk.Report(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := codes(t, rep, fb)
			for _, c := range step.want {
				if !slices.Contains(got, c) {
					t.Errorf("warnings of %s: got %v, want %s among them", fb, got, c)
				}
			}
			for _, c := range step.notWant {
				if slices.Contains(got, c) {
					t.Errorf("warnings of %s: got %v, want no %s", fb, got, c)
				}
			}
		})
	}
	f, err := h.st.AccountFacts(ctx, fb)
	if err != nil {
		t.Fatal(err)
	}
	if f.Token.Valid || f.Token.CheckedAt.IsZero() || f.Token.Error != "" {
		t.Errorf("recorded token check: got %+v, want checked and not valid", f.Token)
	}
	for _, a := range r.keys {
		if strings.Contains(logs.String(), a.Token) {
			t.Errorf("the log holds the token of %s:\n%s", a.ID, logs.String())
		}
	}
}

// healthzOf reads /healthz: the status code and the body.
func healthzOf(t *testing.T, url string) (int, review.Health) {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var h review.Health
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("/healthz: got %q (%d), want JSON: %v", b, resp.StatusCode, err)
	}
	return resp.StatusCode, h
}

// TestHealthzDegradedWhileAccountDisconnected: the emulator revokes the
// page's token, the poller disconnects the account, and /healthz answers
// 503 naming it; when Meta restores the token the probe reconnects the
// account and /healthz answers 200 ok again.
func TestHealthzDegradedWhileAccountDisconnected(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	h := newHarness(t, r)
	fb := facebookKey(t, r)
	cfg := r.config(t)
	chk := newHealthChecker(cfg, h.st, discardLogger(), healthOptions{now: r.clock.Now,
		capture: func() moderation.CaptureHealth { return moderation.CaptureHealth{} }})
	web, err := review.New(review.Options{Store: h.st, Users: h.st, Health: chk.Report, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)

	// The pipeline is not running here: the work a poll queues is taken
	// as done, so that only the account makes the service degraded.
	cycle := func() {
		h.cycle(false)
		items, err := h.st.PendingWork(context.Background(), time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range items {
			if err := h.st.CompleteWork(context.Background(), w.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	problem := moderation.HealthProblem{Code: moderation.HealthDisconnected, Account: fb}
	for _, step := range []struct {
		name       string
		do         func()
		wantCode   int
		wantStatus string
		named      bool
	}{
		{"polled", cycle, http.StatusOK, "ok", false},
		{"token revoked", func() {
			r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Account: r.keys[fb].ID, Count: 1})
			r.clock.Advance(3 * time.Hour)
			cycle()
		}, http.StatusServiceUnavailable, "degraded", true},
		{"token restored, probed", func() {
			r.emu.ResetTokens("")
			r.clock.Advance(16 * time.Minute)
			cycle()
		}, http.StatusOK, "ok", false},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.do()
			code, got := healthzOf(t, srv.URL)
			if code != step.wantCode || got.Status != step.wantStatus || slices.Contains(got.Problems, problem) != step.named {
				t.Errorf("got %d %s %v, want %d %s with %v named: %v", code, got.Status, got.Problems, step.wantCode, step.wantStatus, problem, step.named)
			}
		})
	}
}

// TestAccountsCommand: `uppsikt accounts` prints the register and the
// warnings in words, and -json the codes; it changes nothing in the store.
func TestAccountsCommand(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	fb := facebookKey(t, r)
	ig := registerEdits(t, r)
	h := newHarness(t, r)
	h.cycle(false)
	st := h.st
	before, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seq := func() int64 {
		es, err := st.AuditLog(context.Background(), 0, 0)
		if err != nil || len(es) == 0 {
			return 0
		}
		return es[len(es)-1].Seq
	}
	seqBefore := seq()

	code, out, errOut := r.run(t, "accounts", "-config", r.cfgPath)
	if code != 0 {
		t.Fatalf("exit: got %d, want 0\n%s%s", code, out, errOut)
	}
	t.Logf("uppsikt accounts:\n%s", out)
	lines := strings.Split(out, "\n")
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"the header names every column", strings.Join(strings.Fields(lines[0]), " ") ==
			"KEY PLATFORM NAME OWNERS SUBSTITUTES PURPOSE LAST POLL LAST OWN POST TOKEN EXPIRES WARNINGS"},
		{"the page's line has its purpose", lineOf(lines, fb) != "" && strings.Contains(lineOf(lines, fb), "Information till invånarna")},
		{"the Instagram account has no_substitute", strings.Contains(lineOf(lines, ig), "no_substitute")},
		{"the warning in the municipality's words", strings.Contains(out, "Ingen ersättare utsedd vid frånvaro.")},
		{"the page has a last poll", !strings.Contains(strings.Join(strings.Fields(lineOf(lines, fb))[0:8], " "), " - - ")},
	} {
		if !tc.ok {
			t.Errorf("%s: got\n%s", tc.name, out)
		}
	}

	code, out, errOut = r.run(t, "accounts", "-config", r.cfgPath, "-json")
	if code != 0 {
		t.Fatalf("-json exit: got %d, want 0\n%s", code, errOut)
	}
	var got struct {
		Accounts []struct {
			Key         string   `json:"key"`
			Purpose     string   `json:"purpose"`
			Substitutes []string `json:"substitutes"`
			Facts       struct {
				LastPollOK time.Time `json:"last_poll_ok"`
			} `json:"facts"`
			Warnings []struct {
				Code string `json:"code"`
				Text string `json:"text"`
			} `json:"warnings"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	byKey := map[string]int{}
	for i, a := range got.Accounts {
		byKey[a.Key] = i
	}
	if a := got.Accounts[byKey[fb]]; a.Purpose != "Information till invånarna" || a.Facts.LastPollOK.IsZero() {
		t.Errorf("-json %s: got purpose %q, last poll %v; want the purpose and a poll", fb, a.Purpose, a.Facts.LastPollOK)
	}
	a := got.Accounts[byKey[ig]]
	if len(a.Substitutes) != 0 || !slices.ContainsFunc(a.Warnings, func(w struct {
		Code string `json:"code"`
		Text string `json:"text"`
	}) bool {
		return w.Code == "no_substitute" && w.Text != ""
	}) {
		t.Errorf("-json %s: got %+v, want no_substitute with its text", ig, a)
	}

	after, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after != before || seq() != seqBefore {
		t.Errorf("the store changed: stats %+v → %+v, audit seq %d → %d", before, after, seqBefore, seq())
	}
}

// lineOf is the line of the table that starts with key.
func lineOf(lines []string, key string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, key+" ") {
			return l
		}
	}
	return ""
}

// registerEdits gives the rig's Facebook page a purpose and takes the
// Instagram account's substitute away; it returns the Instagram key.
func registerEdits(t *testing.T, r *supRig) string {
	t.Helper()
	b, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "    owners: [a]\n", "    owners: [a]\n    purpose: Information till invånarna\n", 1)
	var ig string
	for k, a := range r.keys {
		if a.Platform == "instagram" {
			ig = k
		}
	}
	i := strings.Index(text, "key: "+ig)
	if i < 0 || !strings.Contains(text[:i], "purpose:") {
		t.Fatalf("the configuration is not as the test expects:\n%s", text)
	}
	text = text[:i] + strings.Replace(text[i:], "    substitutes: [b]\n", "", 1)
	if err := os.WriteFile(r.cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return ig
}

// TestOverviewShowsHealthInTheReadersLanguage: the overview's accounts
// table has a health column with each account's warnings in words, in the
// reader's language, and the purpose from the account register.
func TestOverviewShowsHealthInTheReadersLanguage(t *testing.T) {
	r := newSupRig(t, loadSV(t))
	ig := registerEdits(t, r)
	h := newHarness(t, r)
	h.cycle(false)
	cfg := r.config(t)
	chk := newHealthChecker(cfg, h.st, discardLogger(), healthOptions{now: r.clock.Now,
		capture: func() moderation.CaptureHealth {
			return moderation.CaptureHealth{Degraded: true, Reason: "chromium_missing"}
		}})
	web, err := review.New(review.Options{Store: h.st, Users: h.st, Health: chk.Report, Language: "sv", Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	addUser(t, h.st, "moderator", moderation.RoleModerator)
	c := signIn(t, srv.URL, "moderator", testPassword)
	overview := func(lang string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", lang)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("overview in %s: %d\n%s", lang, resp.StatusCode, b)
		}
		return string(b)
	}
	for _, tc := range []struct {
		lang string
		want []string
		not  []string
	}{
		{"da", []string{">Sundhed</th>", "Ingen stedfortræder udpeget ved fravær.", "Beviserne mangler skærmbilleder eller PDF/A: chromium_missing.",
			"Formål: Information till invånarna", `data-code="no_substitute"`},
			[]string{"Ingen ersättare utsedd", "No substitute named"}},
		{"en", []string{">Health</th>", "No substitute named for absences.", "Evidence lacks screenshots or PDF/A: chromium_missing.",
			"Purpose: Information till invånarna"},
			[]string{"Ingen stedfortræder", "Ingen ersättare utsedd"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			body := overview(tc.lang)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("got no %q in the overview", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("got %q in the overview, want the other language's words", w)
				}
			}
			// The warning is on the Instagram account's row, not the page's.
			row := body[strings.Index(body, `<span class="key">`+ig+`</span>`):]
			row = row[:strings.Index(row, "</tr>")]
			if !strings.Contains(row, `data-code="no_substitute"`) {
				t.Errorf("no_substitute is not on %s's row:\n%s", ig, row)
			}
		})
	}
}

// TestSlackHealthAlertsOncePerNewWarning: each new warning is posted once
// to the account's review channel, in the municipality's language, and
// remembered across a restart (the audit log); a warning that went away
// and came back is posted again.
func TestSlackHealthAlertsOncePerNewWarning(t *testing.T) {
	r := newReviewRig(t)
	f := newFakeSlack(t)
	ctx := context.Background()
	notifier := func() *uslack.Notifier {
		return uslack.New(uslack.Options{
			Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
			Store:  r.st, Users: r.st, Decide: r.dec, Language: "en",
			Channel: func(k string) string { return map[string]string{"fb": "C1"}[k] },
		})
	}
	chk := health.New(health.Options{Store: r.st, Now: r.clock, Accounts: []health.Register{{Account: moderation.Account{
		Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Owners: []string{"anna"}}}}})
	alerts := uslack.NewHealthAlerts(notifier())
	posted := func() []string {
		posts, _, _ := f.snapshot()
		var out []string
		for _, p := range posts {
			if strings.Contains(p.Get("text"), "Account health") {
				out = append(out, p.Get("channel")+" "+p.Get("text"))
			}
		}
		return out
	}
	poll := func(ago time.Duration, class string) {
		if err := r.st.RecordPoll(ctx, "fb", r.clock().Add(-ago), class); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name    string
		do      func()
		restart bool
		want    []string // the texts of the alerts posted by this step
	}{
		{"no substitute", func() {}, false, []string{"C1 ", "Kommunen", "No substitute named for absences.", "Responsible: anna. Substitutes: -."}},
		{"the same warning again", func() {}, false, nil},
		{"after a restart", func() {}, true, nil},
		{"polling failing for two hours", func() { poll(2*time.Hour, "throttled"); poll(0, "throttled") }, false, []string{"Polling has failed since", "throttled"}},
		{"polling works again: the account never posted", func() { poll(0, "") }, false, []string{"No post by the account has been seen"}},
		{"polling fails again for over an hour", func() { r.advance(2 * time.Hour); poll(90*time.Minute, "token"); poll(0, "token") }, false, []string{"Polling has failed since"}},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := len(posted())
			step.do()
			if step.restart {
				alerts = uslack.NewHealthAlerts(notifier())
			}
			rep, err := chk.Report(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := alerts.Alert(ctx, rep); err != nil {
				t.Fatal(err)
			}
			got := posted()[before:]
			if (step.want == nil) != (len(got) == 0) || len(got) > 1 {
				t.Fatalf("posted: got %q, want %d alert(s) with %q", got, min(len(step.want), 1), step.want)
			}
			for _, w := range step.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("alert: got %q, want it to contain %q", got[0], w)
				}
			}
		})
	}
}

// TestCaptureState: capture is degraded when it is wanted and Chromium or
// Ghostscript cannot be found, or the last evidence PDF came out without
// screenshots or PDF/A; never when it is disabled on purpose.
func TestCaptureState(t *testing.T) {
	dir := t.TempDir()
	browser := dir + "/chromium"
	if err := os.WriteFile(browser, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	gs, err := os.Executable() // any program found on disk stands in for gs: only its presence is looked at
	if err != nil {
		t.Fatal(err)
	}
	shot := []pdfShot{{}}
	for _, tc := range []struct {
		name  string
		state *captureState
		last  *evidenceDoc
		want  moderation.CaptureHealth
	}{
		{"both found, nothing made yet", &captureState{chromium: browser, gs: gs}, nil, moderation.CaptureHealth{}},
		{"Chromium missing", &captureState{chromium: dir + "/none", gs: gs}, nil,
			moderation.CaptureHealth{Degraded: true, Reason: "chromium_missing"}},
		{"Ghostscript missing", &captureState{chromium: browser, gs: dir + "/no-gs"}, nil,
			moderation.CaptureHealth{Degraded: true, Reason: "ghostscript_missing"}},
		{"disabled on purpose", &captureState{disabled: true, chromium: dir + "/none", gs: dir + "/no-gs"}, nil,
			moderation.CaptureHealth{Disabled: true}},
		{"the last PDF had no screenshot", &captureState{chromium: browser, gs: gs}, &evidenceDoc{PDFA: true},
			moderation.CaptureHealth{Degraded: true, Reason: "capture_failing"}},
		{"the last PDF is not PDF/A", &captureState{chromium: browser, gs: gs}, &evidenceDoc{PDFA: false, Screenshots: shot},
			moderation.CaptureHealth{Degraded: true, Reason: "pdfa_failing"}},
		{"the last PDF as it should be", &captureState{chromium: browser, gs: gs}, &evidenceDoc{PDFA: true, Screenshots: shot},
			moderation.CaptureHealth{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.state
			if tc.last != nil {
				c.observe(*tc.last)
			}
			if got := c.Health(); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

type (
	evidenceDoc = evidencepdf.Document
	pdfShot     = pdf.Screenshot
)

// TestHealthzCaptureAndStalledWork: evidence capture degraded and work
// waiting longer than health.work_stalled_after make /healthz 503, each
// named once for the service.
func TestHealthzCaptureAndStalledWork(t *testing.T) {
	r := newReviewRig(t)
	degraded := false
	chk := health.New(health.Options{Store: r.st, Now: r.clock, StalledAfter: time.Hour,
		Capture: func() moderation.CaptureHealth {
			return moderation.CaptureHealth{Degraded: degraded, Reason: map[bool]string{true: "ghostscript_missing"}[degraded]}
		},
		Accounts: []health.Register{{Account: moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen",
			Owners: []string{"anna"}, Substitutes: []string{"bertil"}}}}})
	web, err := review.New(review.Options{Store: r.st, Users: r.st, Health: chk.Report, Now: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	for _, step := range []struct {
		name     string
		do       func()
		wantCode int
		want     []moderation.HealthProblem
	}{
		{"four comments wait, just queued", func() {}, http.StatusOK, nil},
		{"Ghostscript missing", func() { degraded = true }, http.StatusServiceUnavailable,
			[]moderation.HealthProblem{{Code: moderation.HealthCaptureDegraded}}},
		{"installed again", func() { degraded = false }, http.StatusOK, nil},
		{"the queued work waits for over an hour", func() { r.advance(61 * time.Minute) }, http.StatusServiceUnavailable,
			[]moderation.HealthProblem{{Code: moderation.HealthWorkStalled}}},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.do()
			code, got := healthzOf(t, srv.URL)
			if code != step.wantCode || !slices.Equal(got.Problems, step.want) {
				t.Errorf("got %d %v, want %d %v", code, got.Problems, step.wantCode, step.want)
			}
		})
	}
}
