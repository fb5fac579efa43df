package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// reviewRig is a store with flagged comments and open cases, the decision
// service and the web page over it.
type reviewRig struct {
	st     *sqlite.Store
	evDir  string // the web page's evidence folder
	dec    *decide.Service
	exec   *act.Executor // follows the decisions; it has no platform to send to
	web    *review.Server
	srv    *httptest.Server
	cases  []moderation.Case
	now    time.Time
	clock  func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

const (
	xssText   = `Hej <script>document.title="pwned"</script><img src=x onerror="document.title='pwned'"> 199001011234 "citat" & mer`
	xssAuthor = `<img src=x onerror="document.title='pwned'">Eve`
)

func newReviewRig(t *testing.T, fourEyes ...string) *reviewRig {
	t.Helper()
	return newReviewRigWith(t, rigOptions{fourEyes: fourEyes})
}

// rigOptions change the review rig: the categories whose removal needs two
// reviewers, and the grace for undoing an approval (zero: none).
type rigOptions struct {
	fourEyes []string
	grace    time.Duration
}

func newReviewRigWith(t *testing.T, o rigOptions) *reviewRig {
	t.Helper()
	ctx := context.Background()
	r := &reviewRig{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	r.clock = func() time.Time {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.now.Add(r.offset)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"), sqlite.WithClock(r.clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Owners: []string{"anna"}, Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: "1_1", Message: "Snöröjning i veckan", CreatedAt: r.now, FirstSeenAt: r.now, PermalinkURL: "https://facebook.example/1_1"}); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{xssText, "Du är en idiot", "Köp billiga klockor på spam.example", "Ring mig på 070-1234567"} {
		author := moderation.Author{ID: fmt.Sprint(i), Name: "Medborgare " + fmt.Sprint(i)}
		if i == 0 {
			author.Name = xssAuthor
		}
		res, err := st.RecordComment(ctx, moderation.CommentObservation{
			AccountKey: "fb", PostID: "1_1", PlatformID: fmt.Sprintf("1_1_%d", i), Author: author,
			Message: text, CreatedAt: r.now, Source: moderation.SourcePoll, SeenAt: r.now,
			PermalinkURL: fmt.Sprintf("https://facebook.example/1_1?comment=%d", i),
		})
		if err != nil {
			t.Fatal(err)
		}
		cat := []string{moderation.CatPersonalID, moderation.CatHarassment, moderation.CatAdvertising, moderation.CatPersonalID}[i]
		v := moderation.Verdict{Categories: []string{cat}}
		if i == 0 {
			start := strings.Index(text, "199001011234")
			v.Hits = []moderation.Hit{{RuleID: "sv.personnummer", Category: cat, Start: start, End: start + 12, Match: "199001011234", Citation: moderation.Citation{Document: "Riktlinjer", Section: "3.2"}}}
		}
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, Verdict: v, At: r.now}); err != nil {
			t.Fatal(err)
		}
		c, _, err := st.OpenCase(ctx, moderation.Case{CommentID: res.CommentID, Version: 1, Categories: []string{cat}, OpenedAt: r.now})
		if err != nil {
			t.Fatal(err)
		}
		r.cases = append(r.cases, c)
	}
	r.dec = decide.New(decide.Options{Store: st, FourEyes: o.fourEyes, Now: r.clock, Grace: o.grace})
	r.evDir = t.TempDir()
	r.exec = act.New(act.Options{Store: st, Now: r.clock, Grace: o.grace})
	r.web, err = review.New(review.Options{Store: st, Users: st, Decide: r.dec, Search: st.SearchComments, Language: "sv", Now: r.clock, EvidenceDir: r.evDir,
		ReplyPreview: r.exec.ReplyPreview})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(r.web)
	t.Cleanup(r.srv.Close)
	for _, role := range moderation.Roles() {
		addUser(t, st, string(role), role)
	}
	addUser(t, st, "moderator2", moderation.RoleModerator)
	return r
}

func (r *reviewRig) advance(d time.Duration) {
	r.mu.Lock()
	r.offset += d
	r.mu.Unlock()
}

