package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrHostNotAllowed is returned (wrapped) for a page whose host is not one
// of the allowed hosts.
var ErrHostNotAllowed = errors.New("capture: host not allowed")

// ErrClosed is returned by captures after Close.
var ErrClosed = errors.New("capture: browser closed")

// Viewport is the size of the browser window in CSS pixels. A full-page
// capture keeps the width and grows to the height of the page.
type Viewport struct {
	Width, Height int
}

// Options configure a Browser. Zero values take the defaults.
type Options struct {
	// ExecPath is the Chromium binary. By default Debian's real binary
	// /usr/lib/chromium/chromium, else /usr/bin/chromium, else whatever
	// chromedp finds.
	ExecPath string
	// AllowedHosts are the hosts a page may be loaded from, and the only
	// hosts the browser may contact: "www.facebook.com" (any port),
	// "127.0.0.1:8081" (that port only) or "*.fbcdn.net" (any subdomain).
	AllowedHosts []string
	// Tabs is the number of captures that run at once (default 2).
	Tabs int
	// Timeout bounds one capture, from opening its tab to the PNG
	// (default 30 s).
	Timeout time.Duration
	// RestartEvery restarts the browser after this many captures
	// (default 300).
	RestartEvery int
	// StartTimeout bounds the start of the browser (default 30 s).
	StartTimeout time.Duration
	// Viewport is the window size (default 1280×900).
	Viewport Viewport
	// Logger receives the browser's life events; slog.Default() when nil.
	Logger *slog.Logger
	// Cookies are set in the fresh browser context of every capture of a
	// platform page, for pages behind a login wall (see LoadCookies); only
	// those whose domain covers an allowed host. uppsikt's own documents
	// never get them.
	Cookies []Cookie
	// MaxHeight bounds the screenshot of a platform page, in CSS pixels
	// (default 3000): a taller page is captured in a window of this height
	// around the comment the address points at (see FocusSelectors), or
	// from its top when no such comment is found. uppsikt's own documents
	// are captured whole.
	MaxHeight int
	// FocusSelectors find the comment on a platform page, tried in order
	// (default DefaultFocusSelectors): CSS selectors in which {comment_id}
	// stands for the comment_id parameter of the page's address.
	FocusSelectors []string
}

// DefaultFocusSelectors find the highlighted comment on a permalink page:
// by its id (the emulator's pages, and pages marking comments the same
// way), else the highlighted comment.
var DefaultFocusSelectors = []string{
	`[data-comment-id="{comment_id}"]`,
	`#comment-{comment_id}`,
	`.comment.highlight`,
}

