package main

import (
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// demoQuestion is what the demo's two questions and the page's answer say,
// by language.
type demoQuestion struct{ answered, answer, waiting string }

func demoQuestionTexts(lang string) demoQuestion {
	if lang == "da" {
		return demoQuestion{"Hej! Hvor kan man aflevere storskrald nu i vinter?",
			"Hej! Genbrugspladsen på Industrivej tager imod storskrald på hverdage 7–19 hele vinteren. /Miljøafdelingen",
			"Hvornår kommer sneploven til Birkevej? Vi har ikke set en plov i tre dage."}
	}
	return demoQuestion{"Hej! Var kan man lämna grovsopor nu under vintern?",
		"Hej! Återvinningscentralen på Industrigatan tar emot grovsopor vardagar 7–19 hela vintern. /Miljöenheten",
		"När kommer snöplogen till Björkvägen? Vi har inte sett någon plog på tre dagar."}
}

// seedDemoQuestions puts two questions of known age on the demo's first
// Facebook page, on its newest post older than them: one the page
// answered in its thread within the service guarantee (after 5 working
// hours, asked 12 working hours ago), and one that has waited 4 working
// hours past the guarantee, so that the answer clock's first round sends
// its reminder. Working time is the account's, as the service counts it.
func seedDemoQuestions(re *runningEmulator, cfg *config.Config, now time.Time) error {
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		return fmt.Errorf("demo questions: %w", err)
	}
	hours, err := workingHours(cfg, loc)
	if err != nil {
		return fmt.Errorf("demo questions: %w", err)
	}
	texts := demoQuestionTexts(cfg.Municipality.Language)
	within := cfg.Answers.Within.D()
	for _, a := range cfg.Accounts {
		if a.Platform != "facebook" {
			continue
		}
		h := hours[a.Key]
		// ago steps back from now until d of working time lies between.
		ago := func(d time.Duration) time.Time {
			t := now.Truncate(time.Minute)
			for i := 0; i < 24*366 && h.Between(t, now) < d; i++ {
				t = t.Add(-time.Hour)
			}
			return t
		}
		waiting, answered := ago(within+4*time.Hour), ago(12*time.Hour)
		for _, acct := range re.em.State("").Accounts {
			if acct.ID != a.ID {
				continue
			}
			for _, p := range acct.Posts { // newest first
				if p.Deleted || !p.Created.Before(waiting) {
					continue
				}
				if _, err := re.em.AddCommentAt(p.ID, "Karin Nyström", texts.waiting, waiting, false); err != nil {
					return fmt.Errorf("demo questions: %w", err)
				}
				q, err := re.em.AddCommentAt(p.ID, "Per Eriksson", texts.answered, answered, false)
				if err != nil {
					return fmt.Errorf("demo questions: %w", err)
				}
				if _, err := re.em.AddCommentAt(q, "", texts.answer, h.Add(answered, 5*time.Hour), true); err != nil {
					return fmt.Errorf("demo questions: %w", err)
				}
				return nil
			}
		}
	}
	return nil
}
