package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// reviewer approves open cases through uppsikt's web page, as a moderator
// does: sign in, open a case, press "approve removal" and confirm it.
type reviewer struct {
	base, name, password string
	client               *http.Client
}

func newReviewer(base, name, password string) *reviewer {
	jar, _ := cookiejar.New(nil)
	return &reviewer{base: base, name: name, password: password, client: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		// The decision redirects to the case page; one hop is enough.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}}
}

var (
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	caseRE  = regexp.MustCompile(`href="/cases/(\d+)"`)
	loginRE = regexp.MustCompile(`action="/login"`)
)

func (rv *reviewer) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rv.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := rv.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(body), nil
}

func (rv *reviewer) post(ctx context.Context, path string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rv.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := rv.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3 {
		return "", fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return string(body), nil
}

// signIn signs in when the page asks for it (serve restarts keep sessions:
// they are in the store).
func (rv *reviewer) signIn(ctx context.Context) error {
	page, err := rv.get(ctx, "/login")
	if err != nil {
		return err
	}
	if !loginRE.MatchString(page) {
		return nil // signed in already: /login redirected
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("sign-in page without a token")
	}
	_, err = rv.post(ctx, "/login", url.Values{"csrf": {m[1]}, "name": {rv.name}, "password": {rv.password}, "next": {"/cases"}})
	return err
}

// approveOne approves the removal of the oldest open case, if there is one.
// It reports whether it decided one.
func (rv *reviewer) approveOne(ctx context.Context) (bool, error) {
	if err := rv.signIn(ctx); err != nil {
		return false, err
	}
	list, err := rv.get(ctx, "/cases?state=open")
	if err != nil {
		return false, err
	}
	m := caseRE.FindStringSubmatch(list)
	if m == nil {
		return false, nil
	}
	page, err := rv.get(ctx, "/cases/"+m[1])
	if err != nil {
		return false, err
	}
	tok := csrfRE.FindStringSubmatch(page)
	if tok == nil {
		return false, fmt.Errorf("case %s: no form token", m[1])
	}
	// The button leads to a confirmation page; its form (confirm=1)
	// records the decision.
	if _, err := rv.post(ctx, "/cases/"+m[1]+"/decide", url.Values{"csrf": {tok[1]}, "kind": {"remove"}, "confirm": {"1"},
		"reason": {"uppsikt-chaos: a reviewer approves the removal"}}); err != nil {
		return false, err
	}
	return true, nil
}