func (o Options) withDefaults() Options {
	if o.ExecPath == "" {
		for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				o.ExecPath = p
				break
			}
		}
	}
	if o.Tabs <= 0 {
		o.Tabs = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.RestartEvery <= 0 {
		o.RestartEvery = 300
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.Viewport.Width <= 0 || o.Viewport.Height <= 0 {
		o.Viewport = Viewport{Width: 1280, Height: 900}
	}
	if o.MaxHeight <= 0 {
		o.MaxHeight = 3000
	}
	if len(o.FocusSelectors) == 0 {
		o.FocusSelectors = DefaultFocusSelectors
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Shot is one screenshot: the whole page, or a window of it.
type Shot struct {
	PNG        []byte
	URL        string // the page's address when it was captured ("about:blank" for HTML)
	Title      string // the page's title
	CapturedAt time.Time
	Width      int // of the PNG, in pixels
	Height     int
	// PageHeight is the height of the page in CSS pixels; Top is where the
	// screenshot starts on it. A screenshot of the whole page has Top 0
	// and the page's height.
	PageHeight, Top int
	// Focused reports that the window was placed around the comment the
	// address points at.
	Focused bool
}

// Stats describes the browser's life so far.
type Stats struct {
	Captures int // captures that returned a PNG
	Failures int // captures that returned an error
	Starts   int // browser processes started
	PID      int // of the running browser, 0 when none
	Blocked  int // requests refused because of their host
}

// Browser is a warm headless Chromium shared by the captures of uppsikt. It
// is safe for concurrent use. Close stops it.
type Browser struct {
	opts    Options
	log     *slog.Logger
	sem     chan struct{}
	hosts   hostList
	cookies []*network.CookieParam // Options.Cookies for the allowed hosts

	mu     sync.Mutex
	cur    *instance
	live   map[*instance]bool // every instance not yet stopped, the current one and retired ones still in use
	closed bool
	stats  Stats
	// held counts Hold calls not yet released; while it is above zero the
	// background work of finished captures waits in deferred.
	held     int
	deferred []func()

	stopping sync.WaitGroup // instances being stopped
}

// instance is one browser process.
type instance struct {
	allocCancel context.CancelFunc
	ctx         context.Context // the browser's chromedp context
	cancel      context.CancelFunc
	pid         int
	active      int  // captures running on it
	used        int  // captures started on it
	retired     bool // no new captures; stop when active reaches 0
	stopped     bool
	ready       chan *tab      // tabs opened and set up in advance for the next captures (nil: opening failed)
	preparing   int            // tabs being opened in advance
	waiting     int            // captures waiting for a tab being opened
	prep        sync.WaitGroup // the goroutines opening tabs in advance
	closing     sync.WaitGroup // the goroutines closing the tabs of finished captures
	views       chan *tab      // tabs kept for documents of uppsikt's (HTML)
}

// New returns a Browser. The browser process starts with the first capture.
func New(opts Options) *Browser {
	opts = opts.withDefaults()
	b := &Browser{
		opts:  opts,
		log:   opts.Logger.With("component", "capture"),
		sem:   make(chan struct{}, opts.Tabs),
		hosts: parseHosts(opts.AllowedHosts),
		live:  map[*instance]bool{},
	}
	b.cookies = b.hosts.cookieParams(opts.Cookies)
	if len(opts.Cookies) > 0 {
		b.log.Info("cookies for the platform pages", "cookies", len(b.cookies), "dropped_other_hosts", len(opts.Cookies)-len(b.cookies))
	}
	return b
}

// Stats returns counters of the browser's life.
func (b *Browser) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	if b.cur != nil && !b.cur.retired {
		s.PID = b.cur.pid
	}
	return s
}

// Allowed reports whether the browser may load rawURL.
func (b *Browser) Allowed(rawURL string) bool {
	return b.hosts.allows(rawURL)
}

// Page captures the live page at rawURL as PNG: the whole page, or, when
// it is taller than Options.MaxHeight, a window of that height around the
// comment named by the address's comment_id (the top of the page when it
// cannot be found). The host must be one of the allowed hosts; the page's
// requests to other hosts fail.
func (b *Browser) Page(ctx context.Context, rawURL string) (Shot, error) {
	if !b.hosts.allows(rawURL) {
		return Shot{}, fmt.Errorf("%w: %s", ErrHostNotAllowed, redactURL(rawURL))
	}
	commentID := ""
	if u, err := url.Parse(rawURL); err == nil {
		commentID = u.Query().Get("comment_id")
	}
	shoot := b.window(commentID)
	return b.capture(ctx, b.hosts, false, shoot, func(ctx context.Context) error {
		if len(b.cookies) > 0 {
			if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: b.cookies}); err != nil {
				return fmt.Errorf("set cookies: %w", err)
			}
		}
		return chromedp.Do(ctx, chromedp.Navigate(rawURL))
	})
}

// HTML captures a document that uppsikt rendered itself, full page, as PNG.
// The document is set as the content of a page; the browser makes no
// network request for it (images must be inline, as data: URLs). Such a
// page has nothing of a platform's (no cookies, no storage), so its tab is
// kept for the next documents, up to maxViewUses of them: opening a tab in
// a new browser context costs the browser about a second of CPU.
func (b *Browser) HTML(ctx context.Context, html []byte) (Shot, error) {
	return b.capture(ctx, hostList{}, true, fullPage, func(ctx context.Context) error {
		// The tab shows about:blank or the previous document, which is
		// replaced.
		tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, page.SetDocumentContent, page.SetDocumentContentParams{
			FrameID: tree.FrameTree.Frame.ID, HTML: string(html),
		}); err != nil {
			return err
		}
		// Wait for inline images and web fonts before the screenshot.
		return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`Promise.all([
			document.fonts ? document.fonts.ready : null,
			...Array.from(document.images).filter(i => !i.complete).map(i => new Promise(r => { i.onload = i.onerror = r }))
		]).then(() => true)`, chromedp.EvalAwaitPromise))
	})
}

