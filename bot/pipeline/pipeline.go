package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/wake"
)

// Options configure a Pipeline.
type Options struct {
	Store      moderation.Store
	Classifier moderation.Classifier
	Batch      int           // items taken per round (default 50)
	Idle       time.Duration // wait between rounds when the queue is empty (default 2s)
	// MaxAttempts is how many failed attempts an item gets before it is set
	// aside for an administrator (default 20). Between attempts the item
	// waits Backoff·2^(attempts-1), at most MaxBackoff, plus up to a fifth
	// more so that items that failed together are not retried together
	// (defaults 10s and 30m: the 20 attempts span about 7 hours, so a
	// night's outage costs a few attempts, not all of them).
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	// Language gives the account's usual language (sv, da, en) as a hint
	// to the classifier; the classifier still guesses per comment.
	Language func(accountKey string) string
	// RecordsLanguage is the municipality's language (sv, da, en; sv when
	// empty), in which register reasons are written.
	RecordsLanguage string
	Now             func() time.Time
	Logger          *slog.Logger

	// Evidence documents flagged comments and comments to register before
	// anything acts on them; nil leaves that step out.
	Evidence Evidence
	// HideThenReview are the categories whose comments are hidden at once,
	// after their evidence is committed, and reviewed afterwards.
	HideThenReview []string
	// RegisterNumber formats register numbers in the configured series.
	RegisterNumber func(year, seq int) string
	// Acted is called when an action was queued, to wake the executor.
	Acted func()
	// Parallel is how many queued items are processed at once (default 2,
	// the browser's tabs), so that a burst of flagged comments does not
	// wait behind one slow capture. Items of the same comment are never
	// processed at once: they run in queue order.
	Parallel int
	// Claims, when set, makes Drain claim its items for Worker
	// (moderation.ClaimStore) instead of listing them, so that several
	// workers sharing the store never take the same item; the claims are
	// given back when Drain ends.
	Claims moderation.ClaimStore
	Worker string
}

// Evidence documents comments; cmd wires archive/evidencepdf behind it.
type Evidence interface {
	// Committed reports whether an evidence PDF of the comment made at or
	// after since is committed in the store.
	Committed(ctx context.Context, commentID int64, since time.Time) (bool, error)
	// Document makes and commits the comment's evidence.
	Document(ctx context.Context, commentID, caseID int64, registerNumber string) error
}

// Pipeline processes queued comment versions.
type Pipeline struct {
	opts Options
	wake wake.Signal
}

