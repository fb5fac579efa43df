package evidencepdf

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// treePSS returns the proportional set size, in MiB, of the process pid and
// all its descendants (Chromium runs as many processes).
func treePSS(pid int) float64 {
	m, _ := capture.TreeMemory(pid)
	return float64(m.PSS) / (1 << 20)
}

// BenchmarkFlaggedToCommitted measures one flagged comment's evidence with
// a warm browser: both captures, the PDF/A-3b and the store. It reports
// p50 and p95 of the whole, the p50 of each phase (reading the store and
// rendering the view, the two captures, the fpdf layout, Ghostscript, the
// store), the PDF size and the browser's memory (PSS of its process tree)
// before and after.
//
// Two arrival patterns: "spaced", flagged comments arriving one at a time
// with the browser idle for two seconds in between (not timed), as they do
// on a municipality's pages, so the tabs the capturer prepares in the
// background are ready; and "burst", one right after the other, so that
// preparing and closing tabs competes with the next comment's layout and
// Ghostscript for the CPU.
// Run: go test -run '^$' -bench FlaggedToCommitted -benchtime 15x ./archive/evidencepdf
// (250 iterations are 500 captures).
func BenchmarkFlaggedToCommitted(b *testing.B) {
	b.Run("arrivals=spaced", func(b *testing.B) { benchFlagged(b, 2*time.Second) })
	b.Run("arrivals=burst", func(b *testing.B) { benchFlagged(b, 0) })
}

func benchFlagged(b *testing.B, gap time.Duration) {
	testenv.NeedTools(b, "chromium", "gs")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body style="font-family:sans-serif"><h1>Gruvbergs kommun</h1>`)
		for i := range 12 {
			fmt.Fprintf(w, `<div style="border:1px solid #ccc;margin:8px;padding:8px"><b>Besökare %d</b><p>Kommentar nummer %d om snöröjningen på Storgatan.</p></div>`, i, i)
		}
		fmt.Fprint(w, `</body></html>`)
	}))
	defer page.Close()
	f := newFixture(b, page.URL+"/web/100/posts/100_1?comment_id=100_1_2")
	br := capture.New(capture.Options{AllowedHosts: []string{strings.TrimPrefix(page.URL, "http://")}})
	defer br.Close()
	m := New(Options{Store: f.st, Dir: f.dir, Browser: br, Municipality: "Gruvbergs kommun"})
	ctx := context.Background()
	// Warm the browser.
	if _, err := m.Make(ctx, Request{CommentID: f.commentID, RegisterNumber: "KS 2026/0001"}); err != nil {
		b.Fatal(err)
	}
	memStart := treePSS(br.Stats().PID)
	var total, load, capt, layout, gs, store []time.Duration
	var size int64
	b.ResetTimer()
	for i := range b.N {
		if gap > 0 {
			b.StopTimer()
			time.Sleep(gap)
			b.StartTimer()
		}
		start := time.Now()
		res, err := m.Make(ctx, Request{CommentID: f.commentID, RegisterNumber: fmt.Sprintf("KS 2026/%04d", i+2)})
		if err != nil {
			b.Fatal(err)
		}
		total = append(total, time.Since(start))
		load = append(load, res.Timings.Load)
		capt = append(capt, res.Timings.Capture)
		layout = append(layout, res.Timings.Layout)
		gs = append(gs, res.Timings.Convert)
		store = append(store, res.Timings.Store)
		size = res.PDF.Size
		if res.CaptureFailure != "" {
			b.Fatalf("capture failed: %s", res.CaptureFailure)
		}
		if !res.PDFA {
			b.Fatalf("PDF/A conversion failed: %s", res.PDFAFailure)
		}
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Milliseconds())
	}
	memEnd := treePSS(br.Stats().PID)
	b.ReportMetric(pct(total, 0.5), "p50-ms")
	b.ReportMetric(pct(total, 0.95), "p95-ms")
	b.ReportMetric(pct(load, 0.5), "load-p50-ms")
	b.ReportMetric(pct(capt, 0.5), "capture-p50-ms")
	b.ReportMetric(pct(layout, 0.5), "layout-p50-ms")
	b.ReportMetric(pct(gs, 0.5), "gs-p50-ms")
	b.ReportMetric(pct(store, 0.5), "store-p50-ms")
	b.ReportMetric(float64(size)/1024, "pdf-KiB")
	b.ReportMetric(memStart, "browser-start-MiB")
	b.ReportMetric(memEnd, "browser-end-MiB")
	st := br.Stats()
	b.ReportMetric(float64(st.Starts), "browser-starts")
}

// BenchmarkBrowserMemory takes the two captures of an evidence PDF (the
// live page and the evidence view) b.N times on one warm browser that is
// not restarted, and reports the browser's memory (PSS of its process
// tree) after the warm-up and at the end.
// Run: go test -run '^$' -bench BrowserMemory -benchtime 250x ./archive/evidencepdf
func BenchmarkBrowserMemory(b *testing.B) {
	testenv.NeedTools(b, "chromium")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body style="font-family:sans-serif"><h1>Gruvbergs kommun</h1>`)
		for i := range 12 {
			fmt.Fprintf(w, `<div style="border:1px solid #ccc;margin:8px;padding:8px"><b>Besökare %d</b><p>Kommentar %d.</p></div>`, i, i)
		}
		fmt.Fprint(w, `</body></html>`)
	}))
	defer page.Close()
	f := newFixture(b, page.URL+"/web/100/posts/100_1?comment_id=100_1_2")
	br := capture.New(capture.Options{AllowedHosts: []string{strings.TrimPrefix(page.URL, "http://")}, RestartEvery: 100000})
	defer br.Close()
	m := New(Options{Store: f.st, Dir: f.dir, Browser: br})
	ctx := context.Background()
	ev, view, err := m.load(ctx, Request{CommentID: f.commentID})
	if err != nil {
		b.Fatal(err)
	}
	html, err := RenderView(view)
	if err != nil {
		b.Fatal(err)
	}
	for range 5 { // warm-up
		if shots, fail := m.capture(ctx, ev.PermalinkURL, html); fail != "" || len(shots) != 2 {
			b.Fatalf("capture: %s", fail)
		}
	}
	start := treePSS(br.Stats().PID)
	b.ResetTimer()
	for range b.N {
		if shots, fail := m.capture(ctx, ev.PermalinkURL, html); fail != "" || len(shots) != 2 {
			b.Fatalf("capture: %s", fail)
		}
	}
	b.StopTimer()
	st := br.Stats()
	b.ReportMetric(start, "browser-start-MiB")
	b.ReportMetric(treePSS(st.PID), "browser-end-MiB")
	b.ReportMetric(float64(st.Captures), "captures")
	b.ReportMetric(float64(st.Starts), "browser-starts")
}
