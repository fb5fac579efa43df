package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/snapshot"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/bot/webpage"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// runSnapshot is "uppsikt snapshot -config FILE -account KEY -year 2025
// [-out FILE.pdf]": the yearly snapshot of an account as PDF/A.
func runSnapshot(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "snapshot", "-config FILE -account KEY -year 2025 [-out FILE.pdf] [-content-only] [-no-platform]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account")
	year := fs.Int("year", 0, "the calendar year to snapshot")
	out := fs.String("out", "", "the PDF to write (default <archive.snapshots>/<account>-<year>.pdf)")
	contentOnly := fs.Bool("content-only", false, "leave the layout (screenshots of the account's page) out; without it a snapshot whose layout cannot be captured fails")
	noBrowser := fs.Bool("no-browser", false, "the same as -content-only")
	noPlatform := fs.Bool("no-platform", false, "take every text from uppsikt's store without asking the platform")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *key == "" || *year < 2000 || *year > 2200 {
		fs.Usage()
		return fmt.Errorf("%w: -account and -year are required", errUsage)
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	loc := pt.loc
	from, to := snapshot.Year(*year, loc)
	if *out == "" {
		*out = filepath.Join(pt.cfg.Archive.Snapshots, fmt.Sprintf("%s-%d.pdf", *key, *year))
	}
	res, err := takeSnapshot(ctx, env, pt, snapshotJob{key: *key, kind: moderation.SnapshotYearly, from: from, to: to,
		out: *out, contentOnly: contentOnlyFlag(*contentOnly, *noBrowser), platform: !*noPlatform})
	if err != nil {
		return err
	}
	printSnapshot(env.stdout, res)
	return nil
}

type snapshotJob struct {
	key      string
	kind     string
	from, to time.Time
	out      string
	// contentOnly is the flag that left the layout out, "" when it is
	// wanted.
	contentOnly string
	platform    bool
}

// contentOnlyFlag names the flag that leaves a snapshot's layout out, or
// is "" when neither was given.
func contentOnlyFlag(contentOnly, noBrowser bool) string {
	switch {
	case contentOnly:
		return "-content-only"
	case noBrowser:
		return "-no-browser"
	}
	return ""
}

// takeSnapshot wires the snapshot writer: the browser for the layout
// screenshots, the Graph API for what the platform still has, a progress
// bar on a terminal.
func takeSnapshot(ctx context.Context, env *environment, pt *parts, j snapshotJob) (snapshot.Result, error) {
	st, err := pt.Store(ctx)
	if err != nil {
		return snapshot.Result{}, err
	}
	log := pt.log
	a, err := st.Account(ctx, j.key)
	if err != nil {
		return snapshot.Result{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	loc := pt.loc
	if err := os.MkdirAll(filepath.Dir(j.out), 0o750); err != nil {
		return snapshot.Result{}, fmt.Errorf("snapshot folder: %w", err)
	}
	opts := snapshot.Options{Store: st, Location: loc, Logger: log.With("part", "snapshot"), Language: pt.cfg.Municipality.Language,
		Municipality: pt.cfg.Municipality.Name, Creator: creator()}
	req := snapshot.Request{AccountKey: a.Key, Kind: j.kind, From: j.from, To: j.to, Out: j.out}
	br, err := snapshotLayout(ctx, pt.cfg, st, a, &req, j.contentOnly, log)
	if err != nil {
		return snapshot.Result{}, err
	}
	if br != nil {
		defer br.Close()
		opts.Capture = br
		opts.AfterLayout = func() { br.Close() }
	}
	if j.platform {
		client, err := pt.Graph(ctx)
		if err != nil {
			return snapshot.Result{}, err
		}
		opts.Live = newLiveThreads(pt.cfg, client).forAccount(a, log)
	}
	bar := newProgressBar(env.stderr)
	opts.Progress = bar.update
	defer bar.done()
	res, err := snapshot.New(opts).Write(ctx, req)
	if err != nil {
		return res, err
	}
	detail, _ := json.Marshal(map[string]any{"kind": j.kind, "from": j.from, "to": j.to, "path": j.out, "sha256": res.Record.SHA256, "pages": res.Pages})
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: "uppsikt", Action: "snapshot", Subject: a.Key, Detail: detail}); err != nil {
		return res, err
	}
	return res, nil
}

// snapshotTimeout is the least time each step of a snapshot's capture of
// an account's page (loading a page of it, taking a band) is given.
const snapshotTimeout = 2 * time.Minute

// snapshotLayout sets how the snapshot req gets its layout: the account's
// page asked for the period, and the browser to scroll through it, which
// the caller closes; or, when the operator chose so (contentOnly names the
// flag or configuration key; capture.disabled is such a choice too), no
// layout, which the cover says. When neither is possible, say because the
// account has no page address, the browser is nil and the snapshot fails
// with snapshot.ErrNoLayout.
func snapshotLayout(ctx context.Context, cfg *config.Config, st store, a moderation.Account, req *snapshot.Request, contentOnly string, log *slog.Logger) (*capture.Browser, error) {
	if contentOnly != "" {
		req.ContentOnly, req.ContentOnlyReason = true, contentOnly
		return nil, nil
	}
	page, copts, ok, err := pageCapture(ctx, cfg, st, a, log)
	if err != nil {
		return nil, err
	}
	if cfg.Capture.Disabled {
		req.ContentOnly, req.ContentOnlyReason = true, "capture.disabled"
		return nil, nil
	}
	if page == "" {
		return nil, nil
	}
	req.PageURLs = []string{periodPage(page, req.From, req.To)}
	if !ok {
		return nil, nil
	}
	return capture.New(copts), nil
}

