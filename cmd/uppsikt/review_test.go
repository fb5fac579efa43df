package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
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
	r.exec = act.New(act.Options{Store: st, Now: r.clock, Grace: o.grace})
	r.web, err = review.New(review.Options{Store: st, Users: st, Decide: r.dec, Search: st.SearchComments, Language: "sv", Now: r.clock, EvidenceDir: t.TempDir(),
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