// capture runs one capture in a tab of the pool and retries it once on a
// new browser when the browser died under it.
func (b *Browser) capture(ctx context.Context, allow hostList, reuse bool, shoot screenshotter, load func(context.Context) error) (Shot, error) {
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return Shot{}, ctx.Err()
	}
	defer func() { <-b.sem }()

	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		inst, err := b.acquire()
		if err != nil {
			return Shot{}, err
		}
		shot, blocked, err := b.captureOn(ctx, inst, allow, reuse, shoot, load)
		dead := inst.ctx.Err() != nil || (err != nil && ctx.Err() == nil && errors.Is(err, context.Canceled))
		b.release(inst, err, blocked)
		if err == nil {
			// The next captures find their tabs ready.
			b.prepareTabs(inst)
			return shot, nil
		}
		lastErr = err
		if ctx.Err() != nil || !dead {
			break
		}
		b.log.Warn("browser died during a capture; retrying on a new browser", "pid", inst.pid, "err", err)
	}
	return Shot{}, fmt.Errorf("capture: %w", lastErr)
}

// acquire returns the current browser, starting one when there is none or
// the current one is retired or dead.
func (b *Browser) acquire() (*instance, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if b.cur != nil && (b.cur.retired || b.cur.ctx.Err() != nil) {
		b.retireLocked(b.cur)
		b.cur = nil
	}
	if b.cur == nil {
		inst, err := b.start()
		if err != nil {
			return nil, err
		}
		b.cur = inst
		b.live[inst] = true
		b.stats.Starts++
	}
	inst := b.cur
	inst.active++
	inst.used++
	if inst.used >= b.opts.RestartEvery {
		// This capture still runs on it; the next one starts a new browser.
		inst.retired = true
	}
	return inst, nil
}

func (b *Browser) release(inst *instance, err error, blocked int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	inst.active--
	b.stats.Blocked += blocked
	if err != nil {
		b.stats.Failures++
		// After an error the browser may be in a bad state: new
		// captures get a fresh one.
		inst.retired = true
	} else {
		b.stats.Captures++
	}
	if inst.retired {
		if b.cur == inst {
			b.cur = nil
		}
		b.retireLocked(inst)
	}
}

// retireLocked stops inst once no capture runs on it. b.mu is held.
func (b *Browser) retireLocked(inst *instance) {
	inst.retired = true
	if inst.active > 0 {
		return
	}
	b.stopLocked(inst)
}

// stopLocked stops inst now, in the background; Close waits for it. b.mu
// is held.
func (b *Browser) stopLocked(inst *instance) {
	inst.retired = true
	if inst.stopped {
		return
	}
	inst.stopped = true
	delete(b.live, inst)
	b.stopping.Go(func() {
		inst.cancel()
		inst.prep.Wait()
		inst.closing.Wait()
		for {
			select {
			case tb := <-inst.ready:
				if tb != nil {
					tb.close()
				}
				continue
			case tb := <-inst.views:
				tb.close()
				continue
			default:
			}
			break
		}
		inst.allocCancel()
		b.log.Info("browser stopped", "pid", inst.pid, "captures", inst.used)
	})
}

