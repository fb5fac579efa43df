package main

import (
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// TestDemoQuestionsSeeded: the demo's emulator gets, on the Facebook
// page's newest post older than them, a question waiting 4 working hours
// past the guarantee and one the page answered in its thread after 5
// working hours, in the scenario's language, counted in the working time
// the service counts with.
func TestDemoQuestionsSeeded(t *testing.T) {
	for _, tc := range []struct{ scenario, waiting, answered string }{
		{"sv", "När kommer snöplogen", "Var kan man lämna grovsopor"},
		{"da", "Hvornår kommer sneploven", "Hvor kan man aflevere storskrald"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			re, err := startEmulator(tc.scenario, "127.0.0.1:0", discardLogger())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { re.stop() })
			yaml, err := re.configFor(t.TempDir(), "127.0.0.1:0", 10*time.Second, "app_secret: x", func(string) string { return "token: t" })
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse(yaml, "demo", t.TempDir(), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			if err := seedDemoQuestions(re, cfg, now); err != nil {
				t.Fatal(err)
			}
			loc, _ := time.LoadLocation(cfg.Municipality.Timezone)
			hours, err := workingHours(cfg, loc)
			if err != nil {
				t.Fatal(err)
			}
			var found int
			for _, a := range re.em.State("").Accounts {
				var key string
				for _, ca := range cfg.Accounts {
					if ca.ID == a.ID {
						key = ca.Key
					}
				}
				h := hours[key]
				for _, p := range a.Posts {
					byID := map[string]string{}
					for _, c := range p.Comments {
						byID[c.ID] = c.Message
					}
					for _, c := range p.Comments {
						switch {
						case strings.Contains(c.Message, tc.waiting):
							found++
							if got, want := h.Between(c.Created, now), cfg.Answers.Within.D()+4*time.Hour; got < want || got > want+time.Hour {
								t.Errorf("the waiting question has waited %s of working time, want %s to an hour more", got, want)
							}
						case strings.Contains(c.Message, tc.answered):
							found++
							if got := h.Between(c.Created, now); got < 12*time.Hour {
								t.Errorf("the answered question was asked %s of working time ago, want at least 12 h", got)
							}
						case c.ByPage && strings.Contains(byID[c.ParentID], tc.answered):
							found++
							var asked time.Time
							for _, q := range p.Comments {
								if q.ID == c.ParentID {
									asked = q.Created
								}
							}
							if got := h.Between(asked, c.Created); got != 5*time.Hour {
								t.Errorf("the page answered after %s of working time, want 5 h", got)
							}
						}
					}
				}
			}
			if found != 3 {
				t.Errorf("demo comments found: got %d, want the two questions and the answer", found)
			}
		})
	}
}
