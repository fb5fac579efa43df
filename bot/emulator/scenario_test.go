package emulator_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
)

func TestEmbeddedScenarios(t *testing.T) {
	for _, name := range []string{"sv", "da"} {
		t.Run(name, func(t *testing.T) {
			s, err := emulator.LoadScenario(name)
			if err != nil {
				t.Fatal(err)
			}
			sum := s.Summary()
			if sum.Language != name {
				t.Errorf("language %q", sum.Language)
			}
			if sum.Posts < 150 || sum.Posts > 250 {
				t.Errorf("posts: got %d, want 150–250", sum.Posts)
			}
			if got := sum.Comments + sum.Replies; got < 1500 {
				t.Errorf("comments and replies: got %d, want ≥ 1500", got)
			}
			for _, c := range moderation.Categories() {
				if sum.PerCategory[c] == 0 {
					t.Errorf("category %s: no comments", c)
				}
			}
			if share := float64(sum.Labelled) / float64(sum.Comments+sum.Replies); share > 0.25 {
				t.Errorf("labelled share %.2f: removable comments should be a minority", share)
			}
			var plats []string
			for _, a := range sum.PerAccount {
				plats = append(plats, a.Platform)
				if a.Posts == 0 || a.Comments == 0 {
					t.Errorf("account %s is empty: %+v", a.Key, a)
				}
			}
			if strings.Join(plats, ",") != "facebook,instagram" {
				t.Errorf("accounts %v", plats)
			}
			again, _ := emulator.LoadScenario(name)
			if !reflect.DeepEqual(s.Posts, again.Posts) {
				t.Errorf("loading twice gives different posts")
			}
			t.Logf("%s: %d posts, %d comments, %d replies, %d labelled, per category %v", name, sum.Posts, sum.Comments, sum.Replies, sum.Labelled, sum.PerCategory)
		})
	}
}

// The traps of the corpus must be in the scenarios, unlabelled or labelled
// as the corpus README describes.
func TestScenarioTraps(t *testing.T) {
	tests := []struct {
		scenario, text string
		label          string // "" = must carry no label
	}{
		{"sv", "Äntligen slut på", ""},
		{"sv", "stort fan av bibliotekets", ""},
		{"sv", "genom Fittja", ""},
		{"sv", "Kukkolaforsen", ""},
		{"sv", "212000-2049", ""},
		{"sv", "0250-55 60 00", ""},
		{"sv", "780230-5545", ""},
		{"sv", "850412-3285", moderation.CatPersonalID},
		{"sv", "850472-6111", moderation.CatPersonalID},
		{"sv", "Centerpartiets motion", ""},
		{"da", "slut med vejarbejdet", ""},
		{"da", "Fanø", ""},
		{"da", "Middelfart", ""},
		{"da", "41872235", ""},
		{"da", "310290-1234", ""},
		{"da", "150384-2217", moderation.CatPersonalID},
		{"da", "aktindsigt i alle dokumenter", ""},
	}
	states := map[string]emulator.State{}
	for _, tt := range tests {
		t.Run(tt.scenario+" "+tt.text, func(t *testing.T) {
			st, ok := states[tt.scenario]
			if !ok {
				s, err := emulator.LoadScenario(tt.scenario)
				if err != nil {
					t.Fatal(err)
				}
				e, err := emulator.New(emulator.Options{Scenario: s})
				if err != nil {
					t.Fatal(err)
				}
				st = e.State("")
				e.Close()
				states[tt.scenario] = st
			}
			found := 0
			for _, a := range st.Accounts {
				for _, p := range a.Posts {
					for _, c := range p.Comments {
						if !strings.Contains(c.Message, tt.text) {
							continue
						}
						found++
						if tt.label == "" && len(c.Labels) > 0 {
							t.Errorf("trap %q labelled %v", c.Message, c.Labels)
						}
						if tt.label != "" && (len(c.Labels) == 0 || c.Labels[0] != tt.label) {
							t.Errorf("%q: labels %v, want %s", c.Message, c.Labels, tt.label)
						}
					}
				}
			}
			if found == 0 {
				t.Errorf("no comment contains %q", tt.text)
			}
		})
	}
}

