package rules

import (
	"slices"
	"testing"
	"time"
)

func spansOf(b []byte, f func([]byte, []span) []span) []string {
	var out []string
	for _, sp := range f(b, nil) {
		out = append(out, string(b[sp.ps:sp.pe]))
	}
	return out
}

func TestObfuscatedIdentityNumbers(t *testing.T) {
	want := [numDetectors]bool{detPersonnummer: true, detSamordning: true, detCPR: true}
	for _, tc := range []struct {
		text string
		want string // the span found, "" for none
		weak bool
	}{
		{"personnummer 85 03 12-1231", "85 03 12-1231", false},
		{"85.03.12-1231 är mitt", "85.03.12-1231", false},
		{"85/03/12-1231", "85/03/12-1231", false},
		{"nr 85o312-1231", "85o312-1231", false},
		{"85o3121231", "85o3121231", false},
		{"8 5 0 3 1 2 - 1 2 3 1", "8 5 0 3 1 2 - 1 2 3 1", false},
		{"1985 03 12 1231", "1985 03 12 1231", false},
		{"19 85 03 12 - 1231", "19 85 03 12 - 1231", false},
		{"01.01.45-1234", "01.01.45-1234", false},
		{"18 12 48 04 43", "18 12 48 04 43", true},
		{"19 85 03 12 12 31", "19 85 03 12 12 31", false},
		// Left to idNumbersIn: the usual forms.
		{"850312-1231", "", false},
		{"8503121231", "", false},
		{"850312 1231", "", false},
		// Not identity numbers.
		{"ring 070 123 45 67", "", false},
		{"ring 07 01 23 45 67", "07 01 23 45 67", true}, // weak: needs "cpr" close by
		{"85 03 12-1234", "", false},                    // wrong check digit
		{"99.13.45-1234", "", false},                    // no such date
		{"85 031 21 231", "", false},                    // groups that split the date's parts
		{"version 85.03.12.1231a", "", false},
		{"kl 2024.03.12 10.15", "", false},
	} {
		got := obfuscatedIDs([]byte(tc.text), testToday, want, false, nil)
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%q: found %q", tc.text, tc.text[got[0].ps:got[0].pe])
		case tc.want != "" && len(got) != 1:
			t.Errorf("%q: found %d numbers, want %q", tc.text, len(got), tc.want)
		case tc.want != "" && (tc.text[got[0].ps:got[0].pe] != tc.want || got[0].weak != tc.weak):
			t.Errorf("%q: found %q (weak %v), want %q (weak %v)", tc.text, tc.text[got[0].ps:got[0].pe], got[0].weak, tc.want, tc.weak)
		}
	}
}

func TestPrices(t *testing.T) {
	for text, want := range map[string][]string{
		"bara 199 kr idag":          {"199 kr"},
		"199:- styck":               {"199:-"},
		"40 000 kronor i månaden":   {"40 000 kronor"},
		"1.299,95 kr":               {"1.299,95 kr"},
		"Get it for $19 now":        {"$19"},
		"only £5 and €10":           {"£5", "€10"},
		"300dkk":                    {"300dkk"},
		"Bussen går 06.10 i morgon": nil,
		"kr 12 på listan":           nil,
		"Krokom 12":                 nil,
		"12 krokodiler":             nil,
	} {
		got := spansOf([]byte(text), prices)
		if len(got) != len(want) {
			t.Errorf("%q: prices %q, want %q", text, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: prices %q, want %q", text, got, want)
			}
		}
	}
}

func TestDanishPhones(t *testing.T) {
	for text, want := range map[string]string{
		"ring på 20 12 34 56 i dag": "20 12 34 56",
		"sms 2012 3456":             "",
		"cvr 20123456":              "",
		"1 2 3 4":                   "",
		"år 2024 2025":              "",
	} {
		got := spansOf([]byte(text), danishPhones)
		if want == "" && len(got) > 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("%q: phones %q, want %q", text, got, want)
		}
	}
}

// A pack can use the price detector, alone and in a near condition.
func TestPriceInPack(t *testing.T) {
	p, err := ParsePack("t.yaml", []byte(`pack: t
languages: [sv]
rules:
  - id: t.advertising.offer
    category: advertising
    description: An offer with a price.
    citation: {document: Riktlinjer, section: "Olämpliga och olagliga inlägg"}
    words: [säljer]
    near:
      - detect: [price]
        within: 6
`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Pack{p}, Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"Säljer soffa, bara 500 kr":    true,
		"Säljer soffa, hör av dig":     false,
		"Soffan kostade 500 kr i fjol": false,
	} {
		if got := len(e.Classify(text, "sv").Categories) > 0; got != want {
			t.Errorf("%q: flagged %v, want %v", text, got, want)
		}
	}
}

// TestIdentityNumbersForMasking: the ranges IdentityNumbers gives are the
// numbers in the original text, also after characters the normaliser
// changes in length (fullwidth digits, a soft hyphen), obfuscated ones
// included, and numbers the classifier drops for their context too.
func TestIdentityNumbersForMasking(t *testing.T) {
	today := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"plain", "Mitt nummer 850312-1231 tack", []string{"850312-1231"}},
		{"obfuscated", "nr 85o312-1231 ok", []string{"85o312-1231"}},
		{"cpr", "Mit CPR er 010203-4321.", []string{"010203-4321"}},
		{"after wider characters", "Ｈｅｊ!\u00ad 850312-1231 och 010203-4321", []string{"850312-1231", "010203-4321"}},
		{"dropped by the classifier, masked here", "Fakturanummer 850312-1231", []string{"850312-1231"}},
		{"none", "Ring 070-123 45 67 om du undrar.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range IdentityNumbers(tc.text, today) {
				got = append(got, tc.text[r[0]:r[1]])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("IdentityNumbers(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
