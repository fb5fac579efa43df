package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadCookies feeds arbitrary cookie files (an administrator's browser
// export) to LoadCookies and the cookies it accepts to the browser filter:
// it must never panic, every accepted cookie has a name and a domain, and
// a cookie reaches the browser only for a domain that an allowed host
// would receive (the host itself or a parent domain of it, or a domain
// under an allowed "*." pattern), never for another site.
func FuzzLoadCookies(f *testing.F) {
	f.Add(`[{"name":"c_user","value":"1000","domain":".facebook.com","path":"/","secure":true,"httpOnly":true,"expirationDate":4102444800.5}]`)
	f.Add(`[{"name":"xs","value":"v","domain":"evil.example","expires":-1},{"name":"a","domain":"x.fbcdn.net"}]`)
	f.Add(`[{"name":"","domain":"facebook.com"}]`)
	f.Add(`[{"name":"a","domain":"com"},{"name":"b","domain":"127.0.0.1"},{"name":"c","domain":" .WWW.Facebook.COM "}]`)
	f.Add(`{"name":"a"}`)
	f.Add(`[{"name":"a","domain":"facebook.com","expirationDate":1e309}]`)
	allow := parseHosts([]string{"www.facebook.com", "*.fbcdn.net", "127.0.0.1:8090"})
	receives := func(domain string) bool {
		d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "."))
		for _, host := range []string{"www.facebook.com", "127.0.0.1"} {
			if d == host || strings.HasSuffix(host, "."+d) && strings.Contains(d, ".") {
				return true
			}
		}
		return d == "fbcdn.net" || strings.HasSuffix(d, ".fbcdn.net")
	}
	path := filepath.Join(f.TempDir(), "cookies.json") // one worker runs one input at a time
	f.Fuzz(func(t *testing.T, data string) {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		cs, err := LoadCookies(path)
		if err != nil {
			return
		}
		for i, c := range cs {
			if c.Name == "" || c.Domain == "" {
				t.Fatalf("cookie %d accepted without a name or domain: %+v", i, c)
			}
		}
		for _, p := range allow.cookieParams(cs) {
			if !receives(p.Domain) {
				t.Fatalf("cookie %q for domain %q given to the browser; no allowed host receives it", p.Name, p.Domain)
			}
			if p.Path == "" {
				t.Fatalf("cookie %q without a path", p.Name)
			}
		}
	})
}