func (b *Browser) start() (*instance, error) {
	o := b.opts
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("hide-scrollbars", true),
		// A page left is not kept for going back, as a snapshot's scroll
		// goes through many pages of an account one after the other, and
		// no spare renderer is kept in advance (Translate and
		// BlinkGenPropertyTrees are chromedp's defaults). Chromium's
		// headless mode also draws the address bar's suggestions with pages
		// of its own (chrome://omnibox-popup.top-chrome), loaded in advance
		// in a renderer of their own (ps shows it --top-chrome-webui) which
		// took some 100 MB for nothing a capture shows: the WebUIOmnibox
		// features are turned off.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache,SpareRendererForSitePerProcess,"+
			"WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"),
		// One renderer for the pages of a site in a browser context, not
		// a new one for each page a scroll goes on to.
		chromedp.Flag("process-per-site", true),
		chromedp.WindowSize(o.Viewport.Width, o.Viewport.Height),
	)
	if o.ExecPath != "" {
		opts = append(opts, chromedp.ExecPath(o.ExecPath))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	debugf := func(format string, args ...any) {
		b.log.Debug("chromium: " + fmt.Sprintf(format, args...))
	}
	ctx, cancel := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(debugf), chromedp.WithErrorf(debugf), chromedp.WithDebugf(func(string, ...any) {}))

	// The first Do binds the browser's life to its context, so it must
	// not carry a deadline: a timer cancels a start that hangs.
	began := time.Now()
	watchdog := time.AfterFunc(o.StartTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("did not start within %s", o.StartTimeout)
	}
	if err != nil {
		cancel()
		allocCancel()
		return nil, fmt.Errorf("capture: start browser %s: %w", o.ExecPath, err)
	}
	pid := 0
	if c := chromedp.FromContext(ctx); c != nil && c.Browser != nil && c.Browser.Process() != nil {
		pid = c.Browser.Process().Pid
	}
	b.log.Info("browser started", "pid", pid, "exec_path", o.ExecPath, "took", time.Since(began).Round(time.Millisecond))
	return &instance{allocCancel: allocCancel, ctx: ctx, cancel: cancel, pid: pid, ready: make(chan *tab, o.Tabs), views: make(chan *tab, o.Tabs)}, nil
}

// captureOn runs one capture in a tab of inst, in a fresh browser context,
// under the capture's time limit. The tab was opened and set up in advance
// when possible; it is closed in the background after the capture. With
// reuse (documents of uppsikt's own, no network), a kept tab is used when
// there is one, and the tab is kept after a capture that succeeded.
func (b *Browser) captureOn(ctx context.Context, inst *instance, allow hostList, reuse bool, shoot screenshotter, load func(context.Context) error) (shot Shot, blocked int, err error) {
	t0 := time.Now()
	var tb *tab
	if reuse {
		tb = b.takeView(inst)
	}
	if tb == nil {
		tb = b.takeReady(ctx, inst)
	}
	if tb == nil {
		if tb, err = b.openTab(ctx, inst, b.opts.Timeout); err != nil {
			return Shot{}, 0, fmt.Errorf("open tab: %w", err)
		}
	}
	blocked0 := tb.blocked.Load()
	defer func() {
		blocked = int(tb.blocked.Load() - blocked0)
		if reuse && err == nil {
			b.keepView(inst, tb)
		} else {
			b.closeTab(inst, tb)
		}
	}()
	tb.uses++
	tOpen := time.Now()
	tb.allow.Store(&allow)

	// The time limit is derived from the tab, never from the browser, so
	// that it closes this tab and nothing else.
	runCtx, runCancel := context.WithTimeout(tb.ctx, b.opts.Timeout)
	defer runCancel()
	stop := context.AfterFunc(ctx, runCancel)
	defer stop()

	if err := load(runCtx); err != nil {
		return Shot{}, 0, fmt.Errorf("load: %w", err)
	}
	tLoad := time.Now()
	buf, win, err := shoot(runCtx)
	if err != nil {
		return Shot{}, 0, fmt.Errorf("screenshot: %w", err)
	}
	at := time.Now()
	b.log.Debug("captured", "pid", inst.pid, "open_tab", tOpen.Sub(t0).Round(time.Millisecond),
		"load", tLoad.Sub(tOpen).Round(time.Millisecond), "screenshot", at.Sub(tLoad).Round(time.Millisecond), "png_bytes", len(buf))
	page, err := chromedp.Run(runCtx, chromedp.EvaluateAsDevTools[[2]string](`[document.title, document.location.toString()]`))
	if err != nil {
		return Shot{}, 0, fmt.Errorf("title and location: %w", err)
	}
	title, loc := page[0], page[1]
	cfg, err := png.DecodeConfig(bytes.NewReader(buf))
	if err != nil {
		return Shot{}, 0, fmt.Errorf("screenshot is not a PNG: %w", err)
	}
	return Shot{PNG: buf, URL: loc, Title: title, CapturedAt: at, Width: cfg.Width, Height: cfg.Height,
		PageHeight: win.pageHeight, Top: win.top, Focused: win.focused}, 0, nil
}

