package report

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/report"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var keep = flag.String("keep", "", "write the rendered reports into this folder, for a look")

// sample is a month of two accounts, with or without the answer clock.
func sample(t testing.TB, lang string, clock []report.AnswerClock) report.Report {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	perDay := func(f func(i int) int) []int {
		d := make([]int, 30)
		for i := range d {
			d[i] = f(i)
		}
		return d
	}
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	return report.Build(report.Input{Municipality: "Exempelby kommun", Language: lang, Location: loc, Month: nov,
		MadeAt: time.Date(2026, 12, 1, 7, 0, 0, 0, loc), Clock: clock,
		Activity: []moderation.AccountActivity{
			{Account: moderation.Account{Key: "fb", Name: "Exempelby på Facebook", Platform: moderation.Facebook},
				Seen: 412, Flagged: 23, Removed: 9, Kept: 12, Registered: 9,
				FlaggedBy:   map[string]int{moderation.CatProfanity: 11, moderation.CatPartyPolitics: 5, moderation.CatPersonalID: 4, moderation.CatHarassment: 3},
				ReviewTimes: []time.Duration{12 * time.Minute, 40 * time.Minute, 95 * time.Minute, 5 * time.Hour},
				SeenPerDay:  perDay(func(i int) int { return 8 + (i*7)%13 }), FlaggedPerDay: perDay(func(i int) int { return (i * 5) % 3 }),
				LastOwnPost: nov.AddDate(0, 0, 27)},
			{Account: moderation.Account{Key: "ig", Name: "Exempelby på Instagram", Platform: moderation.Instagram},
				Seen: 38, Flagged: 1, FlaggedBy: map[string]int{moderation.CatAdvertising: 1},
				SeenPerDay: perDay(func(i int) int { return i % 3 }), FlaggedPerDay: perDay(func(int) int { return 0 }),
				LastOwnPost: nov.AddDate(0, 0, 3), Disconnected: true, DisconnectedAt: nov.AddDate(0, 0, 20)},
		}})
}

func TestRender(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext", "pdfinfo", "pdfdetach")
	clock := []report.AnswerClock{{AccountKey: "fb", Asked: 14, AnsweredInTime: 11, AnsweredLate: 2, OpenOverdue: 1, MedianHours: 6.5, P90Hours: 31}}
	// Words only one language has: a report in another language must not
	// carry them.
	only := map[string][]string{
		"sv": {"Månadsrapport", "Borttagna", "Granskningstid", "inga frågor", "Inaktiva konton", "Frånkopplade"},
		"da": {"Månedsrapport", "Fjernede", "Behandlingstid", "ingen spørgsmål", "Inaktive konti", "Afbrudte"},
		"en": {"Monthly report", "Removed", "Review time", "no questions", "Inactive accounts", "Disconnected accounts"},
	}
	for _, tc := range []struct {
		name, lang  string
		clock       []report.AnswerClock
		want        []string
		wantMissing []string
	}{
		{"Swedish with the answer clock", "sv", clock,
			[]string{"Månadsrapport november 2026", "Exempelby kommun", "svordomar", "partipolitik", "personnummer", "Totalt", "450", "6,5", "inga frågor", "Exempelby på Instagram", "2026-11-21"},
			[]string{"Svarsklockan har inga uppgifter"}},
		{"Danish without the answer clock", "da", nil,
			[]string{"Månedsrapport november 2026", "bandeord", "CPR-nummer", "reklame", "I alt", "Svaruret har ingen oplysninger for måneden: ingen spørgsmål.", "Behandlingstid", "40 min"},
			[]string{"Besvaret i tide"}},
		{"English with the answer clock", "en", clock,
			[]string{"Monthly report November 2026", "profanity", "identity number", "31.0", "Answered in time", "no questions"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Render(context.Background(), sample(t, tc.lang, tc.clock), pdf.Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			dir := t.TempDir()
			if *keep != "" {
				dir = *keep
			}
			file := filepath.Join(dir, "report-"+tc.lang+".pdf")
			if err := os.WriteFile(file, out, 0o600); err != nil {
				t.Fatal(err)
			}
			raw := string(out)
			if !regexp.MustCompile(`pdfaid:part(='3'|="3"|>3<)`).MatchString(raw) || !regexp.MustCompile(`pdfaid:conformance(='B'|="B"|>B<)`).MatchString(raw) {
				t.Errorf("XMP: got no pdfaid part 3 conformance B, want PDF/A-3b")
			}
			if info := run(t, "pdfinfo", file); !strings.Contains(info, "Title:") || !strings.Contains(info, "November 2026") && !strings.Contains(info, "november 2026") {
				t.Errorf("pdfinfo: got %q, want the month in the title", info)
			}
			if list := run(t, "pdfdetach", "-list", file); !strings.Contains(list, "report.json") {
				t.Errorf("pdfdetach -list: got %q, want report.json attached", list)
			}
			text := run(t, "pdftotext", "-enc", "UTF-8", file, "-")
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("pdftotext: got no %q, want it", w)
				}
			}
			for _, w := range tc.wantMissing {
				if strings.Contains(flat, w) {
					t.Errorf("pdftotext: got %q, want it absent", w)
				}
			}
			for lang, words := range only {
				if lang == tc.lang {
					continue
				}
				for _, w := range words {
					if strings.Contains(flat, w) {
						t.Errorf("pdftotext: got the %s words %q in a report in %s", lang, w, tc.lang)
					}
				}
			}
			for _, c := range moderation.Categories() {
				if strings.Contains(flat, c) && strings.Contains(c, "_") {
					t.Errorf("pdftotext: got the category code %q, want words", c)
				}
			}
		})
	}
}

func TestLayoutEmptyMonth(t *testing.T) {
	testenv.NeedTools(t, "pdftotext")
	r := report.Build(report.Input{Language: "sv", Month: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Activity: []moderation.AccountActivity{{Account: moderation.Account{Key: "fb"}}}})
	b, err := Layout(r)
	if err != nil {
		t.Fatalf("Layout: %v", err)
	}
	file := filepath.Join(t.TempDir(), "empty.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(run(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
	for _, w := range []string{"Månadsrapport februari 2026", "Inga kommentarer flaggades.", "Inga ärenden avgjordes.", "Svarsklockan har inga uppgifter", "2026-02-01 – 2026-02-28"} {
		if !strings.Contains(flat, w) {
			t.Errorf("pdftotext: got no %q, want it", w)
		}
	}
}

func BenchmarkLayout(b *testing.B) {
	r := sample(b, "sv", nil)
	for b.Loop() {
		if _, err := Layout(r); err != nil {
			b.Fatal(err)
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
