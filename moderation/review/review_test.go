package review

import (
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
	for _, tc := range []struct{ in, want string }{
		{"/cases/3", "/cases/3"}, {"", "/cases"}, {"https://evil.example/", "/cases"},
		{"//evil.example/", "/cases"}, {"/\\evil.example", "/cases"}, {"/login?next=/x", "/cases"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if l.blocked(t0, "user:a") {
			t.Fatalf("blocked after %d failures", i)
		}
		l.fail(t0, "user:a", "ip:1")
	}
	if !l.blocked(t0, "user:b", "ip:1") {
		t.Errorf("the address is not blocked after 3 failures")
	}
	if l.blocked(t0.Add(61*time.Second), "user:a") {
		t.Errorf("still blocked after the window")
	}
	l.clear("user:a")
	if l.blocked(t0, "user:a") {
		t.Errorf("blocked after clear")
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