func TestDecideRemoveQueuesActionsRegistersAndAudits(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	c := r.cases[1]
	out, err := r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: moderation.DecideRemove, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb, Reason: "personangrepp"})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got, want := out.Case.State, moderation.CaseApproved; got != want {
		t.Errorf("case state: got %s, want %s", got, want)
	}
	acts, err := r.st.Actions(ctx, c.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, a := range acts {
		kinds[a.Kind] = a.CaseID == c.ID && a.State == moderation.ActionPending
	}
	if !kinds[moderation.ActDelete] || !kinds[moderation.ActReply] || len(acts) != 2 {
		t.Errorf("actions: got %+v, want a pending delete and reply tied to case %d", acts, c.ID)
	}
	entries, _ := r.st.RegisterEntries(ctx, 2026)
	if len(entries) != 1 || entries[0].CaseID != c.ID || out.Register == nil || out.Register.Number != entries[0].Number {
		t.Errorf("register: got %+v (outcome %+v), want one entry for case %d", entries, out.Register, c.ID)
	}
	log, _ := r.st.AuditLog(ctx, 0, 0)
	var found bool
	for _, e := range log {
		if e.Action == "decision.remove" && e.Actor == "moderator" && e.Subject == fmt.Sprintf("case/%d", c.ID) {
			var d map[string]any
			if err := json.Unmarshal(e.Detail, &d); err != nil {
				t.Fatal(err)
			}
			found = d["surface"] == "web" && d["reason"] == "personangrepp" && !e.At.IsZero()
		}
	}
	if !found {
		t.Errorf("audit log lacks the decision with who, when, surface and reason: %+v", log)
	}
	// A double click: the second is told who decided first, nothing twice.
	_, err = r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: moderation.DecideRemove, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb})
	var conflict *moderation.ConflictError
	if !errors.As(err, &conflict) || conflict.Existing.By != "moderator" || conflict.Existing.Kind != moderation.DecideRemove {
		t.Errorf("second click: got %v, want a conflict naming moderator's removal", err)
	}
	if acts2, _ := r.st.Actions(ctx, c.CommentID); len(acts2) != 2 {
		t.Errorf("actions after a double click: got %d, want 2", len(acts2))
	}
}

func TestDecideRacingReviewersGiveOneOutcome(t *testing.T) {
	r := newReviewRig(t)
	c := r.cases[2]
	var wg sync.WaitGroup
	results := make([]error, 8)
	kinds := []string{moderation.DecideRemove, moderation.DecideKeep}
	for i := range results {
		wg.Go(func() {
			_, results[i] = r.dec.Decide(context.Background(), decide.Request{CaseID: c.ID, Kind: kinds[i%2], By: fmt.Sprintf("rev%d", i), Role: moderation.RoleModerator, Surface: decide.SurfaceSlack})
		})
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range results {
		var ce *moderation.ConflictError
		switch {
		case err == nil:
			wins++
		case errors.As(err, &ce) && ce.Existing.By != "":
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != 7 {
		t.Errorf("racing reviewers: got %d wins and %d conflicts, want 1 and 7", wins, conflicts)
	}
	ds, _ := r.st.Decisions(context.Background(), c.ID)
	if len(ds) != 1 {
		t.Errorf("decisions stored: got %d, want 1", len(ds))
	}
}

func TestDecideRolesEscalationFourEyesKeepRegister(t *testing.T) {
	r := newReviewRig(t, moderation.CatPersonalID)
	ctx := context.Background()
	req := func(c moderation.Case, kind, by string, role moderation.Role) (decide.Outcome, error) {
		return r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: kind, By: by, Role: role, Surface: decide.SurfaceWeb})
	}
	for _, role := range []moderation.Role{moderation.RoleViewer, moderation.RoleArchivist} {
		if _, err := req(r.cases[1], moderation.DecideRemove, string(role), role); !errors.Is(err, decide.ErrForbidden) {
			t.Errorf("%s removes: got %v, want ErrForbidden", role, err)
		}
	}
	if _, err := req(r.cases[1], "delete-everything", "admin", moderation.RoleAdmin); !errors.Is(err, decide.ErrInvalid) {
		t.Errorf("unknown kind: got %v, want ErrInvalid", err)
	}
	// Escalated cases are for administrators.
	if out, err := req(r.cases[1], moderation.DecideEscalate, "moderator", moderation.RoleModerator); err != nil || out.Case.State != moderation.CaseEscalated {
		t.Fatalf("escalate: got %+v, %v", out.Case, err)
	}
	if _, err := req(r.cases[1], moderation.DecideKeep, "moderator2", moderation.RoleModerator); !errors.Is(err, decide.ErrForbidden) {
		t.Errorf("moderator decides an escalated case: got %v, want ErrForbidden", err)
	}
	if out, err := req(r.cases[1], moderation.DecideKeep, "admin", moderation.RoleAdmin); err != nil || out.Case.State != moderation.CaseKept || len(out.Actions) != 0 {
		t.Errorf("admin keeps: got %+v, %v, want kept with no action (uppsikt hid nothing)", out, err)
	}
	// Four eyes: personal_id removals need two different reviewers.
	c := r.cases[3]
	out, err := req(c, moderation.DecideRemove, "moderator", moderation.RoleModerator)
	if err != nil || !out.AwaitingSecond || out.Case.State != moderation.CaseEscalated || len(out.Actions) != 0 {
		t.Fatalf("first approval: got %+v, %v, want awaiting a second reviewer with no action", out, err)
	}
	var ce *moderation.ConflictError
	if _, err := req(c, moderation.DecideRemove, "moderator", moderation.RoleModerator); !errors.As(err, &ce) || ce.Existing.By != "moderator" {
		t.Errorf("same reviewer again: got %v, want a conflict naming the first approval", err)
	}
	out, err = req(c, moderation.DecideRemove, "moderator2", moderation.RoleModerator)
	if err != nil || out.Case.State != moderation.CaseApproved || len(out.Actions) != 2 || out.Register == nil {
		t.Errorf("second approval: got %+v, %v, want approved with delete, reply and register", out, err)
	}
	// Keep unhides what uppsikt hid.
	c = r.cases[2]
	a, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, Kind: moderation.ActHide})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.FinishAction(ctx, a.ID, moderation.ActionDone, "", ""); err != nil {
		t.Fatal(err)
	}
	out, err = req(c, moderation.DecideKeep, "moderator", moderation.RoleModerator)
	if err != nil || len(out.Actions) != 1 || out.Actions[0].Kind != moderation.ActUnhide {
		t.Errorf("keep a hidden comment: got %+v, %v, want one unhide", out.Actions, err)
	}
	// Register only.
	out, err = req(r.cases[0], moderation.DecideRegister, "admin", moderation.RoleAdmin)
	if err != nil || out.Case.State != moderation.CaseRegistered || out.Register == nil || len(out.Actions) != 0 {
		t.Errorf("register only: got %+v, %v", out, err)
	}
}

