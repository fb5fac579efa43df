package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// formToken returns the CSRF token of the first form on a page.
func formToken(t *testing.T, c *http.Client, pageURL string) string {
	t.Helper()
	resp, err := c.Get(pageURL)
	if err != nil {
		t.Fatalf("GET %s: %v", pageURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("GET %s (%d): no CSRF token in the page:\n%s", pageURL, resp.StatusCode, b)
	}
	return m[1]
}

// signIn signs in to the web page at base and returns a client holding the
// session cookie.
func signIn(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	base = strings.TrimRight(base, "/")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	token := formToken(t, c, base+"/login")
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {token}, "name": {name}, "password": {password}, "next": {"/cases"}})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/cases" {
		t.Fatalf("sign in as %s: ended at %s with %d:\n%s", name, resp.Request.URL, resp.StatusCode, b)
	}
	return c
}

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// testHash is testPassword hashed once: hashing takes a noticeable time by design.
var testHash = sync.OnceValue(func() string {
	h, err := review.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

func addUser(t *testing.T, st moderation.UserStore, name string, role moderation.Role) {
	t.Helper()
	if err := st.SaveUser(context.Background(), moderation.User{Name: name, Role: role, PasswordHash: testHash()}); err != nil {
		t.Fatalf("SaveUser %s: %v", name, err)
	}
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}