// New returns a Pipeline.
func New(opts Options) *Pipeline {
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	if opts.Idle <= 0 {
		opts.Idle = 2 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 20
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 10 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Minute
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 2
	}
	if opts.Language == nil {
		opts.Language = func(string) string { return "" }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{opts: opts, wake: wake.New()}
}

// Wake asks the pipeline to look at the queue now. It never blocks.
func (p *Pipeline) Wake() {
	p.wake.Notify()
}

// Run processes the queue until ctx is cancelled. The item under way is
// finished, except for its evidence, which is abandoned (the item is then
// replayed at the next start; every step is idempotent), so that a slow
// browser or Ghostscript does not hold up the shutdown.
func (p *Pipeline) Run(ctx context.Context) error {
	p.wake.Loop(ctx, p.opts.Idle, func() {
		n, err := p.Drain(context.WithoutCancel(ctx), ctx.Done())
		if err != nil {
			p.opts.Logger.Error("pipeline round failed", "error", err)
		}
		if n > 0 {
			p.opts.Logger.Debug("pipeline round", "processed", n)
		}
	})
	return nil
}

// Drain processes the queued items that are due until none is left or stop
// is closed, and returns how many it completed. Up to Parallel items run at once, never
// two of the same comment; each is removed from the queue only after every
// step succeeded, so a crash or stop replays exactly the unfinished ones.
func (p *Pipeline) Drain(ctx context.Context, stop <-chan struct{}) (int, error) {
	evCtx, release := StopContext(ctx, stop)
	defer release()
	done := 0
	if p.opts.Claims != nil {
		defer func() {
			if err := p.opts.Claims.ReleaseClaims(ctx, moderation.ClaimWork, p.opts.Worker); err != nil {
				p.opts.Logger.Warn("give back claimed work", "error", err)
			}
		}()
	}
	for {
		items, err := p.next(ctx)
		if err != nil {
			return done, fmt.Errorf("read queue: %w", err)
		}
		n, failed, stopped, err := p.round(ctx, evCtx, stop, items)
		done += n
		if err != nil || stopped {
			return done, err
		}
		// Completed items and failed ones (now waiting for their retry
		// time, or set aside) have left what is due, so the next batch is
		// new work; a short batch was the last.
		if len(items) < p.opts.Batch || n+failed == 0 {
			return done, nil
		}
	}
}

// next reads the next batch: claimed for the worker, or listed.
func (p *Pipeline) next(ctx context.Context) ([]moderation.WorkItem, error) {
	if p.opts.Claims != nil {
		return p.opts.Claims.ClaimWork(ctx, p.opts.Worker, p.opts.Now(), p.opts.Batch)
	}
	return p.opts.Store.PendingWork(ctx, p.opts.Now(), p.opts.Batch)
}

// round processes one batch of items, up to Parallel at once, and returns
// how many it completed, how many failed (and wait or were set aside), and
// whether it stopped early (stop closed, or the evidence abandoned at a
// stop). Every goroutine it starts has ended when it returns.
func (p *Pipeline) round(ctx, evCtx context.Context, stop <-chan struct{}, items []moderation.WorkItem) (int, int, bool, error) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		done    int
		failed  int
		stopped bool
		errs    []error
		slots   = make(chan struct{}, p.opts.Parallel)
		running = map[int64]chan struct{}{} // comment id → closed when its item ends
	)
	defer wg.Wait()
	// turn waits for an earlier item of the same comment and for a free
	// slot; false when stop is closed first.
	turn := func(prev <-chan struct{}) bool {
		select {
		case <-stop:
			return false
		default:
		}
		if prev != nil {
			select {
			case <-prev:
			case <-stop:
				return false
			}
		}
		select {
		case slots <- struct{}{}:
		case <-stop:
			return false
		}
		select {
		case <-stop:
			<-slots
			return false
		default:
			return true
		}
	}
	for _, it := range items {
		mu.Lock()
		prev := running[it.CommentID]
		mu.Unlock()
		if !turn(prev) {
			break
		}
		mu.Lock()
		if stopped || len(errs) > 0 {
			mu.Unlock()
			<-slots
			break
		}
		finished := make(chan struct{})
		running[it.CommentID] = finished
		mu.Unlock()
		wg.Go(func() {
			defer func() { <-slots }()
			defer close(finished)
			err := p.process(ctx, evCtx, it)
			mu.Lock()
			defer mu.Unlock()
			if running[it.CommentID] == finished {
				delete(running, it.CommentID)
			}
			switch {
			case err == nil:
				done++
			case evCtx.Err() != nil && ctx.Err() == nil:
				stopped = true // stopped while documenting: replayed at the next start
			default:
				if ferr := p.fail(ctx, it, err); ferr != nil {
					errs = append(errs, errors.Join(err, ferr))
				} else {
					failed++
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	select {
	case <-stop:
		stopped = true
	default:
	}
	return done, failed, stopped, errors.Join(errs...)
}

// fail records a failed attempt at an item: it waits for its backoff, or,
// when this was its last attempt, is set aside for an administrator (the
// web page's "needs attention" list), so that it never blocks the queue.
func (p *Pipeline) fail(ctx context.Context, it moderation.WorkItem, err error) error {
	attempts := it.Attempts + 1
	if attempts >= p.opts.MaxAttempts {
		p.opts.Logger.Error("pipeline item set aside after its last attempt", "comment_id", it.CommentID,
			"version", it.Version, "attempts", attempts, "error", err)
		return p.opts.Store.DeadLetterWork(ctx, it.ID, err.Error())
	}
	retryAt := p.opts.Now().Add(p.backoff(it))
	p.opts.Logger.Warn("pipeline item failed", "comment_id", it.CommentID, "version", it.Version,
		"attempts", attempts, "retry_at", retryAt, "error", err)
	return p.opts.Store.FailWork(ctx, it.ID, err.Error(), retryAt)
}

// backoff is how long an item waits after its next failure:
// Backoff·2^Attempts, at most MaxBackoff, plus a jitter of up to a fifth
// that depends on the item only, so that the retries of items that failed
// together spread out.
func (p *Pipeline) backoff(it moderation.WorkItem) time.Duration {
	d := moderation.Backoff(p.opts.Backoff, p.opts.MaxBackoff, it.Attempts)
	h := fnv.New32a()
	fmt.Fprintf(h, "%d/%d", it.ID, it.Attempts)
	return d + time.Duration(float64(d)/5*float64(h.Sum32())/float64(1<<32))
}

// Process runs every step for one queued version and then removes it from
// the queue.
func (p *Pipeline) Process(ctx context.Context, it moderation.WorkItem) error {
	return p.process(ctx, ctx, it)
}

// process is Process with the evidence step under evCtx.
func (p *Pipeline) process(ctx, evCtx context.Context, it moderation.WorkItem) error {
	c, err := p.opts.Store.Comment(ctx, it.CommentID)
	if err != nil {
		return fmt.Errorf("comment %d: %w", it.CommentID, err)
	}
	versions, err := p.opts.Store.CommentVersions(ctx, it.CommentID)
	if err != nil {
		return fmt.Errorf("versions of comment %d: %w", it.CommentID, err)
	}
	var (
		text   string
		seenAt time.Time
		found  bool
	)
	for _, v := range versions {
		if v.Version == it.Version {
			text, seenAt, found = v.Message, v.SeenAt, true
		}
	}
	if !found {
		return fmt.Errorf("comment %d has no version %d", it.CommentID, it.Version)
	}
	classifier := p.opts.Classifier
	if ac, ok := classifier.(moderation.AccountClassifier); ok {
		classifier = ac.ForAccount(c.AccountKey)
	}
	verdict := classifier.Classify(text, p.opts.Language(c.AccountKey))
	acct, own, err := p.ownComment(ctx, c)
	if err != nil {
		return err
	}
	if own {
		verdict = verdict.ForOwnComment()
	}
	now := p.opts.Now()
	if err := p.opts.Store.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: c.ID, Version: it.Version, Verdict: verdict, At: now}); err != nil {
		return fmt.Errorf("save verdict: %w", err)
	}
	var caseID int64
	if verdict.Flagged() {
		cs, created, err := p.opts.Store.OpenCase(ctx, moderation.Case{
			CommentID: c.ID, Version: it.Version, AccountKey: c.AccountKey,
			State: moderation.CaseOpen, Categories: verdict.Categories, OpenedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("open case: %w", err)
		}
		if created {
			p.opts.Logger.Info("case opened", "case_id", cs.ID, "comment_id", c.ID, "account", c.AccountKey, "categories", verdict.Categories)
		}
		caseID = cs.ID
	}
	if err := p.document(ctx, evCtx, c, acct, caseID, seenAt, verdict, now); err != nil {
		return err
	}
	if err := p.opts.Store.CompleteWork(ctx, it.ID); err != nil {
		return fmt.Errorf("complete work item: %w", err)
	}
	return nil
}

// ownComment reads the comment's account and reports whether the account
// itself wrote the comment (moderation.Account.Authored); on Instagram the
// account's username is the author name of its own media.
func (p *Pipeline) ownComment(ctx context.Context, c moderation.Comment) (moderation.Account, bool, error) {
	acct, err := p.opts.Store.Account(ctx, c.AccountKey)
	if err != nil {
		return acct, false, fmt.Errorf("account of comment %d: %w", c.ID, err)
	}
	username := ""
	if acct.Platform == moderation.Instagram && c.Author.ID != acct.PlatformID {
		post, err := p.opts.Store.Post(ctx, c.AccountKey, c.PostID)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			return acct, false, fmt.Errorf("post of comment %d: %w", c.ID, err)
		}
		if post.Author.ID == acct.PlatformID {
			username = post.Author.Name
		}
	}
	return acct, acct.Authored(c.Author, username), nil
}

// document is the evidence step: a flagged comment, or one to register, is
// registered when it is to be registered or hidden at once, documented
// unless an evidence PDF made since this version was seen exists, and then
// queued for hiding when a category says hide_then_review. Each part is
// idempotent, so a replayed item acts once. A Facebook page cannot hide its
// own comments: the page's own comment waits for the reviewer instead.
func (p *Pipeline) document(ctx, evCtx context.Context, c moderation.Comment, acct moderation.Account, caseID int64, seenAt time.Time, v moderation.Verdict, now time.Time) error {
	if p.opts.Evidence == nil || (!v.Flagged() && !v.Register) {
		return nil
	}
	hide := false
	for _, cat := range v.Categories {
		if slices.Contains(p.opts.HideThenReview, cat) {
			hide = true
		}
	}
	if v.Own && acct.Platform == moderation.Facebook {
		hide = false
	}
	number := ""
	if v.Register || hide {
		reason := decide.RegisterReason(p.opts.RecordsLanguage, decide.ReasonRegister, nil, "")
		if len(v.Categories) > 0 {
			reason = decide.RegisterReason(p.opts.RecordsLanguage, decide.ReasonHidden, v.Categories, "")
		}
		e, err := p.opts.Store.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: c.ID, CaseID: caseID, Reason: reason, CreatedAt: now}, p.opts.RegisterNumber)
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		number = e.Number
	}
	done, err := p.opts.Evidence.Committed(ctx, c.ID, seenAt)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	if !done {
		if err := p.opts.Evidence.Document(evCtx, c.ID, caseID, number); err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
	}
	if hide && c.State == moderation.StateVisible {
		a, created, err := p.opts.Store.EnqueueAction(ctx, moderation.Action{CommentID: c.ID, CaseID: caseID, Kind: moderation.ActHide, CreatedAt: now})
		if err != nil {
			return fmt.Errorf("enqueue hide: %w", err)
		}
		if created {
			p.opts.Logger.Info("hide queued", "action_id", a.ID, "comment_id", c.ID, "account", c.AccountKey)
			if p.opts.Acted != nil {
				p.opts.Acted()
			}
		}
	}
	return nil
}

// StopContext returns a context that is cancelled when stop is closed (or
// ctx is done), and the function that releases it; a nil stop never
// cancels. The goroutine that watches stop ends when release returns.
func StopContext(ctx context.Context, stop <-chan struct{}) (context.Context, func()) {
	c, cancel := context.WithCancel(ctx)
	if stop == nil {
		return c, cancel
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-stop:
			cancel()
		case <-done:
		}
	})
	return c, func() {
		close(done)
		wg.Wait()
		cancel()
	}
}
