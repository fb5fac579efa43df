package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "uppsikt.yaml")
	body := "paths:\n  data: data\naccounts:\n  - key: web\n    platform: webpage\n    id: https://kommun.example/nyheter\n    name: Nyheter\n    owners: [anna]\n    substitutes: [bertil]\n    site:\n      url: https://kommun.example/nyheter\n      comment: .c\n      author: .a\n      text: .t\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  int
		out   string
	}{
		{"adds a moderator", []string{"user", "add", "-config", cfg, "-role", "moderator", "anna"}, testPassword + "\n", 0, "user anna saved with role moderator"},
		{"changes the role and password", []string{"user", "add", "-config", cfg, "-role", "admin", "-language", "da", "anna"}, "ett annat långt lösenord\n", 0, "role admin"},
		{"unknown role", []string{"user", "add", "-config", cfg, "-role", "root", "bertil"}, testPassword + "\n", 2, "write admin, moderator"},
		{"no name", []string{"user", "add", "-config", cfg, "-role", "viewer"}, testPassword + "\n", 2, "exactly one user name"},
		{"short password", []string{"user", "add", "-config", cfg, "-role", "viewer", "bertil"}, "kort\n", 1, "at least 12 characters"},
		{"no password", []string{"user", "add", "-config", cfg, "-role", "viewer", "bertil"}, "", 1, "no password"},
		{"no subcommand", []string{"user"}, "", 2, "Usage: uppsikt user add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, out, errb := testEnv(nil)
			env.stdin = strings.NewReader(tc.stdin)
			if got := run(context.Background(), env, tc.args); got != tc.want {
				t.Fatalf("exit: got %d, want %d\n%s%s", got, tc.want, out, errb)
			}
			if all := out.String() + errb.String(); !strings.Contains(all, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, all)
			}
		})
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.User(context.Background(), "anna")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != moderation.RoleAdmin || u.Language != "da" || !review.CheckPassword(u.PasswordHash, "ett annat långt lösenord") || review.CheckPassword(u.PasswordHash, testPassword) {
		t.Errorf("stored user: got role %s, language %q; want admin, da, with only the new password", u.Role, u.Language)
	}
	if strings.Contains(u.PasswordHash, "lösenord") {
		t.Errorf("the password is stored in the clear: %q", u.PasswordHash)
	}
	if _, err := st.User(context.Background(), "bertil"); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("a refused user was stored: %v", err)
	}
}

// TestCaseShowsEditAfterFlag: a comment edited after its case was opened is
// re-classified (the pipeline moves the case to the new version) and the
// case page says so and shows both versions.
func TestCaseShowsEditAfterFlag(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	c := r.cases[1]
	cm, _ := r.st.Comment(ctx, c.CommentID)
	r.advance(10 * 60e9)
	res, err := r.st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: cm.PlatformID, Author: cm.Author,
		Message: "Du är en IDIOT och en lögnare", CreatedAt: cm.CreatedAt, Source: moderation.SourcePoll, SeenAt: r.clock()})
	if err != nil || !res.NewVersion {
		t.Fatalf("edit: %+v, %v", res, err)
	}
	if _, _, err := r.st.OpenCase(ctx, moderation.Case{CommentID: c.CommentID, Version: 2, Categories: []string{moderation.CatHarassment}}); err != nil {
		t.Fatal(err)
	}
	client := signIn(t, r.srv.URL, "viewer", testPassword)
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/cases/%d", r.srv.URL, c.ID), nil)
	req.Header.Set("Accept-Language", "en")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{"edited after it was flagged", "Version 1", "Version 2 (flagged)", "Du är en IDIOT och en lögnare", "Du är en idiot"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page, `form class="decide"`) {
		t.Errorf("a viewer is shown the decision buttons")
	}
}

// TestSecureCookieOverHTTPS: behind an https proxy the session cookie is
// Secure, HttpOnly and SameSite.
func TestSecureCookieOverHTTPS(t *testing.T) {
	r := newReviewRig(t)
	c := &http.Client{Jar: newJar(), CheckRedirect: noRedirect}
	token := formToken(t, c, r.srv.URL+"/login")
	req, _ := http.NewRequest("POST", r.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {token}, "name": {"admin"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name == "uppsikt_session" && ck.Value != "" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie: Secure %v, HttpOnly %v, SameSite %v; want Secure, HttpOnly, Lax", ck.Secure, ck.HttpOnly, ck.SameSite)
			}
		}
	}
	if !found {
		t.Errorf("no session cookie after signing in (status %d)", resp.StatusCode)
	}
}

// TestLanguageSettingOverridesBrowser: the user's own language wins over
// the browser's; without one the browser's is used.
func TestLanguageSettingOverridesBrowser(t *testing.T) {
	r := newReviewRig(t)
	c := signIn(t, r.srv.URL, "viewer", testPassword)
	page := func() string {
		req, _ := http.NewRequest("GET", r.srv.URL+"/cases", nil)
		req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for _, tc := range []struct{ lang, want string }{{"", "Review queue"}, {"da", "Gennemgangskø"}, {"sv", "Granskningskö"}, {"", "Review queue"}} {
		if tc.lang != "" || !strings.Contains(page(), tc.want) {
			token := formToken(t, c, r.srv.URL+"/cases")
			resp, err := c.PostForm(r.srv.URL+"/settings/language", url.Values{"csrf": {token}, "lang": {tc.lang}, "next": {"/cases"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		if got := page(); !strings.Contains(got, tc.want) || !strings.Contains(got, `lang="`+map[string]string{"": "en", "da": "da", "sv": "sv"}[tc.lang]+`"`) {
			t.Errorf("language %q: the page is not in it (want %q)", tc.lang, tc.want)
		}
	}
}