// disableSockets replaces the constructors of connections that request
// interception cannot see.
const disableSockets = `(() => {
	const refuse = function () { throw new DOMException("disabled in uppsikt's evidence browser", "SecurityError") };
	for (const name of ["WebSocket", "WebTransport", "RTCPeerConnection", "webkitRTCPeerConnection"]) {
		if (name in self) {
			try { Object.defineProperty(self, name, { value: refuse, writable: false, configurable: false }) } catch (e) {}
		}
	}
})();`

// screenshotter takes the screenshot of a loaded page and says which part
// of the page it shows.
type screenshotter func(ctx context.Context) ([]byte, pageWindow, error)

// pageWindow is the part of a page a screenshot shows, in CSS pixels.
type pageWindow struct {
	pageHeight, top int
	focused         bool
}

// fullPage captures the whole page (uppsikt's own documents).
func fullPage(ctx context.Context) ([]byte, pageWindow, error) {
	buf, err := chromedp.Run(ctx, fullPagePNG)
	return buf, pageWindow{}, err
}

// measureWindow is the script that measures a page: its width and height,
// and the top and height of the first element a focus selector finds, in
// document coordinates with the page scrolled to its top. It is called with
// the selectors and the comment id.
const measureWindow = `(sels, id) => {
	window.scrollTo(0, 0);
	const de = document.documentElement, b = document.body;
	const w = Math.max(de.scrollWidth, b ? b.scrollWidth : 0, de.clientWidth);
	const h = Math.max(de.scrollHeight, b ? b.scrollHeight : 0, de.clientHeight);
	for (const s of sels) {
		if (s.includes("{comment_id}") && !id) continue;
		let el = null;
		try { el = document.querySelector(s.split("{comment_id}").join(CSS.escape(id))); } catch (e) {}
		if (el) {
			const r = el.getBoundingClientRect();
			return [w, h, Math.round(r.top + window.scrollY), Math.round(r.height), 1];
		}
	}
	return [w, h, 0, 0, 0];
}`

// window returns the screenshotter of a platform page: the whole page when
// it is at most MaxHeight tall, else a window of MaxHeight centred on the
// comment commentID (found by FocusSelectors), or the top of the page.
func (b *Browser) window(commentID string) screenshotter {
	return func(ctx context.Context) ([]byte, pageWindow, error) {
		sels, _ := json.Marshal(b.opts.FocusSelectors)
		id, _ := json.Marshal(commentID)
		m, err := chromedp.Run(ctx, chromedp.Evaluate[[5]float64]("("+measureWindow+")("+string(sels)+", "+string(id)+")"))
		if err != nil {
			return nil, pageWindow{}, fmt.Errorf("measure the page: %w", err)
		}
		width, height := int(m[0]), int(m[1])
		win := pageWindow{pageHeight: height, focused: m[4] == 1}
		if height <= b.opts.MaxHeight {
			buf, err := chromedp.Run(ctx, fullPagePNG)
			return buf, win, err
		}
		win.top = clipTop(height, b.opts.MaxHeight, int(m[2]), int(m[3]), win.focused)
		buf, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
				Format:                page.CaptureScreenshotFormatPng,
				FromSurface:           new(true),
				CaptureBeyondViewport: new(true),
				OptimizeForSpeed:      new(true),
				Clip:                  &page.Viewport{X: 0, Y: float64(win.top), Width: float64(width), Height: float64(b.opts.MaxHeight), Scale: 1},
			})
			return res.Data, err
		})
		return buf, win, err
	}
}

// clipTop is the top of a window of height winH on a page of height pageH,
// centred on the element at top with height h when focused (its top kept
// in the window when it is taller than the window), else at the top of the
// page.
func clipTop(pageH, winH, top, h int, focused bool) int {
	if !focused {
		return 0
	}
	y := top + h/2 - winH/2
	if h > winH {
		y = top - winH/10
	}
	return min(pageH-winH, max(0, y))
}

// fullPagePNG is chromedp.FullScreenshot for PNG with the encoder tuned for
// speed: the PNG is larger, and is compressed again when it is stored in
// the evidence PDF.
func fullPagePNG(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		FromSurface:           new(true),
		CaptureBeyondViewport: new(true),
		OptimizeForSpeed:      new(true),
	})
	return res.Data, err
}

