package config

import (
	"fmt"
	"time"
)

// Answers configures the answer clock: questions to the municipality are
// to be answered within a working time (the guideline: "inom 36 timmar
// under arbetsdagar och normal kontorstid"), counted in each account's
// office hours (its schedule's office_hours) on the working days of
// municipality.country in municipality.timezone.
type Answers struct {
	// Within is the service guarantee in working time (default 36h).
	Within Duration `yaml:"within"`
	// Reminders are the working times after which the account's owners
	// and substitutes are reminded of an open question, each once
	// (default 24h and 32h).
	Reminders []Duration `yaml:"reminders"`
	// CheckEvery is how often new questions and the account's replies are
	// looked for between the reminders that fall due (default 1m).
	CheckEvery Duration `yaml:"check_every"`
}

// Answer clock defaults.
const (
	DefaultAnswerWithin     = 36 * time.Hour
	DefaultAnswerCheckEvery = time.Minute
)

// DefaultAnswerReminders are the default reminder thresholds.
func DefaultAnswerReminders() []Duration {
	return []Duration{Duration(24 * time.Hour), Duration(32 * time.Hour)}
}

func (c *Config) answersDefaults() {
	if c.Answers.Within == 0 {
		c.Answers.Within = Duration(DefaultAnswerWithin)
	}
	if c.Answers.Reminders == nil {
		c.Answers.Reminders = DefaultAnswerReminders()
	}
	if c.Answers.CheckEvery == 0 {
		c.Answers.CheckEvery = Duration(DefaultAnswerCheckEvery)
	}
}

func (c *Config) validateAnswers(loc *locator, cerr *Error) {
	if w := c.Answers.Within.D(); w < time.Minute {
		cerr.add(loc, "answers.within", fmt.Sprintf("%s: must be at least 1m of working time (e.g. 36h)", w))
	}
	for i, r := range c.Answers.Reminders {
		field := fmt.Sprintf("answers.reminders[%d]", i)
		switch {
		case r.D() < time.Minute:
			cerr.add(loc, field, fmt.Sprintf("%s: must be at least 1m of working time (e.g. 24h)", r.D()))
		case i > 0 && r <= c.Answers.Reminders[i-1]:
			cerr.add(loc, field, fmt.Sprintf("%s: list the reminders in increasing order, each once", r.D()))
		}
	}
	if e := c.Answers.CheckEvery.D(); e < time.Second || e > time.Hour {
		cerr.add(loc, "answers.check_every", fmt.Sprintf("%s: write from 1s to 1h (default 1m)", e))
	}
}
