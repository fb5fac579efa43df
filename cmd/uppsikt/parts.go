package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// parts builds the parts of uppsikt from one configuration: the store, the
// time zone, the Graph API client, the connectors and poller, the evidence
// directory, maker and browser, and the remover. Each part is built once,
// on first use, and Close closes what was built in the reverse order of
// building. Every subcommand and the service take their parts from here,
// so that two of them cannot build the same part two ways.
//
// A parts is used by one goroutine while it builds; the parts it hands out
// are safe for concurrent use as their packages document.
type parts struct {
	cfg *config.Config
	log *slog.Logger
	// readOnly opens the store without writing the configured accounts
	// into it, for the commands that only read (verify, register list,
	// accounts, report, export verify, person export, retention log and
	// holds): they neither add accounts nor reactivate one.
	readOnly bool

	loc      *time.Location // the municipality's time zone
	store    store
	tokens   map[string]string // known tokens (knownTokens)
	client   *facebook.Client
	sup      *supervision
	dir      evidence.Store
	evidence *evidenceParts
	remover  *removal.Gate
	// explain says a rule's explanation in a language (rules.Engine.Explain):
	// the service sets its classifier's, so that the packs are compiled
	// once; other commands compile them when the first document asks.
	explain func(id, lang string) string

	closers []closer
}

// closer is one built part's Close, with its name for the error.
type closer struct {
	name  string
	close func() error
}

// storeMode says whether a command changes the store.
type storeMode bool

const (
	readWrite storeMode = false
	readOnly  storeMode = true
)

// loadParts reads and validates the configuration at path, builds the
// process's logger on env.stderr and returns the parts, none built yet.
func loadParts(env *environment, path string, mode storeMode) (*parts, error) {
	cfg, err := loadConfig(env, path)
	if err != nil {
		return nil, err
	}
	return newParts(cfg, newLogger(env.stderr, cfg.Log), mode)
}

// newParts returns the parts of a loaded configuration, none built yet,
// with the municipality's time zone.
func newParts(cfg *config.Config, log *slog.Logger, mode storeMode) (*parts, error) {
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	return &parts{cfg: cfg, log: log, readOnly: bool(mode), loc: loc}, nil
}

// onClose registers a built part's Close; Close calls them last first.
func (p *parts) onClose(name string, f func() error) {
	p.closers = append(p.closers, closer{name: name, close: f})
}

// Close closes every built part in the reverse order of building and
// reports every failure. Closing again does nothing.
func (p *parts) Close() error {
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i].close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", p.closers[i].name, err))
		}
	}
	p.closers = nil
	return errors.Join(errs...)
}

// Store opens the configured store; unless the parts are read-only, it
// writes the configured accounts into it, as the service does at start.
func (p *parts) Store(ctx context.Context) (store, error) {
	if p.store != nil {
		return p.store, nil
	}
	st, err := p.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if !p.readOnly {
		for _, a := range p.cfg.Accounts {
			if err := st.UpsertAccount(ctx, moderation.Account{
				Key: a.Key, Platform: moderation.Platform(a.Platform), PlatformID: accountPlatformID(a), Name: a.Name,
				Owners: a.Owners, Substitutes: a.Substitutes, Status: moderation.AccountActive,
			}); err != nil {
				return nil, errors.Join(fmt.Errorf("store account %s: %w", a.Key, err), st.Close())
			}
		}
	}
	p.store = st
	p.onClose("store", st.Close)
	return st, nil
}

// openStore opens the store store.driver names: the one place where a
// store backend is chosen.
func (p *parts) openStore(ctx context.Context) (store, error) {
	switch p.cfg.Store.Driver {
	case config.DriverPostgres:
		langs := map[string]string{}
		for _, a := range p.cfg.Accounts {
			if a.Language != "" {
				langs[a.Key] = a.Language
			}
		}
		st, err := postgres.Open(ctx, p.cfg.Store.DSN.Value(), postgres.WithLogger(p.log),
			postgres.WithLanguages(p.cfg.Municipality.Language, langs))
		if err != nil {
			// The DSN may hold a password: the error names the database
			// as PostgreSQL's driver reports it, never the DSN itself.
			return nil, fmt.Errorf("store.driver postgres: %w", err)
		}
		return st, nil
	default:
		if err := os.MkdirAll(p.cfg.Paths.Data, 0o750); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
		return sqlite.Open(ctx, p.cfg.Paths.Database, sqlite.WithLogger(p.log))
	}
}

// Graph is the Graph API client. Built here first, it carries the tokens
// known for the accounts (knownTokens: an account without one is left out,
// for the commands that also work without the platform); built by
// Supervision first, it is the supervision's client, whose accounts must
// all have a token.
func (p *parts) Graph(ctx context.Context) (*facebook.Client, error) {
	if p.client != nil {
		return p.client, nil
	}
	st, err := p.Store(ctx)
	if err != nil {
		return nil, err
	}
	tokens, err := knownTokens(ctx, p.cfg, st, p.log)
	if err != nil {
		return nil, err
	}
	p.client = graphClient(p.cfg, tokens, p.log)
	return p.client, nil
}

