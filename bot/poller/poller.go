package poller

import (
	"context"
	"encoding/json"
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
	// Reconcile says how often an account's reconcile pass runs and how far
	// back it looks; every 0 switches it off for the account. Nil switches
	// it off for all. It runs only for connectors that are a
	// moderation.Reconciler.
	Reconcile func(a moderation.Account) (every, window time.Duration)
	Workers   int           // concurrent account polls (default 4)
	Tick      time.Duration // how often the store is asked for due accounts (default 1s)
	// PollTimeout bounds one cheap poll (default 2 minutes) and
	// ReconcileTimeout one reconcile pass (default 15 minutes), so that a
	// stuck platform holds one worker for a bounded time only.
	PollTimeout      time.Duration
	ReconcileTimeout time.Duration
	// ProbeEvery is how often a disconnected account whose connector is a
	// moderation.Prober is probed, to find out whether the platform accepts
	// its token again (default 15 minutes).
	ProbeEvery time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	// Stored is called after a cycle stored new comment versions, so the
	// pipeline can start at once instead of at its next tick.
	Stored func()
	// Polled, when set, is told each poll's outcome after the next poll is
	// scheduled: err nil for a poll that succeeded. A disconnected
	// account's probe that finds the token still rejected is not a poll and
	// is not told. The account health check records it.
	Polled func(ctx context.Context, a moderation.Account, started time.Time, err error)
	// Holds, when set, says whether this worker holds the account's lease
	// (bot/lease): Run polls only those accounts, so that several workers
	// sharing the store never poll one account at once. Nil polls all.
	Holds func(accountKey string) bool
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
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 2 * time.Minute
	}
	if opts.ReconcileTimeout <= 0 {
		opts.ReconcileTimeout = 15 * time.Minute
	}
	if opts.ProbeEvery <= 0 {
		opts.ProbeEvery = 15 * time.Minute
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
	if opts.Reconcile == nil {
		opts.Reconcile = func(moderation.Account) (time.Duration, time.Duration) { return 0, 0 }
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
				if _, err := p.PollAccount(ctx, key, false); err != nil && ctx.Err() == nil {
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
			if p.opts.Holds != nil && !p.opts.Holds(s.AccountKey) {
				continue // another worker's
			}
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

// Report says what one poll cycle of an account did.
type Report struct {
	Account     string
	Requests    int // Graph or web requests sent, retries included
	Posts       int
	NewComments int
	NewVersions int
	Changes     int // hidden, unhidden and deleted comments noticed
	Reconciled  bool
	Skipped     string // why the account was not read (disconnected, closed)
}

// PollAccount runs one poll cycle for an account, with the reconcile pass
// when it is due or forced, and schedules the next. A token the platform
// rejected marks the account disconnected; a rate limit moves the next
// poll to when the limit has passed. A disconnected account is probed when
// it is due (once per ProbeEvery) and, when the platform accepts its token
// again, set active and polled in the same cycle.
func (p *Poller) PollAccount(ctx context.Context, key string, forceReconcile bool) (Report, error) {
	rep := Report{Account: key}
	now := p.opts.Now()
	a, err := p.opts.Store.Account(ctx, key)
	if err != nil {
		return rep, fmt.Errorf("poll %s: %w", key, err)
	}
	sched, err := p.schedule(ctx, key)
	if err != nil {
		return rep, err
	}
	every, window := p.opts.Reconcile(a)
	if a.Status == moderation.AccountDisconnected && !sched.NextPollAt.After(now) {
		var probeErr error
		if a, probeErr = p.probe(ctx, a, &rep); probeErr != nil {
			rep.Skipped = string(a.Status)
			return rep, p.reschedule(ctx, a, now, probeErr, false, every)
		}
	}
	if a.Status != moderation.AccountActive {
		// Disconnected or closed accounts are not called until a human acts.
		rep.Skipped = string(a.Status)
		return rep, p.reschedule(ctx, a, now, nil, false, every)
	}
	var cycleErr error
	conn, ok := p.opts.Connectors[a.Platform]
	if !ok {
		cycleErr = fmt.Errorf("no connector for platform %s", a.Platform)
	} else {
		cycleErr = p.poll(ctx, conn, a, &rep)
		rec, isRec := conn.(moderation.Reconciler)
		due := forceReconcile || (every > 0 && !sched.NextReconcile.After(now))
		if cycleErr == nil && isRec && due && window > 0 {
			cycleErr = p.reconcile(ctx, rec, a, now.Add(-window), moderation.SourceReconcile, &rep)
			rep.Reconciled = cycleErr == nil
		}
	}
	if rep.NewVersions > 0 {
		p.opts.Stored()
	}
	var tokenErr interface{ StatusNote() string }
	if errors.As(cycleErr, &tokenErr) {
		note := tokenErr.StatusNote()
		if err := p.opts.Store.SetAccountStatus(context.WithoutCancel(ctx), key, moderation.AccountDisconnected, note); err != nil {
			cycleErr = errors.Join(cycleErr, fmt.Errorf("mark %s disconnected: %w", key, err))
		}
		p.opts.Logger.Error("account disconnected: the platform rejected its token", "account", key)
	}
	if err := p.reschedule(ctx, a, now, cycleErr, rep.Reconciled, every); err != nil {
		return rep, errors.Join(cycleErr, err)
	}
	return rep, cycleErr
}

func (p *Poller) schedule(ctx context.Context, key string) (moderation.Schedule, error) {
	sched, err := p.opts.Store.Schedule(ctx, key)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return sched, fmt.Errorf("poll %s: %w", key, err)
	}
	sched.AccountKey = key
	return sched, nil
}

// reschedule writes the next poll and reconcile times. It re-reads the
// schedule first, so that crisis mode switched on during the poll is kept.
func (p *Poller) reschedule(ctx context.Context, a moderation.Account, started time.Time, cycleErr error, reconciled bool, every time.Duration) error {
	ctx = context.WithoutCancel(ctx)
	sched, err := p.schedule(ctx, a.Key)
	if err != nil {
		return err
	}
	now := p.opts.Now()
	if a.Status == moderation.AccountActive {
		sched.LastPollAt = started
	}
	sched.LastError = ""
	if cycleErr != nil {
		sched.LastError = cycleErr.Error()
	}
	sched.NextPollAt = now.Add(p.opts.Interval(a, sched, now))
	if p.probes(a, cycleErr) {
		sched.NextPollAt = now.Add(p.opts.ProbeEvery)
	}
	var throttled interface{ RetryAt() time.Time }
	if errors.As(cycleErr, &throttled) && throttled.RetryAt().After(sched.NextPollAt) {
		sched.NextPollAt = throttled.RetryAt()
	}
	switch {
	case reconciled:
		sched.NextReconcile = now.Add(every)
	case every <= 0 || sched.NextReconcile.IsZero() && a.Status != moderation.AccountActive:
		// No reconcile pass, or an account that is not read: a zero time
		// would make the account due at every tick.
		sched.NextReconcile = sched.NextPollAt
	case !sched.NextReconcile.After(now):
		// Due but not done (the poll failed): try with the next poll.
		sched.NextReconcile = sched.NextPollAt
	}
	if err := p.opts.Store.SetSchedule(ctx, sched); err != nil {
		return fmt.Errorf("schedule next poll of %s: %w", a.Key, err)
	}
	if p.opts.Polled != nil && (cycleErr != nil || a.Status == moderation.AccountActive) {
		p.opts.Polled(ctx, a, started, cycleErr)
	}
	return nil
}

// probes reports whether the account is disconnected, or was by this
// cycle's error, and its connector can probe it.
func (p *Poller) probes(a moderation.Account, cycleErr error) bool {
	if _, ok := p.opts.Connectors[a.Platform].(moderation.Prober); !ok {
		return false
	}
	var tokenErr interface{ StatusNote() string }
	return a.Status == moderation.AccountDisconnected || errors.As(cycleErr, &tokenErr)
}

// probe asks the platform whether it accepts a disconnected account's token
// again. When it does, the account is set active (and audited) and returned
// so; a token still rejected leaves it disconnected, with a nil error,
// which is the known state. Other failures (the platform is down or
// throttled) are returned, so that the next probe waits for RetryAt.
func (p *Poller) probe(ctx context.Context, a moderation.Account, rep *Report) (moderation.Account, error) {
	pr, ok := p.opts.Connectors[a.Platform].(moderation.Prober)
	if !ok {
		return a, nil
	}
	pctx, cancel := context.WithTimeout(ctx, p.opts.PollTimeout)
	defer cancel()
	n, err := pr.Probe(pctx, a)
	rep.Requests += n
	var tokenErr interface{ StatusNote() string }
	switch {
	case errors.As(err, &tokenErr):
		p.opts.Logger.Debug("token still rejected", "account", a.Key)
		return a, nil
	case err != nil:
		return a, err
	}
	ctx = context.WithoutCancel(ctx)
	const note = "the platform accepts the token again"
	if err := p.opts.Store.SetAccountStatus(ctx, a.Key, moderation.AccountActive, note); err != nil {
		return a, fmt.Errorf("reactivate %s: %w", a.Key, err)
	}
	detail, _ := json.Marshal(map[string]string{"previous_note": a.StatusNote})
	if _, err := p.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: p.opts.Now(), Actor: "uppsikt",
		Action: moderation.AuditAccountReconnected, Subject: a.Key, Detail: detail}); err != nil {
		return a, fmt.Errorf("audit reconnection of %s: %w", a.Key, err)
	}
	p.opts.Logger.Info("account active again: the platform accepts its token", "account", a.Key)
	a.Status, a.StatusNote = moderation.AccountActive, note
	return a, nil
}

