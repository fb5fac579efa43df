package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Fetcher reads one comment from its platform; bot/facebook and
// bot/instagram connectors implement it. An error for which Gone is true
// means the comment no longer exists.
type Fetcher interface {
	FetchComment(ctx context.Context, a moderation.Account, postID, commentID string, source moderation.Source, n *int) (moderation.CommentObservation, error)
}

// ProcessorOptions configure a Processor.
type ProcessorOptions struct {
	Store    moderation.Store
	Fetchers map[moderation.Platform]Fetcher
	// Gone reports whether a fetch error says the comment was deleted
	// (bot/facebook.IsGone).
	Gone func(error) bool
	// Stored is called after new comment versions were stored, to wake the
	// pipeline.
	Stored func()
	// Tick is how often stored deliveries are looked for when nothing wakes
	// the processor (default 5 s).
	Tick time.Duration
	// Batch is how many deliveries are read from the store at a time
	// (default 100); a backlog is worked through batch after batch.
	Batch int
	// A delivery whose processing failed is tried again: when the error
	// says when (a rate limit's end, a paused account), at that time and
	// without counting an attempt; otherwise after Backoff·2^(attempts-1),
	// at most MaxBackoff (defaults 5 s and 15 min). Attempts and retry
	// times are kept in the store, so a restart changes neither. A delivery
	// still failing GiveUpAfter after it was received (default 24 h) is set
	// aside with its error: the reconcile pass has read the account since.
	Backoff     time.Duration
	MaxBackoff  time.Duration
	GiveUpAfter time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	// Claims, when set, makes ProcessPending claim deliveries for Worker
	// (moderation.ClaimStore) instead of listing them: any worker sharing
	// the store saves a delivery it receives, and whichever claims it
	// processes it. The claims are given back when ProcessPending ends.
	Claims moderation.ClaimStore
	Worker string
}

// Processor records what stored webhook deliveries say.
type Processor struct {
	opts ProcessorOptions
	wake chan struct{}
}

// NewProcessor returns a Processor.
func NewProcessor(opts ProcessorOptions) *Processor {
	if opts.Tick <= 0 {
		opts.Tick = 5 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 5 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 15 * time.Minute
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Stored == nil {
		opts.Stored = func() {}
	}
	if opts.Gone == nil {
		opts.Gone = func(error) bool { return false }
	}
	return &Processor{opts: opts, wake: make(chan struct{}, 1)}
}

// Wake makes Run look for deliveries now. It never blocks.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes stored deliveries until ctx is cancelled; it returns after
// the delivery under way is finished.
func (p *Processor) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.Tick)
	defer t.Stop()
	for {
		if _, err := p.ProcessPending(ctx); err != nil && ctx.Err() == nil {
			p.opts.Logger.Error("process webhook deliveries", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-t.C:
		}
	}
}

// Result counts what processing deliveries did.
type Result struct {
	Events      int // deliveries finished
	Deferred    int // deliveries kept back to be tried again later
	NewVersions int
	Changes     int // state changes recorded
	Requests    int // Graph requests sent
}

// ProcessPending processes the stored deliveries that are due, oldest
// first, batch after batch until none is left, so that a backlog after a
// burst drains at full speed without waiting for the next tick. A delivery
// that fails is kept back until its retry time (see ProcessorOptions).
func (p *Processor) ProcessPending(ctx context.Context) (Result, error) {
	var total Result
	var accounts map[string]moderation.Account // read once, when there is a delivery
	if p.opts.Claims != nil {
		defer func() {
			if err := p.opts.Claims.ReleaseClaims(context.WithoutCancel(ctx), moderation.ClaimWebhooks, p.opts.Worker); err != nil {
				p.opts.Logger.Warn("give back claimed webhook deliveries", "error", err)
			}
		}()
	}
	for ctx.Err() == nil {
		stored := total.NewVersions
		var events []moderation.WebhookEvent
		var err error
		if p.opts.Claims != nil {
			events, err = p.opts.Claims.ClaimWebhookEvents(ctx, p.opts.Worker, p.opts.Now(), p.opts.Batch)
		} else {
			events, err = p.opts.Store.PendingWebhookEvents(ctx, p.opts.Now(), p.opts.Batch)
		}
		if err != nil {
			return total, err
		}
		if accounts == nil && len(events) > 0 {
			if accounts, err = p.accounts(ctx); err != nil {
				return total, err
			}
		}
		for _, ev := range events {
			if ctx.Err() != nil {
				break
			}
			r, perr := p.process(ctx, accounts, ev)
			total.NewVersions += r.NewVersions
			total.Changes += r.Changes
			total.Requests += r.Requests
			if perr != nil && ctx.Err() != nil {
				break // stopped: leave the delivery for the next start
			}
			finished, err := p.settle(context.WithoutCancel(ctx), ev, perr)
			if err != nil {
				return total, err
			}
			if finished {
				total.Events++
			} else {
				total.Deferred++
			}
		}
		if total.NewVersions > stored {
			p.opts.Stored()
		}
		// Every delivery of the batch was finished or moved to a later
		// time, so the next read makes progress; a short batch was the last.
		if len(events) < p.opts.Batch {
			break
		}
	}
	return total, nil
}