// tab is an open page in a browser context of its own, set up for one
// capture: its requests are intercepted, sockets disabled and the viewport
// set. Until a capture stores its allowed hosts, every request is refused.
type tab struct {
	ctx     context.Context
	cancel  context.CancelFunc // closes the page and disposes of its browser context
	allow   atomic.Pointer[hostList]
	blocked atomic.Int64   // requests refused because of their host
	guard   sync.WaitGroup // the goroutine that lets requests go or fails them
	uses    int            // captures taken in it; owned by the capture holding the tab
}

// maxViewUses bounds the documents captured in one kept tab, so that
// whatever a page leaves behind cannot grow without end.
const maxViewUses = 100

// takeView returns a kept tab for a document of uppsikt's, or nil.
func (b *Browser) takeView(inst *instance) *tab {
	for {
		select {
		case tb := <-inst.views:
			if tb.ctx.Err() == nil {
				return tb
			}
			b.closeTab(inst, tb)
		default:
			return nil
		}
	}
}

// keepView keeps tb for the next document of uppsikt's, or closes it when
// it has been used enough, inst is retiring or enough tabs are kept.
func (b *Browser) keepView(inst *instance, tb *tab) {
	b.mu.Lock()
	kept := false
	if !inst.retired && !inst.stopped && tb.uses < maxViewUses && tb.ctx.Err() == nil {
		select {
		case inst.views <- tb:
			kept = true
		default:
		}
	}
	b.mu.Unlock()
	if !kept {
		b.closeTab(inst, tb)
	}
}

// close closes the page, disposes of its browser context and waits for the
// request guard. It can take a few hundred milliseconds.
func (tb *tab) close() {
	tb.cancel()
	tb.guard.Wait()
}

// openTab opens a page in a new browser context of inst and sets it up for
// a capture. The page lives until tab.close; ctx and timeout bound only the
// opening.
func (b *Browser) openTab(ctx context.Context, inst *instance, timeout time.Duration) (*tab, error) {
	tabCtx, cancel := chromedp.NewContext(inst.ctx, chromedp.WithNewBrowserContext())
	tb := &tab{ctx: tabCtx, cancel: cancel}
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	watchdog := time.AfterFunc(timeout, cancel)
	err := b.setupTab(tb)
	if !watchdog.Stop() && err == nil {
		err = context.DeadlineExceeded
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		tb.close()
		return nil, err
	}
	return tb, nil
}

// setupTab creates the page of tb and prepares it: every request of the
// page pauses until the guard lets it go (allowed host) or fails it, and
// WebSocket and WebRTC connections, which the interception cannot see, are
// disabled in every document before its own scripts run. A screenshot
// needs neither.
func (b *Browser) setupTab(tb *tab) error {
	if err := chromedp.Do(tb.ctx); err != nil {
		return err
	}
	paused := chromedp.Events(tb.ctx, fetch.RequestPaused)
	tb.guard.Go(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if allow := tb.allow.Load(); allow != nil && allow.allows(ev.Request.URL) {
				_, err = chromedp.Call(tb.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			} else {
				tb.blocked.Add(1)
				b.log.Debug("request blocked", "host", hostOf(ev.Request.URL), "resource", string(ev.ResourceType))
				_, err = chromedp.Call(tb.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}
			if err != nil && tb.ctx.Err() != nil {
				return
			}
		}
	})
	if _, err := chromedp.Call(tb.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return fmt.Errorf("intercept requests: %w", err)
	}
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: disableSockets, RunImmediately: new(true),
	}); err != nil {
		return fmt.Errorf("disable sockets: %w", err)
	}
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(int64(b.opts.Viewport.Width), int64(b.opts.Viewport.Height))); err != nil {
		return fmt.Errorf("viewport: %w", err)
	}
	return nil
}

// closeTab closes the tab of a finished capture in the background, so that
// the capture returns at once; stopping inst waits for it.
func (b *Browser) closeTab(inst *instance, tb *tab) {
	b.mu.Lock()
	if b.held > 0 && !inst.stopped && !b.closed {
		b.deferred = append(b.deferred, func() { b.closeTab(inst, tb) })
		b.mu.Unlock()
		return
	}
	if inst.stopped {
		b.mu.Unlock()
		tb.close()
		return
	}
	inst.closing.Go(tb.close)
	b.mu.Unlock()
}

