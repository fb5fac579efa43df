package answers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Store is what the loop needs of the store.
type Store interface {
	moderation.QuestionStore
	Account(ctx context.Context, key string) (moderation.Account, error)
}

// Reminder is one reminder to deliver.
type Reminder struct {
	Question moderation.Question
	Account  moderation.Account
	After    time.Duration // the threshold reached, in working time
	DueAt    time.Time     // when the question is due (Options.Within)
}

// Notifier delivers reminders to an account's review channel.
type Notifier interface {
	// Remind delivers r and returns where it went (a Slack channel id),
	// or "" when the account has no channel it can deliver to, in which
	// case the web page alone shows the reminder.
	Remind(ctx context.Context, r Reminder) (channel string, err error)
}

// ChannelWeb is the channel recorded for a reminder shown only on the web
// page.
const ChannelWeb = "web"

// Options configure a Loop.
type Options struct {
	Store Store
	// Hours gives the working time of an account; nil for an account not
	// configured (its questions wait, unreminded).
	Hours      func(accountKey string) moderation.WorkingTime
	Within     time.Duration   // the service guarantee (default 36h)
	Reminders  []time.Duration // thresholds in increasing order
	CheckEvery time.Duration   // the longest sleep (default 1m)
	Notifier   Notifier        // nil: reminders are for the web page only
	Now        func() time.Time
	Logger     *slog.Logger
}

// Loop runs the answer clock.
type Loop struct {
	opts Options
	wake chan struct{}
}

// New returns a Loop.
func New(opts Options) *Loop {
	if opts.Within <= 0 {
		opts.Within = 36 * time.Hour
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Loop{opts: opts, wake: make(chan struct{}, 1)}
}

// Wake makes the loop look at the questions now. It never blocks.
func (l *Loop) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run runs rounds until ctx is cancelled, sleeping until the next reminder
// falls due or CheckEvery has passed, whichever is first.
func (l *Loop) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-l.wake:
		}
		next, err := l.Round(ctx)
		if err != nil && ctx.Err() == nil {
			l.opts.Logger.Error("answer clock round failed", "error", err)
		}
		timer.Reset(l.sleep(next))
	}
}

// sleep is how long to wait before the round after one that found the
// next reminder due at next (zero: none).
func (l *Loop) sleep(next time.Time) time.Duration {
	d := l.opts.CheckEvery
	if !next.IsZero() {
		if until := next.Sub(l.opts.Now()); until < d {
			d = max(until, 0)
		}
	}
	return d
}

// Round syncs the questions with the store, delivers the reminders due and
// records them, and returns when the next reminder not yet due falls due
// (zero when none is waiting). A reminder that could not be delivered is
// tried again in the next round.
func (l *Loop) Round(ctx context.Context) (time.Time, error) {
	now := l.opts.Now()
	sync, err := l.opts.Store.SyncQuestions(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	if sync != (moderation.QuestionSync{}) {
		l.opts.Logger.Info("questions", "opened", sync.Opened, "answered", sync.Answered, "gone", sync.Gone, "reopened", sync.Reopened)
	}
	open, err := l.opts.Store.Questions(ctx, moderation.QuestionFilter{States: []string{moderation.QuestionOpen}})
	if err != nil {
		return time.Time{}, fmt.Errorf("open questions: %w", err)
	}
	var (
		next     time.Time
		errs     []error
		accounts = map[string]moderation.Account{}
	)
	for _, q := range open {
		if ctx.Err() != nil {
			break
		}
		wt := l.hours(q.AccountKey)
		if wt == nil {
			continue
		}
		// The thresholds reached and not yet reminded of go out as one
		// reminder naming the highest (after a night's outage, or at the
		// first start, not two at once), and are all recorded.
		var due []time.Duration
		for _, after := range l.opts.Reminders {
			if q.Reminded(after) {
				continue
			}
			at := wt.Add(q.AskedAt, after)
			if at.After(now) {
				if next.IsZero() || at.Before(next) {
					next = at
				}
				break // the later thresholds are later still
			}
			due = append(due, after)
		}
		if len(due) == 0 {
			continue
		}
		a, ok := accounts[q.AccountKey]
		if !ok {
			if a, err = l.opts.Store.Account(ctx, q.AccountKey); err != nil {
				errs = append(errs, fmt.Errorf("question %d: %w", q.ID, err))
				continue
			}
			accounts[q.AccountKey] = a
		}
		if err := l.remind(ctx, Reminder{Question: q, Account: a, After: due[len(due)-1], DueAt: wt.Add(q.AskedAt, l.opts.Within)}, due, now); err != nil {
			errs = append(errs, err)
		}
	}
	l.opts.Logger.Debug("answer clock round", "open", len(open), "next_due", next)
	return next, errors.Join(errs...)
}

func (l *Loop) hours(accountKey string) moderation.WorkingTime {
	if l.opts.Hours == nil {
		return nil
	}
	return l.opts.Hours(accountKey)
}

// remind delivers one reminder and records it for every threshold it
// stands for.
func (l *Loop) remind(ctx context.Context, r Reminder, thresholds []time.Duration, now time.Time) error {
	channel := ""
	if l.opts.Notifier != nil {
		var err error
		if channel, err = l.opts.Notifier.Remind(ctx, r); err != nil {
			l.opts.Logger.Warn("question reminder not delivered", "question_id", r.Question.ID, "account", r.Account.Key, "after", r.After, "error", err)
			return fmt.Errorf("remind of question %d: %w", r.Question.ID, err)
		}
	}
	if channel == "" {
		channel = ChannelWeb
	}
	for _, after := range thresholds {
		if _, err := l.opts.Store.RecordReminder(ctx, moderation.QuestionReminder{QuestionID: r.Question.ID, After: after, SentAt: now, Channel: channel}); err != nil {
			return err
		}
	}
	l.opts.Logger.Info("question reminder sent", "question_id", r.Question.ID, "comment_id", r.Question.CommentID,
		"account", r.Account.Key, "after", r.After, "channel", channel)
	return nil
}
