package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
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
	// Attempts is how many times a delivery whose processing failed (the
	// platform did not answer) is tried before it is set aside with its
	// error; the reconcile pass covers it then (default 5).
	Attempts int
	Now      func() time.Time
	Logger   *slog.Logger
}

// Processor records what stored webhook deliveries say.
type Processor struct {
	opts ProcessorOptions
	wake chan struct{}

	mu       sync.Mutex
	failures map[int64]int
}

// NewProcessor returns a Processor.
func NewProcessor(opts ProcessorOptions) *Processor {
	if opts.Tick <= 0 {
		opts.Tick = 5 * time.Second
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 5
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
	return &Processor{opts: opts, wake: make(chan struct{}, 1), failures: map[int64]int{}}
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
	NewVersions int
	Changes     int // state changes recorded
	Requests    int // Graph requests sent
}

// ProcessPending processes every stored delivery not yet finished, oldest
// first.
func (p *Processor) ProcessPending(ctx context.Context) (Result, error) {
	var total Result
	events, err := p.opts.Store.PendingWebhookEvents(ctx, 100)
	if err != nil {
		return total, err
	}
	accounts, err := p.accounts(ctx)
	if err != nil {
		return total, err
	}
	for _, ev := range events {
		if ctx.Err() != nil {
			return total, nil
		}
		r, perr := p.process(ctx, accounts, ev)
		total.NewVersions += r.NewVersions
		total.Changes += r.Changes
		total.Requests += r.Requests
		if perr != nil && ctx.Err() != nil {
			return total, nil // stopped: leave the delivery for the next start
		}
		if perr != nil {
			p.mu.Lock()
			p.failures[ev.ID]++
			n := p.failures[ev.ID]
			p.mu.Unlock()
			if n < p.opts.Attempts {
				p.opts.Logger.Warn("webhook delivery not processed yet", "event_id", ev.ID, "attempt", n, "error", perr)
				continue
			}
			p.opts.Logger.Error("webhook delivery set aside", "event_id", ev.ID, "error", perr)
		}
		msg := ""
		if perr != nil {
			msg = perr.Error()
		}
		if err := p.opts.Store.FinishWebhookEvent(context.WithoutCancel(ctx), ev.ID, msg); err != nil {
			return total, err
		}
		p.mu.Lock()
		delete(p.failures, ev.ID)
		p.mu.Unlock()
		total.Events++
	}
	if total.NewVersions > 0 {
		p.opts.Stored()
	}
	return total, nil
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
		return Result{}, fmt.Errorf("decode delivery: %w", err)
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
					errs = append(errs, fmt.Errorf("decode feed change: %w", err))
					continue
				}
				r, err = p.feedChange(ctx, a, v, at)
			case d.Object == "instagram" && ch.Field == "comments":
				var v igValue
				if err := json.Unmarshal(ch.Value, &v); err != nil {
					errs = append(errs, fmt.Errorf("decode comments change: %w", err))
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
		return p.observe(ctx, a, v.PostID, v.CommentID, fromPayload, at)
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
				return p.observe(ctx, a, v.PostID, v.CommentID, nil, at)
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
	return p.observe(ctx, a, v.Media.ID, v.ID, fromPayload, at)
}

// observe records a comment that was added or edited. When uppsikt has not
// stored the comment yet, the text in the delivery is recorded first, so
// that an edit made before the fetch does not hide the first text. Then
// the comment is fetched and its current text and state recorded.
func (p *Processor) observe(ctx context.Context, a moderation.Account, postID, commentID string, fromPayload *moderation.CommentObservation, at time.Time) (Result, error) {
	var r Result
	if fromPayload != nil && fromPayload.PostID != "" {
		if _, err := p.opts.Store.CommentByPlatformID(ctx, a.Key, commentID); errors.Is(err, moderation.ErrNotFound) {
			ir, err := p.opts.Store.RecordComment(ctx, *fromPayload)
			if err != nil {
				return r, fmt.Errorf("record comment %s: %w", commentID, err)
			}
			if ir.NewVersion {
				r.NewVersions++
			}
		} else if err != nil {
			return r, fmt.Errorf("read comment %s: %w", commentID, err)
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
