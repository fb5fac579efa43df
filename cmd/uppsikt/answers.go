package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/bot/answers"
	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
	"github.com/uppsikt/uppsikt/moderation/slack"
)

// answerClock is the answer clock wired: each account's working time (its
// schedule's office hours on the working days of the municipality's
// country, in its time zone), the loop that reminds, and the web page's
// Questions page.
type answerClock struct {
	hours map[string]*calendar.OfficeHours
	loop  *answers.Loop
	page  *review.Answers
}

// workingHours builds every configured account's working time.
func workingHours(cfg *config.Config, loc *time.Location) (map[string]*calendar.OfficeHours, error) {
	cal, err := calendar.New(cfg.Municipality.Country)
	if err != nil {
		return nil, err
	}
	hours := map[string]*calendar.OfficeHours{}
	for _, a := range cfg.Accounts {
		start, end, err := config.ParseOfficeHours(cfg.Schedules[a.Schedule].OfficeHours)
		if err != nil {
			return nil, err
		}
		h, err := calendar.NewOfficeHours(cal, loc, start, end)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Key, err)
		}
		hours[a.Key] = h
	}
	return hours, nil
}

// openAnswerClock builds the clock's parts; the loop's reminders go to
// Slack once connect has given it the notifier.
func openAnswerClock(cfg *config.Config, st store, loc *time.Location) (*answerClock, error) {
	hours, err := workingHours(cfg, loc)
	if err != nil {
		return nil, err
	}
	c := &answerClock{hours: hours}
	c.page = &review.Answers{Store: st, Hours: c.workingTime, Within: cfg.Answers.Within.D(), Reminders: durations(cfg.Answers.Reminders)}
	return c, nil
}

// workingTime is an account's working time, nil for an account not
// configured.
func (c *answerClock) workingTime(key string) moderation.WorkingTime {
	if h, ok := c.hours[key]; ok {
		return h
	}
	return nil
}

// start builds the loop, reminding through Slack when the notifier is
// given (nil: reminders are shown on the web page only).
func (c *answerClock) start(cfg *config.Config, st store, n *slack.Notifier, loc *time.Location, now func() time.Time, log *slog.Logger) {
	var notifier answers.Notifier
	if n != nil {
		notifier = slackReminders{n: n, loc: loc}
	}
	c.loop = answers.New(answers.Options{
		Store: st, Hours: c.workingTime, Within: cfg.Answers.Within.D(), Reminders: durations(cfg.Answers.Reminders),
		CheckEvery: cfg.Answers.CheckEvery.D(), Notifier: notifier, Now: now, Logger: log,
	})
	c.page.Marked = c.loop.Wake
}

func durations(ds []config.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.D()
	}
	return out
}

// slackReminders delivers the clock's reminders to the account's Slack
// channel.
type slackReminders struct {
	n   *slack.Notifier
	loc *time.Location
}

func (s slackReminders) Remind(ctx context.Context, r answers.Reminder) (string, error) {
	return s.n.RemindQuestion(ctx, r.Account, r.Question, r.After, r.DueAt, s.loc)
}

// answerStatsByAccount gives the answer clock's statistics of every
// configured account, in configuration order, for the questions asked in
// [from, to), open ones measured until to or now, whichever is earlier:
// what the monthly report shows of the clock.
func answerStatsByAccount(cfg *config.Config, st store) (func(ctx context.Context, from, to, now time.Time) ([]moderation.AnswerSummary, error), error) {
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		return nil, fmt.Errorf("answer statistics: %w", err)
	}
	hours, err := workingHours(cfg, loc)
	if err != nil {
		return nil, fmt.Errorf("answer statistics: %w", err)
	}
	within := cfg.Answers.Within.D()
	return func(ctx context.Context, from, to, now time.Time) ([]moderation.AnswerSummary, error) {
		out := make([]moderation.AnswerSummary, 0, len(cfg.Accounts))
		for _, a := range cfg.Accounts {
			s, err := moderation.AnswerStats(ctx, st, hours[a.Key], a.Key, from, to, now, within)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}, nil
}