// settle records how processing a delivery ended: finished, with the error
// when it is set aside, or kept back until its retry time. It says whether
// the delivery was finished.
func (p *Processor) settle(ctx context.Context, ev moderation.WebhookEvent, perr error) (bool, error) {
	now := p.opts.Now()
	var retry interface{ RetryAt() time.Time }
	switch {
	case perr == nil:
		return true, p.opts.Store.FinishWebhookEvent(ctx, ev.ID, "")
	case undecodableOnly(perr):
		p.opts.Logger.Error("webhook delivery set aside: it cannot be read", "event_id", ev.ID, "error", perr)
		return true, p.opts.Store.FinishWebhookEvent(ctx, ev.ID, perr.Error())
	case !ev.ReceivedAt.IsZero() && now.Sub(ev.ReceivedAt) >= p.opts.GiveUpAfter:
		p.opts.Logger.Error("webhook delivery set aside after failing since it was received; the reconcile pass covers it",
			"event_id", ev.ID, "received_at", ev.ReceivedAt, "attempts", ev.Attempts+1, "error", perr)
		return true, p.opts.Store.FinishWebhookEvent(ctx, ev.ID, perr.Error())
	case errors.As(perr, &retry):
		// A rate limit or a paused account: its end is known, and waiting
		// for it costs no attempt. The text in the delivery is recorded
		// already; the fetch adds the state and the permalink.
		at := retry.RetryAt()
		if earliest := now.Add(time.Second); at.Before(earliest) {
			at = earliest
		}
		p.opts.Logger.Info("webhook delivery waits for the platform", "event_id", ev.ID, "retry_at", at, "error", perr)
		return false, p.opts.Store.RetryWebhookEvent(ctx, ev.ID, at, perr.Error(), false)
	}
	d := moderation.Backoff(p.opts.Backoff, p.opts.MaxBackoff, ev.Attempts)
	p.opts.Logger.Warn("webhook delivery not processed yet", "event_id", ev.ID, "attempts", ev.Attempts+1,
		"retry_at", now.Add(d), "error", perr)
	return false, p.opts.Store.RetryWebhookEvent(ctx, ev.ID, now.Add(d), perr.Error(), true)
}

// undecodable is a part of a delivery that cannot be read; trying again
// cannot help.
type undecodable struct{ err error }

func (e *undecodable) Error() string { return e.err.Error() }
func (e *undecodable) Unwrap() error { return e.err }

// undecodableOnly says whether every error err joins is undecodable.
func undecodableOnly(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !undecodableOnly(e) {
				return false
			}
		}
		return len(j.Unwrap()) > 0
	}
	var bad *undecodable
	return errors.As(err, &bad)
}

// accounts indexes the stored accounts by platform and platform id.
func (p *Processor) accounts(ctx context.Context) (map[string]moderation.Account, error) {
	as, err := p.opts.Store.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	m := make(map[string]moderation.Account, len(as))
	for _, a := range as {
		m[string(a.Platform)+"/"+a.PlatformID] = a
	}
	return m, nil
}

// feedValue is the value of a page feed change.
type feedValue struct {
	Item      string          `json:"item"`
	Verb      string          `json:"verb"`
	CommentID string          `json:"comment_id"`
	PostID    string          `json:"post_id"`
	ParentID  string          `json:"parent_id"`
	Message   *string         `json:"message"`
	From      json.RawMessage `json:"from"`
	Created   json.Number     `json:"created_time"`
}

