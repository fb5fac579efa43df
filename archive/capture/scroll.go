package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/memory"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ScrollOptions configure Browser.Scroll. Zero values take the defaults.
type ScrollOptions struct {
	// BandHeight is the height of one band in CSS pixels (default 1700:
	// at the viewport's width of 1280, about an A4 page).
	BandHeight int
	// Since ends the scroll after the first band that shows a date before
	// it, read from DateSelectors: the page has scrolled past the period.
	// Zero: the scroll goes on to the page's end.
	Since time.Time
	// MaxBands bounds the bands of one scroll (default 3000): a page that
	// never ends, or whose dates cannot be read, stops there.
	MaxBands int
	// NextSelector finds the link to the next, older page of a page that
	// is split into pages (default `a[rel="next"]`). The link is followed
	// when the page's end is reached and it names an allowed host.
	NextSelector string
	// DateSelectors find the dates on the page: elements with a datetime
	// attribute (ISO 8601) or a data-utime attribute (Unix seconds).
	// Default `time[datetime]` and `[data-utime]`.
	DateSelectors []string
	// Grow is how long the scroll waits at the end of a page for more
	// content to load, as pages that load older posts when scrolled to
	// their end do (default 2 s).
	Grow time.Duration
}

func (o ScrollOptions) withDefaults() ScrollOptions {
	if o.BandHeight <= 0 {
		o.BandHeight = 1700
	}
	if o.MaxBands <= 0 {
		o.MaxBands = 3000
	}
	if o.NextSelector == "" {
		o.NextSelector = `a[rel="next"]`
	}
	if len(o.DateSelectors) == 0 {
		o.DateSelectors = []string{`time[datetime]`, `[data-utime]`}
	}
	if o.Grow <= 0 {
		o.Grow = 2 * time.Second
	}
	return o
}

// purgeEvery is how many bands a scroll takes between two purges of the
// renderer's caches, besides one at each new page.
const purgeEvery = 10

// Band is one page-sized screenshot of a page being scrolled through.
type Band struct {
	PNG        []byte
	URL        string // the address of the document the band is of
	Title      string
	CapturedAt time.Time
	N          int // 1, 2, … over the whole scroll
	Document   int // 1 for the page at the address, 2 for the page its next link led to, …
	Top        int // where the band starts on its document, in CSS pixels
	Width      int // of the PNG, in pixels
	Height     int
}

// Scroll ends, as ScrollEnd.Reason says.
const (
	EndOfPage = "end"       // the last page ended and no more loaded
	EndSince  = "since"     // a band showed a date before ScrollOptions.Since
	EndBands  = "max_bands" // ScrollOptions.MaxBands were taken
)

// ScrollEnd tells how a scroll went.
type ScrollEnd struct {
	Bands     int
	Documents int
	Reason    string // EndOfPage, EndSince or EndBands
}

// Scroll captures the page at rawURL as a sequence of bands, each
// BandHeight tall and as wide as the viewport, from the top of the page
// down, and hands each to each as soon as it is taken, so that no more
// than one band is held at a time. The browser's window is one band tall
// and is scrolled band by band, which lets a page load what it loads on
// scrolling (older posts, lazy images) and keeps the browser's memory to
// what the page itself holds. At the end of the page the scroll waits up
// to Grow for the page to load more; when it does not, it follows the
// page's link to its next page (NextSelector), so a page split into pages
// is captured page after page, each a fresh document. The scroll ends at
// the last page's end, after the first band showing a date before Since, at
// MaxBands, or when each returns an error.
//
// Each step (loading a page, taking a band) has the Browser's Timeout; ctx
// bounds the whole scroll. The host rules and cookies are those of Page.
func (b *Browser) Scroll(ctx context.Context, rawURL string, o ScrollOptions, each func(Band) error) (ScrollEnd, error) {
	if !b.hosts.allows(rawURL) {
		return ScrollEnd{}, fmt.Errorf("%w: %s", ErrHostNotAllowed, redactURL(rawURL))
	}
	o = o.withDefaults()
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return ScrollEnd{}, ctx.Err()
	}
	defer func() { <-b.sem }()
	inst, err := b.acquire()
	if err != nil {
		return ScrollEnd{}, err
	}
	end, blocked, err := b.scrollOn(ctx, inst, rawURL, o, each)
	b.release(inst, err, blocked)
	if err != nil {
		return end, fmt.Errorf("capture: scroll: %w", err)
	}
	return end, nil
}