// takeReady returns a tab opened in advance, waiting for one that is being
// opened unless other captures already wait for all of those; nil when
// there is none (the caller opens its own).
func (b *Browser) takeReady(ctx context.Context, inst *instance) *tab {
	b.mu.Lock()
	var tb *tab
	wait := false
	select {
	case tb = <-inst.ready:
	default:
		wait = inst.preparing > inst.waiting
		if wait {
			inst.waiting++
		}
	}
	b.mu.Unlock()
	if wait {
		defer func() {
			b.mu.Lock()
			inst.waiting--
			b.mu.Unlock()
		}()
		timer := time.NewTimer(b.opts.Timeout)
		defer timer.Stop()
		select {
		case tb = <-inst.ready:
		case <-ctx.Done():
		case <-inst.ctx.Done():
		case <-timer.C:
		}
	}
	if tb != nil && tb.ctx.Err() != nil {
		b.closeTab(inst, tb)
		return nil
	}
	return tb
}

// prepareTabs opens tabs for the next captures in the background, one for
// each capture that may run at once. The goroutines belong to inst:
// stopping inst waits for them.
func (b *Browser) prepareTabs(inst *instance) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held > 0 && !inst.stopped && !b.closed {
		b.deferred = append(b.deferred, func() { b.prepareTabs(inst) })
		return
	}
	for !inst.retired && !inst.stopped && len(inst.ready)+inst.preparing < b.opts.Tabs {
		inst.preparing++
		inst.prep.Go(func() {
			tb, err := b.openTab(inst.ctx, inst, b.opts.StartTimeout)
			if err != nil && inst.ctx.Err() == nil {
				b.log.Debug("could not open a tab in advance", "pid", inst.pid, "err", err)
			}
			b.mu.Lock()
			inst.preparing--
			// A nil tab tells a capture waiting for it to open its own.
			// The channel has room: ready and preparing together never
			// exceed Tabs.
			inst.ready <- tb
			b.mu.Unlock()
		})
	}
}

// Hold puts off the browser's background work — closing the tabs of
// finished captures and opening tabs for the next ones — until release is
// called (by every holder, when several hold it). The evidence maker holds
// the browser while it lays out and converts a flagged comment's PDF, so
// that the comment does not wait for Chromium's housekeeping; the work
// runs as soon as the PDF is committed. Calling release again does
// nothing.
func (b *Browser) Hold() (release func()) {
	b.mu.Lock()
	b.held++
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.held--
			var run []func()
			if b.held == 0 {
				run, b.deferred = b.deferred, nil
			}
			b.mu.Unlock()
			for _, f := range run {
				f()
			}
		})
	}
}

// Close stops the browser and waits for it. Captures running on it fail.
func (b *Browser) Close() error {
	b.mu.Lock()
	b.closed = true
	// Captures still running are cut short.
	for inst := range b.live {
		b.stopLocked(inst)
	}
	b.cur = nil
	b.mu.Unlock()
	b.stopping.Wait()
	return nil
}

// hostList is a set of allowed hosts.
type hostList struct {
	exact  map[string]bool // "host" or "host:port", lower case
	suffix []string        // ".example.com" for "*.example.com"
}

func parseHosts(hosts []string) hostList {
	l := hostList{exact: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
		case strings.HasPrefix(h, "*."):
			l.suffix = append(l.suffix, h[1:])
		default:
			l.exact[h] = true
		}
	}
	return l
}

// allows reports whether the browser may request rawURL. Inline data is
// always allowed; network URLs only over http(s) to an allowed host.
func (l hostList) allows(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob":
		return true
	case "http", "https":
	default:
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || u.User != nil {
		return false
	}
	if l.exact[host] || l.exact[strings.ToLower(u.Host)] {
		return true
	}
	for _, s := range l.suffix {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

func hostOf(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Host
	}
	return ""
}

// redactURL keeps the scheme and host of a URL for messages: the path and
// query of a permalink can name a person.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