// igValue is the value of an Instagram comments change.
type igValue struct {
	ID       string  `json:"id"`
	Text     *string `json:"text"`
	ParentID string  `json:"parent_id"`
	From     struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Media struct {
		ID string `json:"id"`
	} `json:"media"`
}

func (p *Processor) process(ctx context.Context, accounts map[string]moderation.Account, ev moderation.WebhookEvent) (Result, error) {
	var d delivery
	if err := json.Unmarshal(ev.Body, &d); err != nil {
		return Result{}, &undecodable{fmt.Errorf("decode delivery: %w", err)}
	}
	var total Result
	var errs []error
	for _, en := range d.Entry {
		platform := moderation.Facebook
		if d.Object == "instagram" {
			platform = moderation.Instagram
		}
		a, ok := accounts[string(platform)+"/"+en.ID]
		if !ok {
			p.opts.Logger.Info("webhook for an account uppsikt does not supervise", "object", d.Object, "platform_id", en.ID)
			continue
		}
		at := ev.ReceivedAt
		if en.Time > 0 {
			at = time.Unix(en.Time, 0).UTC()
		}
		for _, ch := range en.Changes {
			var r Result
			var err error
			switch {
			case d.Object == "page" && ch.Field == "feed":
				var v feedValue
				if err := json.Unmarshal(ch.Value, &v); err != nil {
					errs = append(errs, &undecodable{fmt.Errorf("decode feed change: %w", err)})
					continue
				}
				r, err = p.feedChange(ctx, a, v, at)
			case d.Object == "instagram" && ch.Field == "comments":
				var v igValue
				if err := json.Unmarshal(ch.Value, &v); err != nil {
					errs = append(errs, &undecodable{fmt.Errorf("decode comments change: %w", err)})
					continue
				}
				r, err = p.igComment(ctx, a, v, at)
			}
			total.NewVersions += r.NewVersions
			total.Changes += r.Changes
			total.Requests += r.Requests
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return total, errors.Join(errs...)
}

func (p *Processor) feedChange(ctx context.Context, a moderation.Account, v feedValue, at time.Time) (Result, error) {
	if v.Item != "comment" || v.CommentID == "" {
		return Result{}, nil // posts, reactions and the like are read by the poller
	}
	parent := v.ParentID
	if parent == v.PostID {
		parent = ""
	}
	switch v.Verb {
	case "add", "edited":
		var fromPayload *moderation.CommentObservation
		if v.Message != nil {
			o := moderation.CommentObservation{
				AccountKey: a.Key, PostID: v.PostID, PlatformID: v.CommentID, ParentID: parent,
				Message: *v.Message, Source: moderation.SourceWebhook, SeenAt: p.opts.Now(),
			}
			var from struct{ ID, Name string }
			if json.Unmarshal(v.From, &from) == nil {
				o.Author = moderation.Author{ID: from.ID, Name: from.Name}
			}
			if n, err := strconv.ParseInt(v.Created.String(), 10, 64); err == nil {
				o.CreatedAt = time.Unix(n, 0).UTC()
			}
			fromPayload = &o
		}
		return p.observe(ctx, a, v.PostID, v.CommentID, fromPayload, v.Verb == "edited", at)
	case "remove":
		return p.change(ctx, a, v.CommentID, moderation.StateDeleted, at)
	case "hide", "unhide":
		st := moderation.StateHidden
		if v.Verb == "unhide" {
			st = moderation.StateVisible
		}
		r, err := p.change(ctx, a, v.CommentID, st, at)
		if err == nil && r.Changes == 0 {
			if _, err := p.opts.Store.CommentByPlatformID(ctx, a.Key, v.CommentID); errors.Is(err, moderation.ErrNotFound) {
				// Never stored: read it, with its text and state.
				return p.observe(ctx, a, v.PostID, v.CommentID, nil, false, at)
			}
		}
		return r, err
	}
	return Result{}, nil
}

func (p *Processor) igComment(ctx context.Context, a moderation.Account, v igValue, at time.Time) (Result, error) {
	if v.ID == "" {
		return Result{}, nil
	}
	var fromPayload *moderation.CommentObservation
	if v.Text != nil {
		fromPayload = &moderation.CommentObservation{
			AccountKey: a.Key, PostID: v.Media.ID, PlatformID: v.ID, ParentID: v.ParentID, Message: *v.Text,
			Author: moderation.Author{ID: v.From.ID, Name: v.From.Username}, Source: moderation.SourceWebhook, SeenAt: p.opts.Now(),
		}
	}
	return p.observe(ctx, a, v.Media.ID, v.ID, fromPayload, false, at)
}

// observe records a comment that was added or edited. The text in the
// delivery is recorded first, before anything is fetched, so that it is
// kept even when the platform cannot be read now (a rate limit) and the
// comment is edited or deleted again before it can: for a comment not
// stored yet, and for an edit (edited is true) unless the edit certainly
// happened before the newest stored version was seen, in which case the
// delivery came late and its text would be recorded as newer than it is.
// Then the comment is fetched and its current text and state recorded.
func (p *Processor) observe(ctx context.Context, a moderation.Account, postID, commentID string, fromPayload *moderation.CommentObservation, edited bool, at time.Time) (Result, error) {
	var r Result
	if fromPayload != nil && fromPayload.PostID != "" {
		o, record, err := p.payloadVersion(ctx, a, *fromPayload, edited, at)
		if err != nil {
			return r, err
		}
		if record {
			ir, err := p.opts.Store.RecordComment(ctx, o)
			if err != nil {
				return r, fmt.Errorf("record comment %s: %w", commentID, err)
			}
			if ir.NewVersion {
				r.NewVersions++
			}
		}
	}
	f, ok := p.opts.Fetchers[a.Platform]
	if !ok || a.Status != moderation.AccountActive {
		return r, nil // the poller reads it when the account is back
	}
	o, err := f.FetchComment(ctx, a, postID, commentID, moderation.SourceWebhook, &r.Requests)
	switch {
	case p.opts.Gone(err):
		cr, err := p.change(ctx, a, commentID, moderation.StateDeleted, p.opts.Now())
		r.Changes += cr.Changes
		return r, err
	case err != nil:
		return r, err
	}
	if o.PostID == "" {
		o.PostID = postID
	}
	if fromPayload != nil && o.CreatedAt.IsZero() {
		o.CreatedAt = fromPayload.CreatedAt
	}
	ir, err := p.opts.Store.RecordComment(ctx, o)
	if err != nil {
		return r, fmt.Errorf("record comment %s: %w", commentID, err)
	}
	if ir.NewVersion {
		r.NewVersions++
	}
	if ir.StateChanged {
		r.Changes++
	}
	return r, nil
}

// payloadVersion decides whether the text in a delivery is recorded (see
// observe), and returns the observation to record. A delivery says nothing
// about whether the comment is hidden, so a stored comment keeps its state.
func (p *Processor) payloadVersion(ctx context.Context, a moderation.Account, o moderation.CommentObservation, edited bool, at time.Time) (moderation.CommentObservation, bool, error) {
	c, err := p.opts.Store.CommentByPlatformID(ctx, a.Key, o.PlatformID)
	switch {
	case errors.Is(err, moderation.ErrNotFound):
		return o, true, nil
	case err != nil:
		return o, false, fmt.Errorf("read comment %s: %w", o.PlatformID, err)
	case !edited:
		return o, false, nil // a late or repeated add: the first text is stored or superseded
	}
	vs, err := p.opts.Store.CommentVersions(ctx, c.ID)
	if err != nil {
		return o, false, fmt.Errorf("versions of comment %s: %w", o.PlatformID, err)
	}
	// Event times are whole seconds: the edit happened within the second
	// after at.
	if n := len(vs); n > 0 && !at.Add(time.Second).After(vs[n-1].SeenAt) {
		return o, false, nil
	}
	o.Hidden = c.State == moderation.StateHidden
	return o, true, nil
}

func (p *Processor) change(ctx context.Context, a moderation.Account, commentID string, st moderation.CommentState, at time.Time) (Result, error) {
	changed, err := p.opts.Store.RecordStateChange(ctx, moderation.StateChange{
		AccountKey: a.Key, PlatformID: commentID, State: st, At: at, Source: moderation.SourceWebhook,
	})
	if errors.Is(err, moderation.ErrNotFound) {
		return Result{}, nil // never stored; nothing to record without its text
	}
	if err != nil {
		return Result{}, err
	}
	if changed {
		return Result{Changes: 1}, nil
	}
	return Result{}, nil
}