// periodPage asks the account's page for the posts of [from, to) with
// ?since= and ?until= (Unix seconds), which the platform emulator's page
// understands. A platform's own page ignores them and shows its newest
// posts first: the capture then scrolls down until posts older than from
// show (snapshot.Options.Scroll, capture.ScrollOptions.Since).
func periodPage(page string, from, to time.Time) string {
	u, err := url.Parse(page)
	if err != nil {
		return page
	}
	q := u.Query()
	q.Set("since", strconv.FormatInt(from.Unix(), 10))
	q.Set("until", strconv.FormatInt(to.Add(-time.Second).Unix(), 10))
	u.RawQuery = q.Encode()
	return u.String()
}

// pageCapture is the account's page to screenshot for a snapshot and the
// browser for it, as capture.* configures it (capture.chromium,
// capture.cookies_file, capture.disabled) and allowed the page's host
// alone; ok is false when there is no page or capture is disabled, which
// is logged.
func pageCapture(ctx context.Context, cfg *config.Config, st store, a moderation.Account, log *slog.Logger) (page string, opts capture.Options, ok bool, err error) {
	page = accountPage(ctx, st, a)
	if page == "" {
		log.Warn("no page address for the account: its snapshot cannot show the layout", "account", a.Key)
		return "", capture.Options{}, false, nil
	}
	u, err := url.Parse(page)
	if err != nil {
		return "", capture.Options{}, false, fmt.Errorf("page address of %s: %w", a.Key, err)
	}
	opts, ok, err = browserOptions(cfg, []string{u.Host}, log)
	if err != nil {
		return "", capture.Options{}, false, err
	}
	if !ok {
		log.Warn("capture is disabled (capture.disabled): the snapshot leaves the layout out", "account", a.Key)
		return page, capture.Options{}, false, nil
	}
	opts.Timeout = max(opts.Timeout, snapshotTimeout)
	return page, opts, true, nil
}

// accountPage is the address of the account's page, derived from a post's
// permalink (".../{page}/posts/{id}" → ".../{page}"), or a website
// account's address.
func accountPage(ctx context.Context, st store, a moderation.Account) string {
	ps, _, err := st.PostsBetween(ctx, a.Key, time.Unix(0, 1), time.Now().AddDate(1, 0, 0), moderation.PostCursor{}, 20)
	if err != nil {
		return ""
	}
	for _, p := range ps {
		if i := strings.Index(p.PermalinkURL, "/posts/"); i > 0 {
			return p.PermalinkURL[:i]
		}
	}
	if a.Platform == moderation.Webpage && strings.HasPrefix(a.PlatformID, "http") {
		return a.PlatformID
	}
	return ""
}

// liveThreads tells a snapshot which comments a post still has on its
// platform, asking each platform's connector (Thread): the Graph API for
// Facebook pages and Instagram accounts, the page itself for a website's
// comment section.
type liveThreads struct {
	platforms map[moderation.Platform]threader
}

// threader is a connector that reads a post's comments as they are now.
type threader interface {
	Thread(ctx context.Context, a moderation.Account, postID string) (map[string]string, error)
}

func newLiveThreads(cfg *config.Config, client *facebook.Client) *liveThreads {
	sites := map[string]webpage.Site{}
	for _, a := range cfg.Accounts {
		if site, ok := webSite(a); ok {
			sites[a.Key] = site
		}
	}
	return &liveThreads{platforms: map[moderation.Platform]threader{
		moderation.Facebook:  facebook.New(facebook.Options{Client: client}),
		moderation.Instagram: instagram.New(instagram.Options{Client: client}),
		moderation.Webpage:   webpage.New(webpage.Options{Sites: sites}),
	}}
}

// forAccount returns what a snapshot of the account asks, or nil when the
// platform cannot be asked: an account whose token was rejected is taken
// from uppsikt's store alone rather than failing post by post.
func (l *liveThreads) forAccount(a moderation.Account, log *slog.Logger) snapshot.Live {
	if a.Status == moderation.AccountDisconnected {
		log.Warn("the account is disconnected: the snapshot takes every text from uppsikt's store", "account", a.Key)
		return nil
	}
	return l
}

func (l *liveThreads) Thread(ctx context.Context, a moderation.Account, postID string) (map[string]string, error) {
	t, ok := l.platforms[a.Platform]
	if !ok {
		t = l.platforms[moderation.Facebook]
	}
	return t.Thread(ctx, a, postID)
}

func (l *liveThreads) Gone(err error) bool { return facebook.IsGone(err) }

func printSnapshot(w io.Writer, r snapshot.Result) {
	fmt.Fprintf(w, "snapshot %s\n  account %s, %s – %s\n  %d pages, %d posts, %d comments (%d from the platform, %d from uppsikt's store, %d removed, %d disposed), %d screenshots\n  sha256 %s, %d bytes\n",
		r.Record.Path, r.Record.AccountKey, r.Record.From.Format(time.DateOnly), r.Record.To.Format(time.DateOnly),
		r.Pages, r.Posts, r.Comments, r.FromPlatform, r.FromStore, r.Removed, r.Disposed, r.Screenshots, r.Record.SHA256, r.Record.Size)
}

// progressBar draws a snapshot's progress on a terminal, and nothing
// otherwise.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.on = true
		}
	}
	return b
}

func (b *progressBar) update(p snapshot.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.on || (time.Since(b.last) < 200*time.Millisecond && p.Fraction < 1) {
		return
	}
	b.last = time.Now()
	const width = 30
	n := int(p.Fraction * width)
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%%  %d posts  %d comments  %-12s", strings.Repeat("#", n), strings.Repeat("-", width-n),
		p.Fraction*100, p.Posts, p.Comments, p.Phase)
	b.drawn = true
}

func (b *progressBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