// route is a concrete request for a route pattern.
func concrete(r *reviewRig, rt review.Route) string {
	p := rt.Pattern
	p = strings.ReplaceAll(p, "{$}", "")
	p = strings.ReplaceAll(p, "{id}", fmt.Sprint(r.cases[1].ID))
	if p == "/static/" {
		p = "/static/uppsikt.css"
	}
	if p == "/evidence/"+fmt.Sprint(r.cases[1].ID) {
		p = "/evidence/999"
	}
	return p
}

// TestReviewRoutesByRole walks every route of the web page as every role and
// as someone signed out.
func TestReviewRoutesByRole(t *testing.T) {
	r := newReviewRig(t)
	clients := map[string]*http.Client{"signed out": {CheckRedirect: noRedirect}}
	for _, role := range moderation.Roles() {
		c := signIn(t, r.srv.URL, string(role), testPassword)
		c.CheckRedirect = noRedirect
		clients[string(role)] = c
	}
	tokens := map[string]string{}
	for name, c := range clients {
		if name != "signed out" {
			c.CheckRedirect = nil
			tokens[name] = formToken(t, c, r.srv.URL+"/cases")
			c.CheckRedirect = noRedirect
		}
	}
	routes := r.web.Routes()
	if len(routes) < 14 {
		t.Fatalf("Routes: got %d, want every page and form", len(routes))
	}
	for _, rt := range routes {
		if rt.Pattern == "/logout" {
			continue // walked last, below
		}
		for _, who := range append([]string{"signed out"}, rolesNames()...) {
			t.Run(rt.Method+" "+rt.Pattern+" as "+who, func(t *testing.T) {
				path := concrete(r, rt)
				var resp *http.Response
				var err error
				c := clients[who]
				if rt.Method == http.MethodPost {
					form := url.Values{"csrf": {tokens[who]}, "kind": {"keep"}, "lang": {"en"}, "next": {"/cases"}}
					resp, err = c.PostForm(r.srv.URL+path, form)
				} else {
					resp, err = c.Get(r.srv.URL + path)
				}
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				got := resp.StatusCode
				allowed := rt.Roles == nil || containsRole(rt.Roles, who)
				switch {
				case rt.Roles == nil:
					if got >= 500 {
						t.Errorf("public route: got %d", got)
					}
				case who == "signed out" && rt.Method == http.MethodGet:
					if got != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
						t.Errorf("signed out: got %d to %q, want 303 to /login", got, resp.Header.Get("Location"))
					}
				case who == "signed out":
					if got != http.StatusUnauthorized {
						t.Errorf("signed out POST: got %d, want 401", got)
					}
				case !allowed:
					if got != http.StatusForbidden {
						t.Errorf("role %s: got %d, want 403", who, got)
					}
				case rt.Pattern == "/evidence/{id}", strings.HasSuffix(rt.Pattern, "/retry"):
					if got != http.StatusNotFound {
						t.Errorf("role %s, unknown evidence or nothing to retry: got %d, want 404", who, got)
					}
				default:
					if got != http.StatusOK && got != http.StatusSeeOther && got != http.StatusConflict {
						t.Errorf("role %s: got %d, want the page (200), a redirect after a form (303) or a decided case (409)", who, got)
					}
				}
			})
		}
	}
	for _, who := range rolesNames() {
		resp, err := clients[who].PostForm(r.srv.URL+"/logout", url.Values{"csrf": {tokens[who]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("logout as %s: got %d, want 303", who, resp.StatusCode)
		}
		resp, err = clients[who].Get(r.srv.URL + "/cases")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after logout as %s: got %d, want 303 to /login", who, resp.StatusCode)
		}
	}
}

