package review

import (
	"strings"
	"testing"
)

func TestMaskIdentityNumbers(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"personnummer", "Mitt pnr är 850101-1234.", "Mitt pnr är 850101-••••."},
		{"twelve digits", "pnr 198501011234 tack", "pnr 19850101•••• tack"},
		{"twelve digits with dash", "19850101-1234", "19850101-••••"},
		{"over a hundred", "121212+1212", "121212+••••"},
		{"samordningsnummer", "701063-2391", "701063-••••"},
		{"CPR", "Mit CPR er 010145-1234.", "Mit CPR er 010145-••••."},
		{"CPR without dash", "cpr 0101451234", "cpr 010145••••"},
		{"with a space", "Hon har 121212 1212.", "Hon har 121212 ••••."},
		{"en dash", "850101–1234", "850101–••••"},
		{"in groups", "85 01 01-1234", "85 01 01-••••"},
		{"dotted", "85.01.01.1234", "85.01.01.••••"},
		{"digit by digit", "8 5 0 1 0 1 1 2 3 4", "8 5 0 1 0 1 • • • •"},
		{"two numbers", "850101-1234 och 010145-1234", "850101-•••• och 010145-••••"},
		{"after a phone number", "ring 070-123 45 67 eller 850101-1234", "ring 070-123 •• •• eller 850101-••••"},
		{"glued to words", "pnr:850101-1234!", "pnr:850101-••••!"},
		{"no date", "ordernummer 9999999999", "ordernummer 9999999999"},
		{"too long", "kontonummer 8327-9 123 456 789-0", "kontonummer 8327-9 123 456 789-0"},
		{"a year", "sedan 1985", "sedan 1985"},
		{"nothing", "Hej på er", "Hej på er"},
	} {
		if got := s.maskIDs(tc.text); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMaskWithInjectedFinder(t *testing.T) {
	// The rule packs' detectors see "85o101-1234" (o for a zero), which the
	// page's own finder does not.
	text := "pnr 85o101-1234"
	s := &Server{opts: Options{IdentityNumbers: func(string) [][2]int { return [][2]int{{4, 15}, {-1, 3}, {10, 99}} }}}
	if got, want := s.maskIDs(text), "pnr 85o101-••••"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (&Server{}).maskIDs(text); got != text {
		t.Errorf("without the finder: got %q, want it unchanged", got)
	}
}

func TestMaskSegmentsFollowsHighlight(t *testing.T) {
	text := "Ring 070-123 eller 199001011234 nu ö"
	s := &Server{}
	segs := maskSegments(highlight(text, nil), newMask(text, s.idSpans(text)))
	var b strings.Builder
	for _, sg := range segs {
		b.WriteString(sg.Text)
	}
	if got, want := b.String(), "Ring 070-123 eller 19900101•••• nu ö"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e := s.exposed(text, nil)
	if len(e.Numbers) != 1 || e.Numbers[0] != "19900101••••" {
		t.Errorf("exposed numbers: got %q, want the masked number", e.Numbers)
	}
	var marked []string
	for _, sg := range e.Text {
		if sg.Mark {
			marked = append(marked, sg.Text)
		}
	}
	if len(marked) != 1 || marked[0] != "19900101••••" {
		t.Errorf("exposure marks %q, want the masked number", marked)
	}
}
