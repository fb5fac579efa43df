package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Graph asks the platform about an account's token and its webhook
// subscription. *facebook.Client with facebook.Connector does (see
// cmd/uppsikt).
type Graph interface {
	DebugToken(ctx context.Context, a moderation.Account) (moderation.TokenCheck, error)
	Subscribed(ctx context.Context, a moderation.Account) (bool, error)
}

// Store is a store with the health facts.
type Store interface {
	moderation.Store
	moderation.HealthStore
}

// Register is one configured account with its purpose: why the
// municipality has it, as the account register says.
type Register struct {
	Account moderation.Account // key, platform, name, owners, substitutes as configured
	Purpose string
}

// Options configure a Checker.
type Options struct {
	Store    Store
	Accounts []Register
	// Graph does the daily checks; nil leaves them out (Report alone, as
	// `uppsikt accounts` reads the store).
	Graph  Graph
	Policy moderation.HealthPolicy
	// StalledAfter is how old the oldest waiting work item or action may
	// be before work counts as stalled (default 1 hour).
	StalledAfter time.Duration
	// Capture says whether evidence capture works; nil: it does.
	Capture func() moderation.CaptureHealth
	// Notify is given each report Run makes (the Slack alerts); nil: none.
	Notify func(ctx context.Context, r moderation.HealthReport) error
	// CheckEvery is how often an account's token and subscription are
	// checked (default 24 hours); a check that failed is tried again after
	// RetryAfter (default 15 minutes).
	CheckEvery time.Duration
	RetryAfter time.Duration
	// Tick is how often Run looks for due checks and reports (default 5
	// minutes); Delay is how long it waits after start before the first
	// round (default 1 minute, so that the start's own webhook
	// subscription is done before it is looked at).
	Tick   time.Duration
	Delay  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Checker checks and reports the accounts' health.
type Checker struct {
	opts Options
}

// New returns a Checker.
func New(opts Options) *Checker {
	opts.Policy = opts.Policy.WithDefaults()
	if opts.StalledAfter <= 0 {
		opts.StalledAfter = time.Hour
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = 24 * time.Hour
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 15 * time.Minute
	}
	if opts.Tick <= 0 {
		opts.Tick = 5 * time.Minute
	}
	if opts.Delay < 0 {
		opts.Delay = 0
	} else if opts.Delay == 0 {
		opts.Delay = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checker{opts: opts}
}

// Report reads the health of every configured account, of evidence
// capture and of the work queues now. It only reads the store.
func (c *Checker) Report(ctx context.Context) (moderation.HealthReport, error) {
	now := c.opts.Now()
	r := moderation.HealthReport{At: now}
	if c.opts.Capture != nil {
		r.Capture = c.opts.Capture()
	}
	for _, reg := range c.opts.Accounts {
		a := reg.Account
		stored, err := c.opts.Store.Account(ctx, a.Key)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			return r, fmt.Errorf("health of %s: %w", a.Key, err)
		}
		if err == nil {
			a.Status, a.StatusNote, a.UpdatedAt = stored.Status, stored.StatusNote, stored.UpdatedAt
		}
		var f moderation.AccountFacts
		if err == nil {
			if f, err = c.opts.Store.AccountFacts(ctx, a.Key); err != nil {
				return r, err
			}
		}
		r.Accounts = append(r.Accounts, moderation.AccountHealth{Account: a, Purpose: reg.Purpose, Facts: f,
			Warnings: moderation.AccountWarnings(a, f, r.Capture, c.opts.Policy, now)})
	}
	oldest, err := c.opts.Store.OldestPendingWork(ctx)
	if err != nil {
		return r, err
	}
	r.Work = moderation.WorkHealth{OldestPending: oldest, Stalled: !oldest.IsZero() && now.Sub(oldest) > c.opts.StalledAfter}
	return r, nil
}

// due reports whether a check made at checkedAt (failing with class
// failed, "" when it did not) should be made again at now.
func (c *Checker) due(checkedAt time.Time, failed string, now time.Time) bool {
	if checkedAt.IsZero() {
		return true
	}
	if failed != "" {
		return now.Sub(checkedAt) >= c.opts.RetryAfter
	}
	return now.Sub(checkedAt) >= c.opts.CheckEvery
}

// Check asks Graph about every Meta account whose last check is due: the
// token (debug_token) and, with webhooks on, a Facebook page's
// subscription. The answers, or the class of a failure, are recorded. A
// failure with one account does not keep the others from being checked.
func (c *Checker) Check(ctx context.Context) error {
	if c.opts.Graph == nil {
		return nil
	}
	var errs []error
	for _, reg := range c.opts.Accounts {
		a := reg.Account
		if a.Platform != moderation.Facebook && a.Platform != moderation.Instagram {
			continue
		}
		f, err := c.opts.Store.AccountFacts(ctx, a.Key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		now := c.opts.Now()
		if c.due(f.Token.CheckedAt, f.Token.Error, now) {
			tc, err := c.opts.Graph.DebugToken(ctx, a)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				tc = moderation.TokenCheck{CheckedAt: now, Error: moderation.ErrorClass(err)}
				c.opts.Logger.Warn("token check failed", "account", a.Key, "class", tc.Error)
			} else if !tc.Valid {
				c.opts.Logger.Warn("token not valid", "account", a.Key)
			}
			if err := c.opts.Store.RecordTokenCheck(ctx, a.Key, tc); err != nil {
				errs = append(errs, err)
			}
		}
		if a.Platform != moderation.Facebook || !c.opts.Policy.Webhooks || !c.due(f.Subscription.CheckedAt, f.Subscription.Error, now) {
			continue
		}
		sc := moderation.SubscriptionCheck{CheckedAt: now}
		if sc.Subscribed, err = c.opts.Graph.Subscribed(ctx, a); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			sc = moderation.SubscriptionCheck{CheckedAt: now, Error: moderation.ErrorClass(err)}
			c.opts.Logger.Warn("webhook subscription check failed", "account", a.Key, "class", sc.Error)
		} else if !sc.Subscribed {
			c.opts.Logger.Warn("page not subscribed to the webhook", "account", a.Key)
		}
		if err := c.opts.Store.RecordSubscriptionCheck(ctx, a.Key, sc); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Round runs the due checks, then reports and notifies.
func (c *Checker) Round(ctx context.Context) error {
	err := c.Check(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if c.opts.Notify == nil {
		return err
	}
	r, rerr := c.Report(ctx)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	return errors.Join(err, c.opts.Notify(ctx, r))
}

// Run does a Round after Delay and then every Tick until ctx ends. A
// failed round is logged and tried again at the next tick.
func (c *Checker) Run(ctx context.Context) {
	t := time.NewTimer(c.opts.Delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.Round(ctx); err != nil && ctx.Err() == nil {
			c.opts.Logger.Warn("account health round", "error", err)
		}
		t.Reset(c.opts.Tick)
	}
}