func rolesNames() []string {
	var out []string
	for _, r := range moderation.Roles() {
		out = append(out, string(r))
	}
	return out
}

func containsRole(roles []moderation.Role, name string) bool {
	for _, r := range roles {
		if string(r) == name {
			return true
		}
	}
	return false
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TestReviewCSRFSessionsAndRateLimit: forms without the session's token are
// refused and decide nothing; sessions expire; repeated wrong passwords are
// refused for a while even with the right one.
func TestReviewCSRFSessionsAndRateLimit(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	c := signIn(t, r.srv.URL, "moderator", testPassword)
	caseURL := fmt.Sprintf("%s/cases/%d/decide", r.srv.URL, r.cases[1].ID)
	for name, form := range map[string]url.Values{
		"no token":    {"kind": {"remove"}},
		"wrong token": {"kind": {"remove"}, "csrf": {strings.Repeat("0", 64)}},
	} {
		resp, err := c.PostForm(caseURL, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: got %d, want 403", name, resp.StatusCode)
		}
	}
	if ds, _ := r.st.Decisions(ctx, r.cases[1].ID); len(ds) != 0 {
		t.Errorf("a refused form decided the case: %+v", ds)
	}
	// Sign-in without the form's token.
	resp, err := http.PostForm(r.srv.URL+"/login", url.Values{"name": {"moderator"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without token: got %d, want 403", resp.StatusCode)
	}
	// With the token the decision goes through; the cookie is HttpOnly.
	token := formToken(t, c, fmt.Sprintf("%s/cases/%d", r.srv.URL, r.cases[1].ID))
	resp, err = c.PostForm(caseURL, url.Values{"kind": {"remove"}, "csrf": {token}, "confirm": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Borttagningen är godkänd") {
		t.Errorf("decision with token: got %d:\n%s", resp.StatusCode, body)
	}
	// A second reviewer is told who decided.
	c2 := signIn(t, r.srv.URL, "moderator2", testPassword)
	token2 := formToken(t, c2, r.srv.URL+"/cases")
	resp, err = c2.PostForm(caseURL, url.Values{"kind": {"keep"}, "csrf": {token2}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "redan avgjort: moderator godkände borttagning") {
		t.Errorf("second reviewer: got %d, want 409 naming moderator:\n%s", resp.StatusCode, body)
	}
	// Idle expiry.
	r.advance(31 * time.Minute)
	resp, err = c.Get(r.srv.URL + "/cases")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("after 31 idle minutes: ended at %s, want /login", resp.Request.URL.Path)
	}
	// Rate limit: five wrong passwords, then even the right one is refused.
	jarless := &http.Client{}
	try := func(password string) int {
		cl := *jarless
		cl.Jar = newJar()
		token := formToken(t, &cl, r.srv.URL+"/login")
		resp, err := cl.PostForm(r.srv.URL+"/login", url.Values{"csrf": {token}, "name": {"admin"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if got := try("wrong password " + fmt.Sprint(i)); got != http.StatusUnauthorized {
			t.Errorf("wrong password %d: got %d, want 401", i, got)
		}
	}
	if got := try(testPassword); got != http.StatusTooManyRequests {
		t.Errorf("right password after 5 failures: got %d, want 429", got)
	}
	r.advance(16 * time.Minute)
	if got := try(testPassword); got != http.StatusOK {
		t.Errorf("right password after the window: got %d, want 200 (the queue)", got)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := review.HashPassword("ett långt lösenord")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", h, "ett långt lösenord", true},
		{"wrong", h, "ett långt lösenord!", false},
		{"empty hash", "", "x", false},
		{"other scheme", "bcrypt$x", "x", false},
		{"mangled", strings.Replace(h, "$600000$", "$1$", 1), "ett långt lösenord", false},
	} {
		if got := review.CheckPassword(tc.hash, tc.password); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$600000$") {
		t.Errorf("hash %q does not name PBKDF2-SHA256 with 600,000 iterations", h)
	}
}

// TestLoginThrottlePerNameAndAddress: wrong passwords for one name refuse
// that name (429 with Retry-After), never a colleague's right password from
// the same address; the client address comes from X-Forwarded-For only when
// the peer is a trusted proxy.
func TestLoginThrottlePerNameAndAddress(t *testing.T) {
	r := newReviewRig(t)
	type attempt struct {
		name, password, forwarded string
		want                      int // 303 signed in, 401 wrong password, 429 refused
		retryAfter                string
	}
	wrong := func(name, fwd string) attempt {
		return attempt{name, "wrong password", fwd, http.StatusUnauthorized, ""}
	}
	for _, tc := range []struct {
		name     string
		proxies  []netip.Prefix
		attempts []attempt
	}{
		{
			name: "one name's failures do not lock out the address",
			attempts: []attempt{
				wrong("moderator", ""), wrong("moderator", ""), wrong("moderator", ""), wrong("moderator", ""), wrong("moderator", ""),
				{"moderator", testPassword, "", http.StatusTooManyRequests, "900"},
				{"admin", testPassword, "", http.StatusSeeOther, ""},
			},
		},
		{
			name: "the header of a peer that is not a trusted proxy is ignored",
			attempts: []attempt{
				wrong("moderator", "203.0.113.1"), wrong("moderator", "203.0.113.2"), wrong("moderator", "203.0.113.3"),
				wrong("moderator", "203.0.113.4"), wrong("moderator", "203.0.113.5"),
				wrong("viewer", "203.0.113.6"),
				// Every failure counted against 127.0.0.1, which is over its
				// limit of 6: viewer, who failed from it, is refused there.
				{"viewer", testPassword, "203.0.113.7", http.StatusTooManyRequests, "900"},
				{"admin", testPassword, "203.0.113.7", http.StatusSeeOther, ""},
			},
		},
		{
			name:    "behind a trusted proxy the forwarded client address counts",
			proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			attempts: []attempt{
				wrong("moderator", "198.51.100.1"), wrong("moderator", "198.51.100.1"), wrong("moderator", "198.51.100.1"),
				wrong("moderator", "198.51.100.1"), wrong("moderator", "198.51.100.1"),
				wrong("viewer", "198.51.100.1"),
				{"viewer", testPassword, "198.51.100.1", http.StatusTooManyRequests, "900"},
				// A forged left part does not move the client.
				{"viewer", testPassword, "198.51.100.2, 198.51.100.1", http.StatusTooManyRequests, "900"},
				// Another client behind the same proxy is another address.
				{"viewer", testPassword, "198.51.100.2", http.StatusSeeOther, ""},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			web, err := review.New(review.Options{Store: r.st, Users: r.st, Language: "sv", Now: r.clock,
				AddressAttempts: 6, TrustedProxies: tc.proxies})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(web)
			defer srv.Close()
			for i, a := range tc.attempts {
				c := &http.Client{Jar: newJar(), CheckRedirect: noRedirect}
				token := formToken(t, c, srv.URL+"/login")
				req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(url.Values{"csrf": {token}, "name": {a.name}, "password": {a.password}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if a.forwarded != "" {
					req.Header.Set("X-Forwarded-For", a.forwarded)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.StatusCode; got != a.want {
					t.Errorf("attempt %d (%s, forwarded %q): got %d, want %d", i, a.name, a.forwarded, got, a.want)
				}
				if got := resp.Header.Get("Retry-After"); got != a.retryAfter {
					t.Errorf("attempt %d (%s): Retry-After got %q, want %q", i, a.name, got, a.retryAfter)
				}
			}
		})
	}
}

// TestLoginRedirectStaysOnSite: the next address after sign-in, and for
// someone already signed in, never leads off the site, however it is
// disguised (browsers drop tabs and newlines and read \ as /).
func TestLoginRedirectStaysOnSite(t *testing.T) {
	r := newReviewRig(t)
	signedIn := signIn(t, r.srv.URL, "viewer", testPassword)
	signedIn.CheckRedirect = noRedirect
	for _, tc := range []struct{ name, next, want string }{
		{"a page of the site", "/cases?state=all", "/cases?state=all"},
		{"tab", "/\t/example.org/", "/cases"},
		{"newline", "/\n/example.org/", "/cases"},
		{"backslash", "/\\example.org", "/cases"},
		{"slash backslash slash", "/\\/example.org/", "/cases"},
		{"protocol-relative", "//example.org/", "/cases"},
		{"three slashes", "///example.org/", "/cases"},
		{"https", "https://example.org/", "/cases"},
		{"javascript", "javascript:alert(1)", "/cases"},
		{"encoded slashes", "/%2F%2Fexample.org", "/cases"},
		{"encoded backslash", "/%5cexample.org", "/cases"},
		{"encoded tab", "/%09/example.org", "/cases"},
		{"encoded newline", "/%0a/example.org", "/cases"},
		{"line separator", "/\u2028/example.org", "/cases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := signedIn.Get(r.srv.URL + "/login?next=" + url.QueryEscape(tc.next))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
				t.Errorf("GET /login signed in: got %d to %q, want 303 to %q", resp.StatusCode, got, tc.want)
			}
			c := &http.Client{Jar: newJar(), CheckRedirect: noRedirect}
			token := formToken(t, c, r.srv.URL+"/login")
			resp, err = c.PostForm(r.srv.URL+"/login", url.Values{"csrf": {token}, "name": {"viewer"}, "password": {testPassword}, "next": {tc.next}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
				t.Errorf("POST /login: got %d to %q, want 303 to %q", resp.StatusCode, got, tc.want)
			}
		})
	}
}

// page GETs path as client c with Swedish as the browser's language and
// returns the status and body.
func page(t *testing.T, c *http.Client, method, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "sv")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReviewShowsOnlyWhatTheRoleMayUse: buttons and links lead only where
// the signed-in role may go.
func TestReviewShowsOnlyWhatTheRoleMayUse(t *testing.T) {
	r := newReviewRig(t, moderation.CatPersonalID)
	ctx := context.Background()
	// Evidence for case 0, an escalated case (1), a four-eyes case awaiting
	// its second approval (3) and a failed action for the overview.
	if _, err := r.st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.cases[0].CommentID, Kind: "pdf", SHA256: strings.Repeat("ab", 32), Path: "x.pdf", Size: 1, CreatedAt: r.now, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dec.Decide(ctx, decide.Request{CaseID: r.cases[1].ID, Kind: moderation.DecideEscalate, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
		t.Fatal(err)
	}
	if out, err := r.dec.Decide(ctx, decide.Request{CaseID: r.cases[3].ID, Kind: moderation.DecideRemove, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil || !out.AwaitingSecond {
		t.Fatalf("first approval: %+v, %v", out, err)
	}
	a, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: r.cases[2].CommentID, Kind: moderation.ActHide})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.FinishAction(ctx, a.ID, moderation.ActionFailed, "", "token rejected"); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*http.Client{}
	for _, who := range []string{"viewer", "archivist", "moderator", "moderator2", "admin"} {
		clients[who] = signIn(t, r.srv.URL, who, testPassword)
	}
	casePath := func(i int) string { return fmt.Sprintf("/cases/%d", r.cases[i].ID) }
	button := func(kind string) string { return `name="kind" value="` + kind + `"` }
	for _, tc := range []struct {
		name, who, path string
		has, hasNot     []string
	}{
		{"viewer: no evidence link", "viewer", casePath(0), []string{"Historik"}, []string{`href="/evidence/`, "bevis-PDF"}},
		{"archivist: an evidence link", "archivist", casePath(0), []string{`href="/evidence/`}, nil},
		{"viewer: no search or register in the menu", "viewer", "/cases", nil, []string{`href="/search"`, `href="/register"`}},
		{"archivist: search and register in the menu", "archivist", "/cases", []string{`href="/search"`, `href="/register"`}, nil},
		{"viewer: no decision buttons", "viewer", casePath(2), nil, []string{`form class="decide"`}},
		{"moderator: every button on an open case", "moderator", casePath(2),
			[]string{button("remove"), button("keep"), button("register"), button("escalate")}, nil},
		{"moderator: no buttons on an escalated case", "moderator", casePath(1),
			[]string{"en administratör avgör det"}, []string{`form class="decide"`, `name="kind"`}},
		{"admin: an escalated case can be decided but not escalated again", "admin", casePath(1),
			[]string{button("remove"), button("keep"), button("register")}, []string{button("escalate")}},
		{"second moderator: only the second approval", "moderator2", casePath(3),
			[]string{button("remove")}, []string{button("keep"), button("register"), button("escalate")}},
		{"first approver: no second approval by the same person", "moderator", casePath(3),
			[]string{"väntar på en andra"}, []string{`name="kind"`}},
		{"moderator: no retry buttons", "moderator", "/", []string{"token rejected"}, []string{"/retry"}},
		{"admin: retry buttons", "admin", "/", []string{fmt.Sprintf(`action="/actions/%d/retry"`, a.ID)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := page(t, clients[tc.who], "GET", r.srv.URL+tc.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s as %s: got %d, want 200", tc.path, tc.who, code)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("GET %s as %s: got no %q, want it", tc.path, tc.who, s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("GET %s as %s: got %q, want none", tc.path, tc.who, s)
				}
			}
		})
	}
}

// TestReviewErrorPages: errors are pages of the site, in the reader's
// language, with a title and a way back, and keep their status codes.
func TestReviewErrorPages(t *testing.T) {
	r := newReviewRig(t)
	viewer := signIn(t, r.srv.URL, "viewer", testPassword)
	viewer.CheckRedirect = noRedirect
	signedOut := &http.Client{CheckRedirect: noRedirect}
	for _, tc := range []struct {
		name, method, path string
		c                  *http.Client
		want               int
		title, back        string
	}{
		{"a page the role may not use", "GET", "/search", viewer, http.StatusForbidden, "<title>Inte tillåtet", `href="/cases"`},
		{"a form the role may not use", "POST", "/cases/1/decide", viewer, http.StatusForbidden, "<title>Inte tillåtet", `href="/cases"`},
		{"an unknown record", "GET", "/comments/999999", viewer, http.StatusNotFound, "<title>Hittades inte", `href="/cases"`},
		{"an unknown page", "GET", "/no/such/page", viewer, http.StatusNotFound, "<title>Hittades inte", `href="/cases"`},
		{"an unknown page, signed out", "GET", "/no/such/page", signedOut, http.StatusNotFound, "<title>Hittades inte", `href="/login"`},
		{"a missing static file", "GET", "/static/nothing.css", viewer, http.StatusNotFound, "<title>Hittades inte", `href="/cases"`},
		{"a method the page does not take", "DELETE", "/cases", viewer, http.StatusMethodNotAllowed, "<title>Går inte att använda så", `href="/cases"`},
		{"a form as a link", "GET", "/logout", viewer, http.StatusMethodNotAllowed, "<title>Går inte att använda så", `href="/cases"`},
		{"a form, signed out", "POST", "/logout", signedOut, http.StatusUnauthorized, "<title>Inte inloggad", `href="/login"`},
		{"sign-in without its form", "POST", "/login", signedOut, http.StatusForbidden, "<title>Inte tillåtet", `href="/login"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := page(t, tc.c, tc.method, r.srv.URL+tc.path)
			if code != tc.want {
				t.Errorf("%s %s: got %d, want %d", tc.method, tc.path, code, tc.want)
			}
			for _, s := range []string{`<html lang="sv">`, tc.title, tc.back, `<h1>`} {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: got no %q in the page, want it:\n%s", tc.method, tc.path, s, body)
				}
			}
		})
	}
}

// TestDecideKindsMatchDecide: the decisions decide.Kinds offers (the
// buttons the web page shows) are exactly those Decide carries out, for
// every role, on open, escalated and four-eyes cases awaiting a second
// approval.
func TestDecideKindsMatchDecide(t *testing.T) {
	r := newReviewRig(t, moderation.CatPersonalID)
	ctx := context.Background()
	n := 0
	newCase := func(cat string) moderation.Case {
		n++
		res, err := r.st.RecordComment(ctx, moderation.CommentObservation{
			AccountKey: "fb", PostID: "1_1", PlatformID: fmt.Sprintf("1_1_k%d", n), Author: moderation.Author{ID: "k", Name: "K"},
			Message: "text", CreatedAt: r.now, Source: moderation.SourcePoll, SeenAt: r.now,
		})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := r.st.OpenCase(ctx, moderation.Case{CommentID: res.CommentID, Version: 1, Categories: []string{cat}, OpenedAt: r.now})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	scenarios := []struct {
		name  string
		cat   string
		first string // a decision by moderator before
	}{
		{"open", moderation.CatHarassment, ""},
		{"escalated", moderation.CatHarassment, moderation.DecideEscalate},
		{"four eyes awaiting a second approval", moderation.CatPersonalID, moderation.DecideRemove},
		{"decided", moderation.CatHarassment, moderation.DecideKeep},
	}
	roles := map[string]moderation.Role{"admin": moderation.RoleAdmin, "moderator": moderation.RoleModerator, "moderator2": moderation.RoleModerator, "viewer": moderation.RoleViewer}
	for _, sc := range scenarios {
		for who, role := range roles {
			for _, kind := range []string{moderation.DecideRemove, moderation.DecideKeep, moderation.DecideRegister, moderation.DecideEscalate} {
				c := newCase(sc.cat)
				if sc.first != "" {
					if _, err := r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: sc.first, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
						t.Fatal(err)
					}
				}
				c, _ = r.st.Case(ctx, c.ID)
				kinds, err := r.dec.Kinds(ctx, c, who, role)
				if err != nil {
					t.Fatal(err)
				}
				_, err = r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: kind, By: who, Role: role, Surface: decide.SurfaceWeb})
				if offered := slices.Contains(kinds, kind); offered != (err == nil) {
					t.Errorf("%s, %s as %s: offered %v, Decide gave %v", sc.name, kind, who, offered, err)
				}
			}
		}
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// visibleText is a page's text as a reader sees it: without tags and
// attributes, entities decoded.
func visibleText(body string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(body, " "))
}

// TestReviewSpeaksTheReadersLanguage: a Swedish page shows no English
// codes (categories, action kinds and states, sources, surfaces, account
// keys), counts take the right singular or plural, and times carry their
// zone.
func TestReviewSpeaksTheReadersLanguage(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	c := r.cases[1]
	if _, err := r.dec.Decide(ctx, decide.Request{CaseID: c.ID, Kind: moderation.DecideRemove, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
		t.Fatal(err)
	}
	acts, err := r.st.Actions(ctx, c.CommentID)
	if err != nil || len(acts) != 2 {
		t.Fatalf("actions: %+v, %v", acts, err)
	}
	for _, a := range acts {
		state, note := moderation.ActionDone, ""
		if a.Kind == moderation.ActDelete {
			state, note = moderation.ActionFailed, "rate limited"
		}
		if err := r.st.FinishAction(ctx, a.ID, state, "", note); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.st.RecordComment(ctx, moderation.CommentObservation{
		AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_1", Author: moderation.Author{ID: "1", Name: "Medborgare 1"},
		Message: "Du är en idiot, sa jag", CreatedAt: r.now, Source: moderation.SourceReconcile, SeenAt: r.now.Add(time.Minute),
	}); err != nil {
		t.Fatal(err)
	}
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatalf("time zone: %v", err)
	}
	web, err := review.New(review.Options{Store: r.st, Users: r.st, Decide: r.dec, Search: r.st.SearchComments, Language: "sv", Now: r.clock, Location: stockholm})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	admin := signIn(t, srv.URL, "admin", testPassword)
	english := regexp.MustCompile(`\b(personal_id|harassment|advertising|pending|done|failed|poll|reconcile|web|delete|reply|fb)\b`)
	for _, tc := range []struct {
		name, path string
		has        []string
		allow      string // a code the page shows on purpose
	}{
		// The accounts table shows each account's key beside its name: it
		// is what the configuration calls the account.
		{"overview", "/", []string{"trakasserier", "0 dolda", "0 borttagna", "1 inlägg", "2026-11-23 11:00 CET"}, "fb"},
		{"queue", "/cases?state=all", []string{"Kommunen", "personnummer", "4 ärenden"}, ""},
		{"queue with one case", "/cases?category=advertising", []string{"1 ärende ", "reklam"}, ""},
		{"case", fmt.Sprintf("/cases/%d", c.ID), []string{"Kommunen", "svara: utförd", "radera: misslyckades", "(webbsidan)", "Källa: regelbunden läsning", "Källa: avstämning", "2026-11-23 11:00 CET"}, ""},
		{"comment", fmt.Sprintf("/comments/%d", c.CommentID), []string{"Kommunen", "trakasserier", "Källa: avstämning"}, ""},
		{"search with one result", "/search?q=klockor", []string{"1 träff ", "Kommunen"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := page(t, admin, "GET", srv.URL+tc.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200", tc.path, code)
			}
			text := visibleText(body)
			if m := slices.DeleteFunc(english.FindAllString(text, -1), func(m string) bool { return m == tc.allow }); len(m) > 0 {
				t.Errorf("GET %s: got English codes %q in the Swedish page, want none:\n%s", tc.path, m, text)
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("GET %s: got no %q, want it:\n%s", tc.path, s, text)
				}
			}
		})
	}
}

// TestWebFaviconAndEvidencePolicy: the icon browsers ask for exists, and
// an HTML evidence file is served under a sandboxed policy that lets its
// own inline style apply and runs nothing.
func TestWebFaviconAndEvidencePolicy(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	resp, err := http.Get(r.srv.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	icon, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix(icon, []byte{0, 0, 1, 0}) {
		t.Errorf("GET /favicon.ico: got %d, %s, % x…; want 200 with an icon", resp.StatusCode, resp.Header.Get("Content-Type"), icon[:min(4, len(icon))])
	}
	files := map[string]string{"view.html": "evidence_view", "raw.json": "raw_json"}
	archivist := signIn(t, r.srv.URL, "archivist", testPassword)
	for _, tc := range []struct {
		file      string
		has, hasn []string
	}{
		{"view.html", []string{"sandbox", "default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'none'"}, []string{"script-src", "allow-scripts", "style-src 'self'"}},
		{"raw.json", []string{"default-src 'none'", "style-src 'self'"}, []string{"unsafe-inline"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(r.evDir, tc.file), []byte(`<!doctype html><style>h1{color:red}</style><h1>x</h1>`), 0o644); err != nil {
				t.Fatal(err)
			}
			ev, err := r.st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.cases[0].CommentID, Kind: files[tc.file], SHA256: fmt.Sprintf("%064x", len(tc.file)), Path: tc.file, Size: 1, CreatedAt: r.now, Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := archivist.Get(fmt.Sprintf("%s/evidence/%d", r.srv.URL, ev.ID))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET evidence %s: got %d, want 200", tc.file, resp.StatusCode)
			}
			for _, s := range tc.has {
				if !strings.Contains(csp, s) {
					t.Errorf("%s: policy %q lacks %q", tc.file, csp, s)
				}
			}
			for _, s := range tc.hasn {
				if strings.Contains(csp, s) {
					t.Errorf("%s: policy %q has %q", tc.file, csp, s)
				}
			}
		})
	}
}
