package main

import (
	"context"
	"fmt"
	"github.com/uppsikt/uppsikt/bot/lease"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/archive/register"
	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// evidenceParts are the archive side of removals: the browser, the evidence
// directory and the maker of evidence PDFs.
type evidenceParts struct {
	browser *capture.Browser // nil when capture is disabled
	watch   *watchedCapturer // the browser, each capture reported to metrics (metrics.go); nil when capture is disabled
	dir     evidence.Store   // the evidence folder or bucket
	maker   *evidencepdf.Maker
	store   moderation.Store
	observe func(evidencepdf.Document) // told how each committed document came out (health.go); may be nil
}

// openEvidence builds the evidence parts from the configuration. The browser
// starts with the first capture.
func openEvidence(ctx context.Context, cfg *config.Config, st moderation.Store, log *slog.Logger, loc *time.Location, explain func(id, lang string) string) (*evidenceParts, error) {
	for i, cat := range cfg.Actions.HideThenReview {
		if !slices.Contains(moderation.Categories(), cat) {
			return nil, fmt.Errorf("actions.hide_then_review[%d]: %q is not a category", i, cat)
		}
	}
	dir, err := openEvidenceStore(ctx, cfg, log)
	if err != nil && cfg.Evidence.Backend != "s3" {
		// The service runs on without its evidence folder, as it does when
		// the folder fails while it runs: comments are still read,
		// classified and held; evidence and removals wait, retried with
		// backoff and shown in /healthz, until the folder is back. (An
		// unreachable bucket is the same, and openEvidenceStore logs it.)
		log.Error("evidence folder unavailable: evidence and removals wait until it is back", "path", cfg.Paths.Evidence, "error", err)
		dir, err = evidence.At(cfg.Paths.Evidence)
	}
	if err != nil {
		return nil, err
	}
	p := &evidenceParts{dir: dir, store: st}
	var cap evidencepdf.Capturer
	opts, ok, err := browserOptions(cfg, allowedHosts(cfg), log)
	if err != nil {
		return nil, err
	}
	if ok {
		p.browser = capture.New(opts)
		p.watch = &watchedCapturer{Browser: p.browser}
		cap = p.watch
	}
	p.maker = evidencepdf.New(evidencepdf.Options{
		Store: st, Dir: dir, Browser: cap, Municipality: cfg.Municipality.Name, Location: loc, Language: cfg.Municipality.Language,
		Logger: log.With("part", "evidence"), Guideline: cfg.Municipality.Citation(), Explain: explain,
	})
	return p, nil
}

// allowedHosts are the hosts the browser may load: the configured ones, or
// Meta's permalink hosts, and the Graph URL's host when it is not Meta's
// (the emulator serves the permalink pages itself).
func allowedHosts(cfg *config.Config) []string {
	if len(cfg.Capture.AllowedHosts) > 0 {
		return cfg.Capture.AllowedHosts
	}
	hosts := []string{"www.facebook.com", "m.facebook.com", "www.instagram.com"}
	if u, err := url.Parse(cfg.Meta.GraphURL); err == nil && u.Host != "" && u.Hostname() != "graph.facebook.com" {
		hosts = append(hosts, u.Host)
	}
	return hosts
}

// Committed reports whether the comment's evidence PDF made at or after
// since is in the store.
func (p *evidenceParts) Committed(ctx context.Context, commentID int64, since time.Time) (bool, error) {
	return evidencepdf.HasPDF(ctx, p.store, commentID, since)
}

// Document makes and commits the comment's evidence.
func (p *evidenceParts) Document(ctx context.Context, commentID, caseID int64, number string) error {
	res, err := p.maker.Make(ctx, evidencepdf.Request{CommentID: commentID, CaseID: caseID, RegisterNumber: number})
	if err == nil && p.observe != nil {
		p.observe(res.Document)
	}
	return err
}

// Close stops the browser.
func (p *evidenceParts) Close() error {
	if p.browser == nil {
		return nil
	}
	return p.browser.Close()
}

// newGate builds the one remover (moderation/removal) over the Graph API
// connectors of client: every hide and delete of a comment or an own post
// goes through it. posts may be nil where no own post is deleted; now nil
// is the real clock.
func newGate(cfg *config.Config, st moderation.Store, posts removal.PostStore, client *facebook.Client, now func() time.Time, log *slog.Logger) *removal.Gate {
	calls := map[moderation.Platform]removal.Calls{}
	if client != nil {
		calls[moderation.Facebook] = facebook.New(facebook.Options{Client: client, Now: now, Logger: log.With("part", "facebook")}).Removal()
		calls[moderation.Instagram] = instagram.New(instagram.Options{Client: client, Now: now}).Removal()
	}
	return removal.New(removal.Options{Store: st, Posts: posts, Calls: calls, RegisterNumber: cfg.Register.FormatRegisterNumber,
		Now: now, Logger: log.With("part", "removal"), Language: cfg.Municipality.Language})
}

// newExecutor builds the action executor over the shared Graph client; now
// nil is the real clock.
func newExecutor(cfg *config.Config, st moderation.Store, client *facebook.Client, ev act.Evidence, now func() time.Time, log *slog.Logger) *act.Executor {
	return newClaimingExecutor(cfg, st, client, ev, now, log, nil)
}

// newClaimingExecutor is newExecutor for the service: with a worker, it
// claims the actions it sends (several workers may share the store).
func newClaimingExecutor(cfg *config.Config, st moderation.Store, client *facebook.Client, ev act.Evidence, now func() time.Time, log *slog.Logger, w *lease.Keeper) *act.Executor {
	var claims moderation.ClaimStore
	var worker string
	var alive func() bool
	if w != nil {
		claims, _ = st.(moderation.ClaimStore)
		worker, alive = w.ID(), w.Alive
	}
	languages := map[string]string{}
	for _, a := range cfg.Accounts {
		languages[a.Key] = a.Language
	}
	platforms := map[moderation.Platform]act.Platform{}
	if client != nil {
		platforms[moderation.Facebook] = facebook.New(facebook.Options{Client: client, Now: now, Logger: log.With("part", "facebook")})
		platforms[moderation.Instagram] = instagram.New(instagram.Options{Client: client, Now: now})
	}
	templates := act.DefaultTemplates()
	for lang, text := range cfg.Actions.Replies {
		templates[lang] = text
	}
	return act.New(act.Options{
		Store: st, Platforms: platforms, Gate: newGate(cfg, st, nil, client, now, log), Evidence: ev,
		Replies: templates, PrivateReplies: cfg.Actions.PrivateReplies, Now: now, Grace: cfg.Review.UndoGrace.D(),
		Language: func(key string) string {
			if l := languages[key]; l != "" {
				return l
			}
			return cfg.Municipality.Language
		},
		Logger: log.With("part", "actions"), Guideline: cfg.Municipality.Citation(),
		Claims: claims, Worker: worker, Alive: alive,
	})
}

// newDeliverer builds the register delivery from the configured outlets.
func newDeliverer(cfg *config.Config, st moderation.Store, dir evidence.Store, log *slog.Logger) (*register.Deliverer, error) {
	outlets, err := registerOutlets(cfg)
	if err != nil {
		return nil, err
	}
	return register.New(register.Options{Store: st, Evidence: dir, Outlets: outlets, Logger: log.With("part", "register"), Language: cfg.Municipality.Language}), nil
}

// removalParts are evidence, platform actions and the records register,
// wired into the service.
type removalParts struct {
	evidence *evidenceParts
	actions  *act.Executor // set by connect
	deliver  *register.Deliverer
	addenda  *evidencepdf.Addenda // the decision addenda, delivered by deliver
	worker   *lease.Keeper        // set by connect: the delivery and the addenda run on one worker
}

// openRemoval builds the register delivery and the decision addenda over
// the evidence parts (parts.Evidence); connect adds the action executor
// once the Graph client exists.
func openRemoval(cfg *config.Config, st moderation.Store, ev *evidenceParts, log *slog.Logger) (*removalParts, error) {
	d, err := newDeliverer(cfg, st, ev.dir, log)
	if err != nil {
		return nil, err
	}
	addenda := evidencepdf.NewAddenda(ev.maker, evidencepdf.AddendaOptions{Store: st, Made: d.Wake, Logger: log.With("part", "addenda")})
	return &removalParts{evidence: ev, deliver: d, addenda: addenda}, nil
}

// connect builds the action executor over the Graph client; with a
// worker, it claims the actions it sends, and the register delivery and
// the decision addenda run on the worker holding their jobs' leases.
func (r *removalParts) connect(cfg *config.Config, st moderation.Store, client *facebook.Client, w *lease.Keeper, log *slog.Logger) {
	r.actions = newClaimingExecutor(cfg, st, client, r.evidence, nil, log, w)
	r.worker = w
}

// wake tells the executor and the register delivery that there is work.
func (r *removalParts) wake() {
	if r.actions != nil {
		r.actions.Wake()
	}
	r.deliver.Wake()
}

// run runs the executor, the decision addenda and the register delivery
// until ctx is cancelled and waits for them.
func (r *removalParts) run(ctx context.Context) {
	var wg sync.WaitGroup
	deliver := func(ctx context.Context) { r.deliver.Run(ctx) }
	addenda := func(ctx context.Context) { r.addenda.Run(ctx) }
	if r.worker != nil {
		deliver, addenda = r.worker.Once("register", deliver), r.worker.Once("addenda", addenda)
	}
	wg.Go(func() { deliver(ctx) })
	wg.Go(func() { addenda(ctx) })
	if r.actions != nil {
		r.actions.Run(ctx)
	}
	wg.Wait()
}