func TestBadScenarioNamesFileAndLine(t *testing.T) {
	good := `name: Test
language: sv
accounts:
  - {key: fb, platform: facebook, id: "1", name: T, token: t, posts: 3}
authors: [A B, C D]
posts: [hej]
comments:
  - hej
`
	tests := []struct {
		name, body, want string
	}{
		{"unknown label", good + "  - text: fult\n    labels: [hat]\n", `line 10: unknown label "hat"`},
		{"unknown field", good + "  - text: fult\n    lables: [hate]\n", `line 10: unknown field "lables"`},
		{"unknown top-level field", good + "colour: blue\n", `line 9: field colour not found`},
		{"syntax", good + "  - text: [unclosed\n", "yaml: line"},
		{"language", strings.Replace(good, "language: sv", "language: no", 1), `language "no"`},
		{"instagram without page", strings.Replace(good, "authors:", "  - {key: ig, platform: instagram, id: \"2\", name: I}\nauthors:", 1), `account ig: page ""`},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := emulator.LoadScenario(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want the path and %q", err, tt.want)
			}
		})
	}
	path := filepath.Join(dir, "good.json")
	json := `{"name":"T","language":"da","accounts":[{"key":"fb","platform":"facebook","id":"9","name":"T","token":"t","posts":4,"comments_per_post":[1,2]}],"authors":["A B","C D"],"posts":["hej"],"comments":[{"text":"fuck","labels":["profanity"]}]}`
	if err := os.WriteFile(path, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := emulator.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum := s.Summary(); sum.Posts != 4 || sum.PerCategory[moderation.CatProfanity] < 4 {
		t.Errorf("JSON scenario summary %+v", sum)
	}
	if _, err := emulator.LoadScenario("xx"); err == nil || !strings.Contains(err.Error(), "sv") {
		t.Errorf("unknown embedded name: %v", err)
	}
}

// FuzzParseScenario checks that no scenario file crashes the loader.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte("name: T\nlanguage: sv\naccounts:\n  - {key: fb, platform: facebook, id: \"1\", name: T, token: t, posts: 3, comments_per_post: [1, 3]}\nauthors: [A B, C D]\nposts: [hej]\ncomments:\n  - hej\n  - {text: fan, labels: [profanity], replies: [{page: svar}, nej]}\n"))
	f.Add([]byte(`{"name":"T","language":"da","accounts":[{"key":"fb","platform":"facebook","id":"9","name":"T","token":"t","posts":2}],"authors":["A","B"],"posts":["x"],"comments":["y"]}`))
	f.Add([]byte("name: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := emulator.ParseScenario("fuzz.yaml", data)
		if err != nil {
			return
		}
		sum := s.Summary()
		if sum.Posts != len(s.Posts) {
			t.Fatalf("summary posts %d, scenario %d", sum.Posts, len(s.Posts))
		}
	})
}

// Seasonal texts (snow, midsummer, Christmas) land in their months whatever
// the emulator's clock says.
func TestSeasonalPlacement(t *testing.T) {
	for _, name := range []string{"sv", "da"} {
		s, err := emulator.LoadScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		months := map[string][]int{}
		for _, p := range s.Posts {
			if len(p.Months) > 0 {
				months[p.Message] = p.Months
			}
		}
		for _, now := range []time.Time{
			time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC),
			time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		} {
			e, err := emulator.New(emulator.Options{Scenario: s, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			st := e.State("")
			e.Close()
			var seasonal, wrong, comments int
			for _, a := range st.Accounts {
				for _, p := range a.Posts {
					comments += len(p.Comments)
					for _, c := range p.Comments {
						if c.Created.Before(p.Created) || c.Created.After(now) {
							t.Errorf("%s %s: comment at %v outside its post's life (%v – %v)", name, now.Format("Jan"), c.Created, p.Created, now)
						}
					}
					ms, ok := months[p.Message]
					if !ok {
						continue
					}
					seasonal++
					if !slices.Contains(ms, int(p.Created.Month())) {
						wrong++
					}
				}
			}
			sum := s.Summary()
			if want := sum.Comments + sum.Replies; comments != want {
				t.Errorf("%s %s: %d comments in the emulator, summary says %d", name, now.Format("Jan"), comments, want)
			}
			t.Logf("%s, now in %s: %d seasonal posts, %d out of season", name, now.Format("January"), seasonal, wrong)
			if wrong*20 > seasonal {
				t.Errorf("%s, now in %s: %d of %d seasonal posts out of season", name, now.Format("January"), wrong, seasonal)
			}
		}
	}
}
