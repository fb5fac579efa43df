package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/uppsikt/uppsikt/bot/lease"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/bot/poller"
	"github.com/uppsikt/uppsikt/bot/webhook"
	"github.com/uppsikt/uppsikt/bot/webpage"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// supervision is the reading side of uppsikt wired from a configuration:
// the Graph client, the connectors, the poller with office hours and
// holidays, and the webhook receiver and its processor.
type supervision struct {
	client     *facebook.Client
	connectors map[moderation.Platform]moderation.Connector
	poller     *poller.Poller
	hooks      *webhook.Processor
	webhook    http.Handler // nil when webhooks are off
	keys       []string
	facebook   *facebook.Connector
	// pages are the Facebook accounts to subscribe to the app's webhook
	// when webhooks are on.
	pages []moderation.Account
}

// supervisionOptions are the parts of openSupervision a test or a
// subcommand may change.
type supervisionOptions struct {
	HTTPClient *http.Client
	Now        func() time.Time
	Sleep      func(context.Context, time.Duration) error
	Stored     func() // wakes the pipeline
	// Polled is told each poll cycle's outcome (metrics).
	Polled func(account, outcome string)
	// Worker, when set, is this process among the workers sharing the
	// store: the poller polls only the accounts it holds, and webhook
	// deliveries are claimed.
	Worker *lease.Keeper
}

// openSupervision builds the connectors, the poller and the webhook parts
// for the accounts of cfg, which must already be in the store. Each
// account's token is the one stored sealed with "account token set", else
// the configured one (accountTokens). It sets a disconnected account active
// again when its token is not the rejected one, and gives new accounts a
// schedule that is due now.
func openSupervision(ctx context.Context, cfg *config.Config, st moderation.Store, log *slog.Logger, o supervisionOptions) (*supervision, error) {
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	cal, err := calendar.New(cfg.Municipality.Country)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	tokens, err := accountTokens(ctx, cfg, st, log)
	if err != nil {
		return nil, err
	}
	sites := map[string]webpage.Site{}
	hours := map[string]poller.Hours{}
	reconcile := map[string][2]time.Duration{}
	s := &supervision{}
	for _, a := range cfg.Accounts {
		s.keys = append(s.keys, a.Key)
		if tok := tokens[a.Key]; tok != "" {
			if ok, err := facebook.Reactivate(ctx, st, a.Key, tok); err != nil {
				return nil, err
			} else if ok {
				log.Info("account active again: its token was replaced", "account", a.Key)
			}
		}
		if site, ok := webSite(a); ok {
			sites[a.Key] = site
		}
		sc := cfg.Schedules[a.Schedule]
		start, end, err := config.ParseOfficeHours(sc.OfficeHours)
		if err != nil {
			return nil, err
		}
		hours[a.Key] = poller.Hours{Start: start, End: end, Location: loc, Interval: sc.Interval.D(),
			OffHours: sc.OffHoursInterval.D(), Jitter: sc.Jitter.D(), DayOff: cal.DayOff}
		reconcile[a.Key] = [2]time.Duration{sc.ReconcileEvery.D(), sc.ReconcileWindow.D()}
	}
	s.client = facebook.NewClient(facebook.ClientOptions{
		GraphURL: cfg.Meta.GraphURL, Version: cfg.Meta.Version, AppID: cfg.Meta.AppID,
		AppSecret: cfg.Meta.AppSecret.Value(), Tokens: tokens, HTTPClient: o.HTTPClient,
		Now: o.Now, Sleep: o.Sleep, Logger: log.With("part", "graph"),
	})
	fbConn := facebook.New(facebook.Options{Client: s.client, Now: o.Now, Logger: log.With("part", "facebook")})
	s.facebook = fbConn
	igConn := instagram.New(instagram.Options{Client: s.client, Now: o.Now})
	s.connectors = map[moderation.Platform]moderation.Connector{
		moderation.Facebook:  fbConn,
		moderation.Instagram: igConn,
		moderation.Webpage:   webpage.New(webpage.Options{Sites: sites, HTTPClient: o.HTTPClient, Now: o.Now}),
	}
	var (
		holds  func(string) bool
		claims moderation.ClaimStore
		worker string
	)
	if o.Worker != nil {
		holds, worker = o.Worker.Holds, o.Worker.ID()
		claims, _ = st.(moderation.ClaimStore)
	}
	s.poller = poller.New(poller.Options{
		Store:      st,
		Connectors: s.connectors,
		Interval: func(a moderation.Account, sc moderation.Schedule, now time.Time) time.Duration {
			return hours[a.Key].Next(sc, now)
		},
		Reconcile: func(a moderation.Account) (time.Duration, time.Duration) {
			r := reconcile[a.Key]
			return r[0], r[1]
		},
		Now:        o.Now,
		Logger:     log.With("part", "poller"),
		Stored:     o.Stored,
		ProbeEvery: cfg.Meta.TokenProbeEvery.D(),
		Polled:     pollObservers(recordPoll(st, log.With("part", "health")), o.Polled),
		Holds:      holds,
	})
	if err := s.poller.Ensure(ctx, s.keys); err != nil {
		return nil, err
	}
	s.hooks = webhook.NewProcessor(webhook.ProcessorOptions{
		Store: st, Gone: facebook.IsGone, Stored: o.Stored, Now: o.Now, Logger: log.With("part", "webhooks"),
		Claims: claims, Worker: worker,
		Fetchers: map[moderation.Platform]webhook.Fetcher{moderation.Facebook: fbConn, moderation.Instagram: igConn},
	})
	if cfg.Meta.Webhooks {
		for _, a := range cfg.Accounts {
			if a.Platform == string(moderation.Facebook) {
				s.pages = append(s.pages, moderation.Account{Key: a.Key, Platform: moderation.Facebook, PlatformID: a.ID, Name: a.Name})
			}
		}
		s.webhook = &webhook.Handler{Store: st, AppSecret: cfg.Meta.AppSecret.Value(), VerifyToken: cfg.Meta.VerifyToken.Value(),
			Now: o.Now, Logger: log.With("part", "webhooks"), Received: s.hooks.Wake}
	}
	return s, nil
}