// scrollMeasure scrolls to y and measures the page: the viewport's width,
// the page's height and where the window really is.
const scrollMeasure = `(y) => {
	window.scrollTo(0, y);
	const de = document.documentElement, b = document.body;
	const h = Math.max(de.scrollHeight, b ? b.scrollHeight : 0, de.clientHeight);
	return [de.clientWidth || window.innerWidth, h, window.scrollY];
}`

// scrollDates returns the oldest date (Unix seconds, 0 for none) shown
// between top and bottom of the page, in document coordinates.
const scrollDates = `(top, bottom, sels) => {
	let oldest = 0;
	for (const s of sels) {
		let els = [];
		try { els = document.querySelectorAll(s); } catch (e) { continue; }
		for (const el of els) {
			const r = el.getBoundingClientRect();
			const t = r.top + window.scrollY;
			if (t < top || t >= bottom) continue;
			let v = 0;
			if (el.hasAttribute("datetime")) v = Date.parse(el.getAttribute("datetime")) / 1000;
			else if (el.hasAttribute("data-utime")) v = Number(el.getAttribute("data-utime"));
			if (v > 0 && (oldest === 0 || v < oldest)) oldest = v;
		}
	}
	return oldest;
}`

// scrollNext returns the address of the link to the next page, or "".
const scrollNext = `(sel) => {
	let el = null;
	try { el = document.querySelector(sel); } catch (e) {}
	return el && el.href ? el.href : "";
}`

