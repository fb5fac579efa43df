package review

import (
	"io/fs"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestHighlight(t *testing.T) {
	text := "Ring 070-123 eller 199001011234 nu ö"
	hit := func(s, e int) moderation.Hit {
		return moderation.Hit{Start: s, End: e, Category: "personal_id", RuleID: "r"}
	}
	for _, tc := range []struct {
		name string
		hits []moderation.Hit
		want string
	}{
		{"none", nil, "Ring 070-123 eller 199001011234 nu ö"},
		{"one", []moderation.Hit{hit(19, 31)}, "Ring 070-123 eller [199001011234] nu ö"},
		{"unsorted two", []moderation.Hit{hit(19, 31), hit(5, 12)}, "Ring [070-123] eller [199001011234] nu ö"},
		{"overlap merged", []moderation.Hit{hit(5, 12), hit(8, 15)}, "Ring [070-123][ el]ler 199001011234 nu ö"},
		{"outside the text", []moderation.Hit{hit(30, 99)}, "Ring 070-123 eller 199001011234 nu ö"},
		{"splits a character", []moderation.Hit{hit(len(text)-1, len(text))}, "Ring 070-123 eller 199001011234 nu ö"},
	} {
		var b strings.Builder
		for _, s := range highlight(text, tc.hits) {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if got := b.String(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a case", "/cases/3", "/cases/3"},
		{"with a query and fragment", "/cases?state=all&account=fb#top", "/cases?state=all&account=fb#top"},
		{"the overview", "/", "/"},
		{"empty", "", "/cases"},
		{"scheme and host", "https://evil.example/", "/cases"},
		{"scheme without slashes", "https:evil.example", "/cases"},
		{"javascript", "javascript:alert(1)", "/cases"},
		{"protocol-relative", "//evil.example/", "/cases"},
		{"three slashes", "///evil.example/", "/cases"},
		{"slash backslash", "/\\evil.example", "/cases"},
		{"backslash slash", "/\\/evil.example", "/cases"},
		{"tab between the slashes", "/\t/evil.example/", "/cases"},
		{"newline between the slashes", "/\n/evil.example/", "/cases"},
		{"carriage return", "/\r/evil.example/", "/cases"},
		{"NUL", "/\x00/evil.example/", "/cases"},
		{"space", "/ /evil.example/", "/cases"},
		{"line separator", "/\u2028/evil.example/", "/cases"},
		{"zero width space", "/\u200b/evil.example/", "/cases"},
		{"encoded slashes", "/%2F%2Fevil.example", "/cases"},
		{"encoded backslash", "/%5cevil.example", "/cases"},
		{"encoded tab", "/%09/evil.example", "/cases"},
		{"encoded newline", "/%0a/evil.example", "/cases"},
		{"dot segments", "/../evil.example", "/cases"},
		{"encoded dot segments", "/%2e%2e//evil.example", "/cases"},
		{"invalid UTF-8", "/\xff", "/cases"},
		{"the sign-in page", "/login?next=/x", "/cases"},
		{"leading space", " /cases", "/cases"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("%s: safeNext(%q): got %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type try struct {
		at         time.Duration // after t0
		name, addr string
		fail       bool // a wrong password (else only asked whether refused)
	}
	for _, tc := range []struct {
		name     string
		before   []try
		ask      try
		want     bool
		wantWait time.Duration
	}{
		{name: "a name's failures refuse it", before: rep(3, try{0, "alice", "1", true}),
			ask: try{time.Second, "alice", "1", false}, want: true, wantWait: time.Minute - time.Second},
		{name: "from any address", before: []try{{0, "alice", "1", true}, {10 * time.Second, "alice", "2", true}, {20 * time.Second, "alice", "3", true}},
			ask: try{30 * time.Second, "alice", "4", false}, want: true, wantWait: 30 * time.Second},
		{name: "another name from the same address is not refused", before: rep(3, try{0, "alice", "1", true}),
			ask: try{0, "bob", "1", false}},
		{name: "below the limit", before: rep(2, try{0, "alice", "1", true}), ask: try{0, "alice", "1", false}},
		{name: "the window passed", before: rep(3, try{0, "alice", "1", true}), ask: try{61 * time.Second, "alice", "1", false}},
		{name: "a sprayed address refuses the names that failed from it",
			before: []try{{0, "a", "9", true}, {0, "b", "9", true}, {0, "c", "9", true}, {0, "d", "9", true}, {0, "e", "9", true}},
			ask:    try{0, "a", "9", false}, want: true, wantWait: time.Minute},
		{name: "a sprayed address does not refuse a name that has not failed",
			before: []try{{0, "a", "9", true}, {0, "b", "9", true}, {0, "c", "9", true}, {0, "d", "9", true}, {0, "e", "9", true}},
			ask:    try{0, "colleague", "9", false}},
		{name: "a sprayed address does not refuse the name from elsewhere",
			before: []try{{0, "a", "9", true}, {0, "b", "9", true}, {0, "c", "9", true}, {0, "d", "9", true}, {0, "e", "9", true}},
			ask:    try{0, "a", "8", false}},
		{name: "the address's wait ends when its oldest counted failure leaves",
			before: []try{{0, "a", "9", true}, {10 * time.Second, "b", "9", true}, {20 * time.Second, "c", "9", true}, {30 * time.Second, "d", "9", true}, {40 * time.Second, "e", "9", true}},
			ask:    try{50 * time.Second, "e", "9", false}, want: true, wantWait: 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiter(3, 5, time.Minute)
			for _, b := range tc.before {
				l.fail(t0.Add(b.at), b.name, b.addr)
			}
			got, wait := l.blocked(t0.Add(tc.ask.at), tc.ask.name, tc.ask.addr)
			if got != tc.want || wait != tc.wantWait {
				t.Errorf("blocked(%s from %s): got %v for %s, want %v for %s", tc.ask.name, tc.ask.addr, got, wait, tc.want, tc.wantWait)
			}
		})
	}
	l := newLimiter(3, 5, time.Minute)
	for range 3 {
		l.fail(t0, "alice", "1")
	}
	l.succeed("alice", "1")
	if got, _ := l.blocked(t0, "alice", "1"); got {
		t.Errorf("blocked after a correct password: got true, want false")
	}
}

func rep[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name, remote string
		header       []string
		trusted      []netip.Prefix
		want         string
	}{
		{"no proxies configured: the header is ignored", "127.0.0.1:5000", []string{"203.0.113.9"}, nil, "127.0.0.1"},
		{"an untrusted peer's header is ignored", "198.51.100.7:5000", []string{"203.0.113.9"}, proxies, "198.51.100.7"},
		{"a trusted proxy's client", "127.0.0.1:5000", []string{"203.0.113.9"}, proxies, "203.0.113.9"},
		{"a forged left part is skipped", "127.0.0.1:5000", []string{"6.6.6.6, 203.0.113.9"}, proxies, "203.0.113.9"},
		{"through two trusted proxies", "127.0.0.1:5000", []string{"6.6.6.6, 203.0.113.9, 10.1.2.3"}, proxies, "203.0.113.9"},
		{"several header lines", "127.0.0.1:5000", []string{"6.6.6.6", "203.0.113.9"}, proxies, "203.0.113.9"},
		{"no header", "127.0.0.1:5000", nil, proxies, "127.0.0.1"},
		{"garbage stops the walk", "127.0.0.1:5000", []string{"203.0.113.9, nonsense"}, proxies, "127.0.0.1"},
		{"address with a port", "127.0.0.1:5000", []string{"203.0.113.9:4711"}, proxies, "203.0.113.9"},
		{"IPv6", "[fd00::1]:5000", []string{"2001:db8::7"}, proxies, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:127.0.0.1]:5000", []string{"203.0.113.9"}, proxies, "203.0.113.9"},
		{"only proxies: the farthest", "127.0.0.1:5000", []string{"10.0.0.2, 10.0.0.1"}, proxies, "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{opts: Options{TrustedProxies: tc.trusted, ClientAddrHeader: "X-Forwarded-For"}}
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tc.remote
			for _, h := range tc.header {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := s.clientAddr(r); got != tc.want {
				t.Errorf("clientAddr: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckPasswordFast(t *testing.T) {
	h, err := hashWith("lösenordet är långt", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{{"right", "lösenordet är långt", true}, {"wrong", "lösenordet är kort", false}, {"empty", "", false}} {
		if got := CheckPassword(h, tc.pw); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := HashPassword(""); err == nil {
		t.Errorf("HashPassword(\"\"): got no error")
	}
}

// TestTextsInEveryLanguage: every text the page shows exists in Swedish,
// Danish and English, and every text a template names exists.
func TestTextsInEveryLanguage(t *testing.T) {
	for _, lang := range []string{"sv", "da", "en"} {
		for _, other := range []string{"sv", "da", "en"} {
			for k := range texts[other] {
				if texts[lang][k] == "" {
					t.Errorf("text %q: in %s, not in %s", k, other, lang)
				}
			}
		}
	}
	keyRE := regexp.MustCompile(`\$?\.?T\.([a-z0-9_]+)`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v, %d files", err, len(files))
	}
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			if _, ok := texts["sv"][m[1]]; !ok {
				t.Errorf("%s names the text %q, which does not exist", f, m[1])
			}
		}
	}
}