func (p *Poller) poll(ctx context.Context, conn moderation.Connector, a moderation.Account, rep *Report) error {
	cur, err := p.opts.Store.Cursor(ctx, a.Key)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return fmt.Errorf("read cursor: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, p.opts.PollTimeout)
	defer cancel()
	res, err := conn.Poll(pctx, a, cur)
	rep.Requests += res.Requests
	if err != nil {
		return err
	}
	c, err := Store(ctx, p.opts.Store, res)
	rep.add(c)
	if err != nil {
		return err
	}
	p.opts.Logger.Debug("polled", "account", a.Key, "posts", len(res.Posts), "comments", len(res.Comments),
		"new_versions", c.NewVersions, "requests", res.Requests)
	return nil
}

// reconcile walks the account since a time and stores what it finds, a
// page at a time.
func (p *Poller) reconcile(ctx context.Context, rec moderation.Reconciler, a moderation.Account, since time.Time, source moderation.Source, rep *Report) error {
	rctx, cancel := context.WithTimeout(ctx, p.opts.ReconcileTimeout)
	defer cancel()
	n, err := rec.Reconcile(rctx, a, moderation.ReconcileOptions{
		Since:  since,
		Source: source,
		Known: func(ctx context.Context, postID string) (map[string]moderation.CommentState, error) {
			return p.opts.Store.CommentStates(ctx, a.Key, postID)
		},
		KnownPosts: p.knownPosts(a.Key),
		Emit: func(ctx context.Context, res moderation.PollResult) error {
			c, err := Store(ctx, p.opts.Store, res)
			rep.add(c)
			return err
		},
	})
	rep.Requests += n
	p.opts.Logger.Debug("reconciled", "account", a.Key, "source", string(source), "requests", n, "changes", rep.Changes)
	return err
}

// postLister is the part of moderation.ArchiveStore that lists stored
// posts; archive/sqlite implements it.
type postLister interface {
	PostsBetween(ctx context.Context, accountKey string, from, to time.Time, after moderation.PostCursor, limit int) ([]moderation.Post, moderation.PostCursor, error)
}

// knownPosts lists the stored posts of an account for the reconcile pass,
// so that posts deleted as a whole are noticed. A store that cannot list
// posts gives nil, which skips the check.
func (p *Poller) knownPosts(key string) func(ctx context.Context, since time.Time) ([]string, error) {
	pl, ok := p.opts.Store.(postLister)
	if !ok {
		return nil
	}
	return func(ctx context.Context, since time.Time) ([]string, error) {
		// Posts dated ahead of the clock are listed too.
		to := p.opts.Now().Add(24 * time.Hour)
		var ids []string
		var cur moderation.PostCursor
		for {
			ps, next, err := pl.PostsBetween(ctx, key, since, to, cur, 500)
			if err != nil {
				return ids, fmt.Errorf("stored posts of %s: %w", key, err)
			}
			for _, post := range ps {
				ids = append(ids, post.PlatformID)
			}
			if len(ps) < 500 {
				return ids, nil
			}
			cur = next
		}
	}
}

// Backfill loads an account's history since a time (every post and every
// comment and reply), recording it with the source "backfill". Comments
// that are no longer there are not looked for.
func (p *Poller) Backfill(ctx context.Context, key string, since time.Time) (Report, error) {
	rep := Report{Account: key}
	a, err := p.opts.Store.Account(ctx, key)
	if err != nil {
		return rep, fmt.Errorf("backfill %s: %w", key, err)
	}
	rec, ok := p.opts.Connectors[a.Platform].(moderation.Reconciler)
	if !ok {
		return rep, fmt.Errorf("backfill %s: platform %s cannot read history", key, a.Platform)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n, err := rec.Reconcile(rctx, a, moderation.ReconcileOptions{
		Since: since, Source: moderation.SourceBackfill,
		Emit: func(ctx context.Context, res moderation.PollResult) error {
			c, err := Store(ctx, p.opts.Store, res)
			rep.add(c)
			return err
		},
	})
	rep.Requests = n
	if rep.NewVersions > 0 {
		p.opts.Stored()
	}
	return rep, err
}

func (r *Report) add(c Counts) {
	r.Posts += c.Posts
	r.NewComments += c.NewComments
	r.NewVersions += c.NewVersions
	r.Changes += c.Changes
}

// Counts says what Store changed.
type Counts struct {
	Posts       int // posts stored for the first time
	NewComments int
	NewVersions int
	Changes     int
}

// Store writes what a poll saw: posts first, then comments, then state
// changes, then the cursor. It is safe to call again with the same result.
func Store(ctx context.Context, st moderation.Store, res moderation.PollResult) (Counts, error) {
	var c Counts
	for _, post := range res.Posts {
		created, err := st.SavePost(ctx, post)
		if err != nil {
			return c, fmt.Errorf("store post %s: %w", post.PlatformID, err)
		}
		if created {
			c.Posts++
		}
	}
	for _, o := range res.Comments {
		r, err := st.RecordComment(ctx, o)
		if err != nil {
			return c, fmt.Errorf("store comment %s: %w", o.PlatformID, err)
		}
		if r.NewComment {
			c.NewComments++
		}
		if r.NewVersion {
			c.NewVersions++
		}
		if r.StateChanged {
			c.Changes++
		}
	}
	for _, ch := range res.Changes {
		changed, err := st.RecordStateChange(ctx, ch)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			return c, fmt.Errorf("store state of %s: %w", ch.PlatformID, err)
		}
		if changed {
			c.Changes++
		}
	}
	if res.Cursor.AccountKey != "" {
		if err := st.SetCursor(ctx, res.Cursor); err != nil {
			return c, fmt.Errorf("store cursor: %w", err)
		}
	}
	return c, nil
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
		sched, err := p.opts.Store.Schedule(ctx, key)
		switch {
		case err == nil && !sched.NextPollAt.IsZero():
			continue
		case err == nil, errors.Is(err, moderation.ErrNotFound):
			// No schedule stored yet (the store may answer either way).
		default:
			return fmt.Errorf("read schedule of %s: %w", key, err)
		}
		now := p.opts.Now()
		sched.AccountKey, sched.NextPollAt = key, now
		if sched.NextReconcile.IsZero() {
			sched.NextReconcile = now
		}
		if err := p.opts.Store.SetSchedule(ctx, sched); err != nil {
			return fmt.Errorf("schedule %s: %w", key, err)
		}
	}
	return nil
}

// SetCrisis switches crisis mode on for an account until a time, polling
// every interval, and makes the account due at once; a zero until switches
// it off.
func SetCrisis(ctx context.Context, st moderation.Store, key string, every time.Duration, until, now time.Time) error {
	if _, err := st.Account(ctx, key); err != nil {
		return fmt.Errorf("crisis mode for %s: %w", key, err)
	}
	sched, err := st.Schedule(ctx, key)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return fmt.Errorf("crisis mode for %s: %w", key, err)
	}
	sched.AccountKey = key
	sched.CrisisUntil, sched.CrisisEvery = until, every
	if until.IsZero() {
		sched.CrisisEvery = 0
	}
	if sched.NextReconcile.IsZero() {
		sched.NextReconcile = now
	}
	sched.NextPollAt = now
	if err := st.SetSchedule(ctx, sched); err != nil {
		return fmt.Errorf("crisis mode for %s: %w", key, err)
	}
	return nil
}