func (b *Browser) scrollOn(ctx context.Context, inst *instance, rawURL string, o ScrollOptions, each func(Band) error) (end ScrollEnd, blocked int, err error) {
	tb, err := b.openTab(ctx, inst, b.opts.Timeout)
	if err != nil {
		return ScrollEnd{}, 0, fmt.Errorf("open tab: %w", err)
	}
	blocked0 := tb.blocked.Load()
	defer func() {
		blocked = int(tb.blocked.Load() - blocked0)
		b.closeTab(inst, tb)
	}()
	tb.uses++
	allow := b.hosts
	tb.allow.Store(&allow)

	// step runs one step under the Browser's time limit, derived from the
	// tab so that it closes this tab and nothing else.
	step := func(f func(ctx context.Context) error) error {
		runCtx, cancel := context.WithTimeout(tb.ctx, b.opts.Timeout)
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		if err := f(runCtx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		return nil
	}
	width := b.opts.Viewport.Width
	if err := step(func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(o.BandHeight)))
	}); err != nil {
		return ScrollEnd{}, 0, fmt.Errorf("viewport: %w", err)
	}
	load := func(u string) error {
		return step(func(ctx context.Context) error {
			if len(b.cookies) > 0 {
				if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: b.cookies}); err != nil {
					return fmt.Errorf("set cookies: %w", err)
				}
			}
			return chromedp.Do(ctx, chromedp.Navigate(u))
		})
	}
	// purge tells the page's renderer that memory is short, so that it
	// lets go of the images and scripts of the bands behind it.
	purge := func() error {
		return step(func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, memory.SimulatePressureNotification, memory.SimulatePressureNotificationParams{Level: memory.PressureLevelCritical})
			return err
		})
	}
	if err := load(rawURL); err != nil {
		return ScrollEnd{}, 0, fmt.Errorf("load: %w", err)
	}
	end.Documents = 1
	visited := map[string]bool{rawURL: true}
	sels, _ := json.Marshal(o.DateSelectors)
	nextSel, _ := json.Marshal(o.NextSelector)
	var title, loc string
	y := 0
	for {
		if end.Bands >= o.MaxBands {
			end.Reason = EndBands
			return end, 0, nil
		}
		var m [3]float64
		if err := step(func(ctx context.Context) error {
			var err error
			m, err = chromedp.Run(ctx, chromedp.Evaluate[[3]float64](fmt.Sprintf("(%s)(%d)", scrollMeasure, y)))
			return err
		}); err != nil {
			return end, 0, fmt.Errorf("measure the page: %w", err)
		}
		w, height := int(m[0]), int(m[1])
		if w <= 0 || w > width {
			w = width
		}
		if y >= height {
			// The page's end: a page split into pages links to the next
			// one; a page that loads more when scrolled to its end is
			// given Grow to do so.
			var next string
			if err := step(func(ctx context.Context) error {
				var err error
				next, err = chromedp.Run(ctx, chromedp.Evaluate[string]("("+scrollNext+")("+string(nextSel)+")"))
				return err
			}); err != nil {
				return end, 0, fmt.Errorf("next page: %w", err)
			}
			if next != "" && !visited[next] && b.hosts.allows(next) {
				visited[next] = true
				if err := load(next); err != nil {
					return end, 0, fmt.Errorf("load page %d: %w", end.Documents+1, err)
				}
				end.Documents++
				y = 0
				if err := purge(); err != nil {
					return end, 0, fmt.Errorf("purge: %w", err)
				}
				continue
			}
			grown, err := b.waitGrow(ctx, step, height, o.Grow)
			if err != nil {
				return end, 0, err
			}
			if grown {
				continue
			}
			end.Reason = EndOfPage
			return end, 0, nil
		}
		h := min(o.BandHeight, height-y)
		t0 := time.Now()
		// The window is at y unless the page's end is nearer than a
		// band; the clip is in the page's coordinates.
		var buf []byte
		var oldest float64
		if err := step(func(ctx context.Context) error {
			var err error
			buf, err = chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
				res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
					Format:           page.CaptureScreenshotFormatPng,
					FromSurface:      new(true),
					OptimizeForSpeed: new(true),
					Clip:             &page.Viewport{X: 0, Y: float64(y), Width: float64(w), Height: float64(h), Scale: 1},
				})
				return res.Data, err
			})
			if err != nil {
				return err
			}
			if title == "" || y == 0 {
				doc, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[[2]string](`[document.title, document.location.toString()]`))
				if err != nil {
					return err
				}
				title, loc = doc[0], doc[1]
			}
			if !o.Since.IsZero() {
				oldest, err = chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf("(%s)(%d, %d, %s)", scrollDates, y, y+h, sels)))
			}
			return err
		}); err != nil {
			return end, 0, fmt.Errorf("band %d: %w", end.Bands+1, err)
		}
		tShot := time.Now()
		cfg, err := png.DecodeConfig(bytes.NewReader(buf))
		if err != nil {
			return end, 0, fmt.Errorf("band %d is not a PNG: %w", end.Bands+1, err)
		}
		end.Bands++
		if err := each(Band{PNG: buf, URL: loc, Title: title, CapturedAt: time.Now(), N: end.Bands, Document: end.Documents,
			Top: y, Width: cfg.Width, Height: cfg.Height}); err != nil {
			return end, 0, err
		}
		b.log.Debug("band", "n", end.Bands, "document", end.Documents, "top", y, "png_bytes", len(buf),
			"shot", tShot.Sub(t0).Round(time.Millisecond), "each", time.Since(tShot).Round(time.Millisecond))
		buf = nil
		if end.Bands%purgeEvery == 0 {
			if err := purge(); err != nil {
				return end, 0, fmt.Errorf("purge: %w", err)
			}
		}
		if oldest > 0 && time.Unix(int64(oldest), 0).Before(o.Since) {
			end.Reason = EndSince
			return end, 0, nil
		}
		y += h
	}
}

// waitGrow scrolls to the page's end and waits up to d for the page to grow
// past height.
func (b *Browser) waitGrow(ctx context.Context, step func(func(context.Context) error) error, height int, d time.Duration) (bool, error) {
	deadline := time.Now().Add(d)
	for {
		var m [3]float64
		if err := step(func(ctx context.Context) error {
			var err error
			m, err = chromedp.Run(ctx, chromedp.Evaluate[[3]float64](fmt.Sprintf("(%s)(%d)", scrollMeasure, height)))
			return err
		}); err != nil {
			return false, fmt.Errorf("measure the page: %w", err)
		}
		if int(m[1]) > height {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
}
