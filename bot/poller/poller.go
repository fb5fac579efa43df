package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Poller.
type Options struct {
	Store      moderation.Store
	Connectors map[moderation.Platform]moderation.Connector
	// Interval says how long to wait after a poll of the account at now.
	// It is where office hours and crisis mode are decided.
	Interval func(a moderation.Account, s moderation.Schedule, now time.Time) time.Duration
	Workers  int           // concurrent account polls (default 4)
	Tick     time.Duration // how often the store is asked for due accounts (default 1s)
	Now      func() time.Time
	Logger   *slog.Logger
	// Stored is called after a cycle stored new comment versions, so the
	// pipeline can start at once instead of at its next tick.
	Stored func()
}

// Poller reads accounts when they are due.
type Poller struct {
	opts Options
}

// New returns a Poller.
func New(opts Options) *Poller {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Interval == nil {
		opts.Interval = func(moderation.Account, moderation.Schedule, time.Time) time.Duration { return 15 * time.Minute }
	}
	if opts.Stored == nil {
		opts.Stored = func() {}
	}
	return &Poller{opts: opts}
}

// Run polls due accounts until ctx is cancelled, then waits for the polls
// under way to finish.
func (p *Poller) Run(ctx context.Context) error {
	jobs := make(chan string)
	var wg sync.WaitGroup
	busy := newKeySet()
	for range p.opts.Workers {
		wg.Go(func() {
			for key := range jobs {
				if err := p.PollAccount(ctx, key); err != nil && ctx.Err() == nil {
					p.opts.Logger.Warn("poll failed", "account", key, "error", err)
				}
				busy.remove(key)
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	ticker := time.NewTicker(p.opts.Tick)
	defer ticker.Stop()
	for {
		due, err := p.opts.Store.DueSchedules(ctx, p.opts.Now())
		if err != nil && ctx.Err() == nil {
			p.opts.Logger.Error("read schedules", "error", err)
		}
		for _, s := range due {
			if !busy.add(s.AccountKey) {
				continue // still being polled
			}
			select {
			case jobs <- s.AccountKey:
			case <-ctx.Done():
				return nil
			default:
				// Every worker is busy: try again at the next tick.
				busy.remove(s.AccountKey)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// PollAccount runs one poll cycle for an account and schedules the next.
func (p *Poller) PollAccount(ctx context.Context, key string) error {
	now := p.opts.Now()
	a, err := p.opts.Store.Account(ctx, key)
	if err != nil {
		return fmt.Errorf("poll %s: %w", key, err)
	}
	sched, err := p.opts.Store.Schedule(ctx, key)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return fmt.Errorf("poll %s: %w", key, err)
	}
	sched.AccountKey = key
	if a.Status != moderation.AccountActive {
		// Disconnected or closed accounts are not called until a human acts.
		sched.NextPollAt = now.Add(p.opts.Interval(a, sched, now))
		return p.opts.Store.SetSchedule(ctx, sched)
	}
	cycleErr := p.cycle(ctx, a)
	sched.LastPollAt = now
	sched.LastError = ""
	if cycleErr != nil {
		sched.LastError = cycleErr.Error()
	}
	sched.NextPollAt = p.opts.Now().Add(p.opts.Interval(a, sched, now))
	if err := p.opts.Store.SetSchedule(context.WithoutCancel(ctx), sched); err != nil {
		return errors.Join(cycleErr, fmt.Errorf("schedule next poll of %s: %w", key, err))
	}
	return cycleErr
}

func (p *Poller) cycle(ctx context.Context, a moderation.Account) error {
	conn, ok := p.opts.Connectors[a.Platform]
	if !ok {
		return fmt.Errorf("no connector for platform %s", a.Platform)
	}
	cur, err := p.opts.Store.Cursor(ctx, a.Key)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return fmt.Errorf("read cursor: %w", err)
	}
	res, err := conn.Poll(ctx, a, cur)
	if err != nil {
		return err
	}
	n, err := Store(ctx, p.opts.Store, res)
	if err != nil {
		return err
	}
	p.opts.Logger.Debug("polled", "account", a.Key, "posts", len(res.Posts), "comments", len(res.Comments), "new_versions", n, "requests", res.Requests)
	if n > 0 {
		p.opts.Stored()
	}
	return nil
}

// Store writes what a poll saw: posts first, then comments, then state
// changes, then the cursor. It returns how many new comment versions were
// stored. It is safe to call again with the same result.
func Store(ctx context.Context, st moderation.Store, res moderation.PollResult) (int, error) {
	for _, post := range res.Posts {
		if _, err := st.SavePost(ctx, post); err != nil {
			return 0, fmt.Errorf("store post %s: %w", post.PlatformID, err)
		}
	}
	n := 0
	for _, o := range res.Comments {
		r, err := st.RecordComment(ctx, o)
		if err != nil {
			return n, fmt.Errorf("store comment %s: %w", o.PlatformID, err)
		}
		if r.NewVersion {
			n++
		}
	}
	for _, c := range res.Changes {
		if _, err := st.RecordStateChange(ctx, c); err != nil && !errors.Is(err, moderation.ErrNotFound) {
			return n, fmt.Errorf("store state of %s: %w", c.PlatformID, err)
		}
	}
	if res.Cursor.AccountKey != "" {
		if err := st.SetCursor(ctx, res.Cursor); err != nil {
			return n, fmt.Errorf("store cursor: %w", err)
		}
	}
	return n, nil
}

// keySet is the set of accounts being polled now.
type keySet struct {
	mu   sync.Mutex
	keys map[string]bool
}

func newKeySet() *keySet { return &keySet{keys: map[string]bool{}} }

func (s *keySet) add(k string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys[k] {
		return false
	}
	s.keys[k] = true
	return true
}

func (s *keySet) remove(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, k)
}

// Ensure gives every account without a stored schedule one that is due now,
// so that a new account is polled at once and a known one keeps its time.
func (p *Poller) Ensure(ctx context.Context, keys []string) error {
	for _, key := range keys {
		_, err := p.opts.Store.Schedule(ctx, key)
		switch {
		case err == nil:
			continue
		case errors.Is(err, moderation.ErrNotFound):
		default:
			return fmt.Errorf("read schedule of %s: %w", key, err)
		}
		if err := p.opts.Store.SetSchedule(ctx, moderation.Schedule{AccountKey: key, NextPollAt: p.opts.Now()}); err != nil {
			return fmt.Errorf("schedule %s: %w", key, err)
		}
	}
	return nil
}
