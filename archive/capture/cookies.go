package capture

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
)

// Cookie is a cookie that the browser sends to the platform's pages, so
// that a page behind a login wall (a group, a page limited by age or
// country) can be captured as a logged-in visitor sees it.
type Cookie struct {
	Name     string
	Value    string
	Domain   string // ".facebook.com" or "www.facebook.com"
	Path     string // "/" when empty
	Secure   bool
	HTTPOnly bool
	Expires  time.Time // zero: a session cookie
}

// cookieJSON is a cookie as browsers' cookie export extensions write it
// (expirationDate) and as the DevTools protocol does (expires), both in
// seconds since 1970.
type cookieJSON struct {
	Name           string   `json:"name"`
	Value          string   `json:"value"`
	Domain         string   `json:"domain"`
	Path           string   `json:"path"`
	Secure         bool     `json:"secure"`
	HTTPOnly       bool     `json:"httpOnly"`
	ExpirationDate *float64 `json:"expirationDate"`
	Expires        *float64 `json:"expires"`
}

// LoadCookies reads a cookies file: a JSON array of cookies with name,
// value, domain, path, secure, httpOnly and expirationDate or expires
// (seconds since 1970; absent, zero or negative for a session cookie), as
// a browser's cookie export writes it. The file holds a login: keep it
// readable by uppsikt alone.
func LoadCookies(path string) ([]Cookie, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("capture: cookies: %w", err)
	}
	var raw []cookieJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("capture: cookies %s: want a JSON array of cookies: %w", path, err)
	}
	out := make([]Cookie, 0, len(raw))
	for i, c := range raw {
		if c.Name == "" || c.Domain == "" {
			return nil, fmt.Errorf("capture: cookies %s: cookie %d needs a name and a domain", path, i+1)
		}
		ck := Cookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HTTPOnly}
		for _, e := range []*float64{c.ExpirationDate, c.Expires} {
			if e != nil && *e > 0 && !math.IsInf(*e, 0) {
				sec, frac := math.Modf(*e)
				ck.Expires = time.Unix(int64(sec), int64(frac*1e9)).UTC()
			}
		}
		out = append(out, ck)
	}
	return out, nil
}

// cookieParams are the cookies of cs whose domain covers an allowed host,
// for Network.setCookies; the others are never given to the browser.
func (l hostList) cookieParams(cs []Cookie) []*network.CookieParam {
	var out []*network.CookieParam
	for _, c := range cs {
		if !l.coversDomain(c.Domain) {
			continue
		}
		p := &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HTTPOnly}
		if p.Path == "" {
			p.Path = "/"
		}
		if !c.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixNano()) / 1e9)
		}
		out = append(out, p)
	}
	return out
}

// coversDomain reports whether a cookie of domain would be sent to an
// allowed host: the domain is an allowed host, a parent domain of one, or
// lies under an allowed "*." pattern.
func (l hostList) coversDomain(domain string) bool {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "."))
	if d == "" || !strings.Contains(d, ".") && d != "localhost" {
		return false
	}
	for h := range l.exact {
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
			h = h[:i]
		}
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	for _, s := range l.suffix {
		if strings.HasSuffix("."+d, s) {
			return true
		}
	}
	return false
}