// Supervision builds the connectors, the poller and the webhook parts
// (poll.go) over the store, with the options o, once.
func (p *parts) Supervision(ctx context.Context, o supervisionOptions) (*supervision, error) {
	if p.sup != nil {
		return p.sup, nil
	}
	st, err := p.Store(ctx)
	if err != nil {
		return nil, err
	}
	sup, err := openSupervision(ctx, p.cfg, st, p.log, o)
	if err != nil {
		return nil, err
	}
	p.sup = sup
	if p.client == nil {
		p.client = sup.client
	}
	return sup, nil
}

// EvidenceStore is the evidence folder (created if needed) or bucket
// (evidence.backend).
func (p *parts) EvidenceStore(ctx context.Context) (evidence.Store, error) {
	if p.dir == nil {
		dir, err := openEvidenceStore(ctx, p.cfg, p.log)
		if err != nil {
			return nil, err
		}
		p.dir = dir
	}
	return p.dir, nil
}

// Evidence builds the evidence parts (evidence.go): the evidence folder,
// the maker of evidence PDFs and the browser, which starts with the first
// capture and is closed by Close.
func (p *parts) Evidence(ctx context.Context) (*evidenceParts, error) {
	if p.evidence != nil {
		return p.evidence, nil
	}
	st, err := p.Store(ctx)
	if err != nil {
		return nil, err
	}
	if p.explain == nil {
		p.explain = ruleExplainer(p.cfg)
	}
	ev, err := openEvidence(ctx, p.cfg, st, p.log, p.loc, p.explain)
	if err != nil {
		return nil, err
	}
	p.evidence = ev
	if p.dir == nil {
		p.dir = ev.dir // one store, checked and logged once
	}
	p.onClose("browser", ev.Close)
	return ev, nil
}

// Browser is a browser for the given hosts as capture.* configures it
// (capture.chromium, capture.cookies_file, capture.timeout, capture.max_height),
// closed by Close; nil when capture.disabled is set. The evidence maker's
// browser is Evidence's; this one is for the snapshots' screenshots of an
// account's page and the photos of objections.
// A capture is given at least atLeast (a snapshot's screenshot of a whole
// page takes longer than a comment's).
func (p *parts) Browser(hosts []string, atLeast time.Duration) (*capture.Browser, error) {
	opts, ok, err := browserOptions(p.cfg, hosts, p.log)
	if err != nil || !ok {
		return nil, err
	}
	opts.Timeout = max(opts.Timeout, atLeast)
	br := capture.New(opts)
	p.onClose("browser", func() error {
		if err := br.Close(); err != nil && !errors.Is(err, capture.ErrClosed) {
			return err
		}
		return nil
	})
	return br, nil
}

// browserOptions are the capture options of a browser for hosts from the
// configuration; ok is false when capture is disabled.
func browserOptions(cfg *config.Config, hosts []string, log *slog.Logger) (capture.Options, bool, error) {
	if cfg.Capture.Disabled {
		return capture.Options{}, false, nil
	}
	var cookies []capture.Cookie
	if cfg.Capture.CookiesFile != "" {
		var err error
		if cookies, err = capture.LoadCookies(cfg.Capture.CookiesFile); err != nil {
			return capture.Options{}, false, fmt.Errorf("capture.cookies_file: %w", err)
		}
	}
	return capture.Options{
		ExecPath: cfg.Capture.Chromium, AllowedHosts: hosts, Timeout: cfg.Capture.Timeout.D(),
		Logger: log.With("part", "capture"), Cookies: cookies,
		MaxHeight: cfg.Capture.MaxHeight, FocusSelectors: cfg.Capture.FocusSelectors,
	}, true, nil
}

// Remover is the one remover (moderation/removal) of the commands over the
// Graph API connectors, the store also being the store of own posts.
func (p *parts) Remover(ctx context.Context) (*removal.Gate, error) {
	if p.remover != nil {
		return p.remover, nil
	}
	st, err := p.Store(ctx)
	if err != nil {
		return nil, err
	}
	client, err := p.Graph(ctx)
	if err != nil {
		return nil, err
	}
	p.remover = newGate(p.cfg, st, st, client, nil, p.log)
	return p.remover, nil
}

// openParts loads the configuration at path and opens the store: how a
// subcommand that uses the store begins. Close the parts when done.
func openParts(ctx context.Context, env *environment, path string, mode storeMode) (*parts, store, error) {
	p, err := loadParts(env, path, mode)
	if err != nil {
		return nil, nil, err
	}
	st, err := p.Store(ctx)
	if err != nil {
		return nil, nil, errors.Join(err, p.Close())
	}
	return p, st, nil
}

// PostDeleter is the deleter of own posts (retention, objections) over
// the remover, and so the store and the Graph API client.
func (p *parts) PostDeleter(ctx context.Context) (*retention.Deleter, error) {
	gate, err := p.Remover(ctx)
	if err != nil {
		return nil, err
	}
	return newPostDeleter(p.cfg, p.store, p.client, gate, p.log), nil
}