// subscribe asks Meta to deliver each page's feed changes to the webhook.
// A page that cannot be subscribed is still polled, so a failure is
// reported and not fatal.
func (s *supervision) subscribe(ctx context.Context, log *slog.Logger) {
	for _, a := range s.pages {
		if err := s.facebook.Subscribe(ctx, a); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("webhooks not subscribed; the page is still polled", "account", a.Key, "error", err)
			continue
		}
		log.Info("page subscribed to webhooks", "account", a.Key)
	}
}

// openStore opens the configured store and writes the configured accounts
// into it, as the service does at start (parts.Store); the caller closes it.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (store, error) {
	pt, err := newParts(cfg, log, readWrite)
	if err != nil {
		return nil, err
	}
	return pt.Store(ctx)
}

// accountPlatformID is the account's id on its platform; a website's is
// its URL.
func accountPlatformID(a config.Account) string {
	if a.ID == "" && a.Site != nil {
		return a.Site.URL
	}
	return a.ID
}

// loadConfig reads and validates -config, printing every problem.
func loadConfig(env *environment, path string) (*config.Config, error) {
	cfg, err := config.Load(path, env.getenv)
	if err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) {
			fmt.Fprintln(env.stderr, cerr.Error())
			return nil, fmt.Errorf("%s is not valid (uppsikt config check -config %s)", path, path)
		}
		return nil, err
	}
	return cfg, nil
}

// runPoll is "uppsikt poll -config FILE -once [-reconcile] [-account KEY]".
func runPoll(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "poll", "-config FILE -once [-reconcile] [-account KEY]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	once := fs.Bool("once", false, "run one poll cycle for every account and exit")
	rec := fs.Bool("reconcile", false, "add the reconcile pass (edits, hides, deletions, comments on old posts)")
	only := fs.String("account", "", "poll this account only")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if !*once {
		fmt.Fprintln(env.stderr, "uppsikt poll runs one cycle and needs -once; uppsikt serve polls continuously")
		return fmt.Errorf("%w: -once is required", errUsage)
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	sup, err := pt.Supervision(ctx, supervisionOptions{})
	if err != nil {
		return err
	}
	var reports []poller.Report
	var errs []error
	for _, key := range sup.keys {
		if *only != "" && key != *only {
			continue
		}
		rep, err := sup.poller.PollAccount(ctx, key, *rec)
		reports = append(reports, rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	if *only != "" && len(reports) == 0 {
		return fmt.Errorf("%w: no account %q in %s", errUsage, *only, *path)
	}
	printReports(env.stdout, reports)
	return errors.Join(errs...)
}

// printReports writes a table of poll reports with a total line; errors
// are returned by the command and printed by main.
func printReports(w io.Writer, reports []poller.Report) {
	sort.SliceStable(reports, func(i, j int) bool { return reports[i].Account < reports[j].Account })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "account\trequests\tnew posts\tnew comments\tnew versions\tstate changes\treconciled\tnote")
	var total poller.Report
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%v\t%s\n", r.Account, r.Requests, r.Posts, r.NewComments, r.NewVersions, r.Changes, r.Reconciled, r.Skipped)
		total.Requests += r.Requests
		total.Posts += r.Posts
		total.NewComments += r.NewComments
		total.NewVersions += r.NewVersions
		total.Changes += r.Changes
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t\t\n", total.Requests, total.Posts, total.NewComments, total.NewVersions, total.Changes)
	tw.Flush()
}

// webSite is the comment section of a website account, as its
// configuration describes it.
func webSite(a config.Account) (webpage.Site, bool) {
	if a.Site == nil {
		return webpage.Site{}, false
	}
	return webpage.Site{URL: a.Site.URL, Comment: a.Site.Comment, ID: a.Site.ID, Author: a.Site.Author,
		Time: a.Site.Time, Text: a.Site.Text, Permalink: a.Site.Permalink}, true
}
