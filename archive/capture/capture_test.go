package capture

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var soak = flag.Int("soak", 30, "captures made by TestMemoryStaysFlat (the figure for the closing note is -soak=500)")

func needChromium(t testing.TB) {
	t.Helper()
	if (Options{}).withDefaults().ExecPath == "" {
		testenv.Missing(t, "Chromium is not installed: run `make deps` (scripts/install-deps.sh)")
	}
}

// site is a test server that records the requests it gets.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	paths    []string
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (s *site) record(r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.Path)
	s.mu.Unlock()
}

func (s *site) got(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.paths, path)
}

func (s *site) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.paths)
}

func pngOf(c color.Color, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// newSites starts the platform's test server and another server that the
// browser must never reach.
func newSites(t *testing.T) (platform, other *site) {
	t.Helper()
	other = &site{}
	other.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		w.Write([]byte("other"))
	}))
	t.Cleanup(other.Close)

	platform = &site{}
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html><head><title>Testsida</title>
<script src="%[1]s/script.js"></script>
<style>body{margin:0;font-family:sans-serif} #red{width:400px;height:300px;background:#ff0000}</style></head>
<body><div id="red"></div>
<img id="green" src="/green.png" width="200" height="100" style="display:block">
<p class="comment">Kolla här: <a href="/followed">min sida</a> och <a href="%[1]s/elsewhere">den här</a></p>
<img src="%[1]s/tracker.png">
<iframe src="%[1]s/frame"></iframe>
<script>
try { new WebSocket("%[2]s/socket") } catch (e) {}
try { fetch("%[1]s/fetch") } catch (e) {}
try { navigator.sendBeacon("%[1]s/beacon", "x") } catch (e) {}
</script>
<div style="height:2000px"></div><p>slutet</p>
</body></html>`, other.URL, "ws"+other.URL[len("http"):])
	})
	mux.HandleFunc("/green.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngOf(color.RGBA{0, 200, 0, 255}, 200, 100))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		n := platform.inFlight.Add(1)
		defer platform.inFlight.Add(-1)
		for {
			m := platform.maxIn.Load()
			if n <= m || platform.maxIn.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Second)
		w.Write([]byte(`<!doctype html><title>slow</title><p>slow`))
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Minute):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	})
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>%s</title><p>kaka`, html.EscapeString(r.Header.Get("Cookie")))
	})
	mux.HandleFunc("/tall", func(w http.ResponseWriter, r *http.Request) {
		// 200 comments of 100 px, 20 000 px in all; c142 (at 14 200 px) is blue.
		fmt.Fprint(w, `<!doctype html><title>lång tråd</title><style>body{margin:0} .comment{height:90px;margin-bottom:10px;background:#ddd}
#comment-c142{background:#0000ff}</style>`)
		for i := range 200 {
			fmt.Fprintf(w, `<div class="comment" id="comment-c%d" data-comment-id="c%d">kommentar %d</div>`, i, i, i)
		}
	})
	mux.HandleFunc("/simple", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>enkel</title><div style="width:300px;height:200px;background:#f00"></div><p>Hej å ä ö`))
	})
	platform.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		platform.record(r)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(platform.Close)
	return platform, other
}

func hostPort(t testing.TB, s *httptest.Server) string {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func newBrowser(t *testing.T, platform *site, opts Options) *Browser {
	t.Helper()
	needChromium(t)
	opts.AllowedHosts = append(opts.AllowedHosts, hostPort(t, platform.Server))
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	b := New(opts)
	t.Cleanup(func() { b.Close() })
	return b
}

func decode(t *testing.T, shot Shot) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot.PNG))
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if got, want := img.Bounds().Dx(), shot.Width; got != want {
		t.Errorf("PNG width %d, Shot.Width %d", got, want)
	}
	if got, want := img.Bounds().Dy(), shot.Height; got != want {
		t.Errorf("PNG height %d, Shot.Height %d", got, want)
	}
	return img
}

func near(c color.Color, r, g, b uint8) bool {
	cr, cg, cb, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { x := int(a>>8) - int(b); return x > -40 && x < 40 }
	return d(cr, r) && d(cg, g) && d(cb, b)
}

func TestPage(t *testing.T) {
	platform, other := newSites(t)
	b := newBrowser(t, platform, Options{})
	ctx := context.Background()

	shot, err := b.Page(ctx, platform.URL+"/page")
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, shot)
	if got, want := shot.Width, 1280; got != want {
		t.Errorf("width = %d, want %d", got, want)
	}
	if shot.Height < 2300 {
		t.Errorf("height = %d, want the full page (≥ 2300)", shot.Height)
	}
	if c := img.At(100, 100); !near(c, 255, 0, 0) {
		t.Errorf("pixel in the red block = %v, want red", c)
	}
	if c := img.At(100, 350); !near(c, 0, 200, 0) {
		t.Errorf("pixel in the same-host image = %v, want green (allowed subresource loaded)", c)
	}
	if c := img.At(800, 100); !near(c, 255, 255, 255) {
		t.Errorf("pixel beside the red block = %v, want white", c)
	}
	if got, want := shot.Title, "Testsida"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := shot.URL, platform.URL+"/page"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if shot.CapturedAt.IsZero() {
		t.Error("CapturedAt is zero")
	}
	if n := other.count(); n != 0 {
		t.Errorf("the other host got %d requests (%v), want none", n, other.paths)
	}
	if platform.got("/followed") {
		t.Error("the link inside the comment was followed")
	}
	if got := b.Stats(); got.Blocked < 3 || got.Captures != 1 || got.Starts != 1 {
		t.Errorf("stats = %+v, want ≥ 3 blocked requests, 1 capture, 1 start", got)
	}
}

// TestTallPageIsClipped: a page taller than MaxHeight is captured in a
// window of MaxHeight around the comment its address points at, or from
// its top when it points at none.
func TestTallPageIsClipped(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	ctx := context.Background()
	const maxHeight = 3000 // the default, at a device pixel ratio of 1

	shot, err := b.Page(ctx, platform.URL+"/tall?comment_id=c142")
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, shot)
	if shot.Height > maxHeight || shot.Height < maxHeight-10 {
		t.Errorf("height = %d px of a 20 000 px page, want %d", shot.Height, maxHeight)
	}
	if !shot.Focused || shot.PageHeight < 20000 {
		t.Errorf("focused %v, page height %d; want the comment found on a 20 000 px page", shot.Focused, shot.PageHeight)
	}
	if c := img.At(100, shot.Height/2); !near(c, 0, 0, 255) {
		t.Errorf("pixel in the middle of the window = %v, want the blue comment", c)
	}
	if shot.Top < 14200-maxHeight || shot.Top > 14200 {
		t.Errorf("window starts at %d px, want it around the comment at 14 200 px", shot.Top)
	}

	shot, err = b.Page(ctx, platform.URL+"/tall")
	if err != nil {
		t.Fatal(err)
	}
	img = decode(t, shot)
	if shot.Height > maxHeight || shot.Top != 0 || shot.Focused {
		t.Errorf("no comment named: height %d, top %d, focused %v; want the top %d px", shot.Height, shot.Top, shot.Focused, maxHeight)
	}
	if c := img.At(100, 40); !near(c, 0xdd, 0xdd, 0xdd) {
		t.Errorf("pixel in the first comment = %v, want grey", c)
	}
}

func TestClipTop(t *testing.T) {
	tests := []struct {
		name                   string
		page, win, top, height int
		focused                bool
		want                   int
	}{
		{"not found", 20000, 3000, 14200, 90, false, 0},
		{"centred", 20000, 3000, 14200, 100, true, 14200 + 50 - 1500},
		{"near the top", 20000, 3000, 300, 100, true, 0},
		{"near the bottom", 20000, 3000, 19950, 50, true, 17000},
		{"taller than the window", 20000, 3000, 5000, 8000, true, 4700},
	}
	for _, tt := range tests {
		if got := clipTop(tt.page, tt.win, tt.top, tt.height, tt.focused); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestRefusedURLs(t *testing.T) {
	platform, other := newSites(t)
	b := newBrowser(t, platform, Options{})
	u, _ := url.Parse(platform.URL)
	tests := []struct {
		name string
		url  string
	}{
		{name: "other host", url: other.URL + "/page"},
		{name: "same host, other port", url: "http://127.0.0.1:1/page"},
		{name: "localhost for 127.0.0.1", url: "http://localhost:" + u.Port() + "/page"},
		{name: "file", url: "file:///etc/passwd"},
		{name: "javascript", url: "javascript:alert(1)"},
		{name: "credentials", url: "http://user:pw@" + u.Host + "/page"},
		{name: "not a URL", url: "%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.Page(context.Background(), tt.url); !errors.Is(err, ErrHostNotAllowed) {
				t.Errorf("Page(%q) = %v, want ErrHostNotAllowed", tt.url, err)
			}
		})
	}
	if got := b.Stats().Starts; got != 0 {
		t.Errorf("browser started %d times for refused URLs, want 0", got)
	}
	if other.count() != 0 {
		t.Error("the other host got a request")
	}
}

func TestRedirectToOtherHostIsBlocked(t *testing.T) {
	platform, other := newSites(t)
	b := newBrowser(t, platform, Options{})
	_, err := b.Page(context.Background(), platform.URL+"/redirect")
	if err == nil {
		t.Error("capture of a redirect to another host succeeded, want an error")
	}
	if other.count() != 0 {
		t.Errorf("the other host got %v, want no request", other.paths)
	}
}

func TestHTML(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	html := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>uppsikts vy</title>
<style>body{margin:0} .hit{background:#0000ff;display:block;width:500px;height:250px}</style></head>
<body><span class="hit"></span><p>Kommentar: &lt;script&gt;alert(1)&lt;/script&gt; å ä ö æ ø</p>
<img src="%s/green.png"><a href="%s/followed">länk</a></body></html>`, platform.URL, platform.URL)
	shot, err := b.HTML(context.Background(), []byte(html))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, shot)
	if c := img.At(100, 100); !near(c, 0, 0, 255) {
		t.Errorf("pixel in the blue block = %v, want blue", c)
	}
	if got, want := shot.Title, "uppsikts vy"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if n := platform.count(); n != 0 {
		t.Errorf("rendering uppsikt's own HTML made %d requests (%v), want none", n, platform.paths)
	}
}

func TestTabsBoundConcurrency(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{Tabs: 2})
	ctx := context.Background()
	if _, err := b.Page(ctx, platform.URL+"/simple"); err != nil { // warm up
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() { _, errs[i] = b.Page(ctx, platform.URL+"/slow") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("capture %d: %v", i, err)
		}
	}
	if got := platform.maxIn.Load(); got > 2 || got < 1 {
		t.Errorf("at most %d pages loaded at once, want 1..2 (Tabs)", got)
	} else {
		t.Logf("at most %d pages loaded at once with Tabs=2", got)
	}
}

func TestRestartAfterKill(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	ctx := context.Background()
	if _, err := b.Page(ctx, platform.URL+"/simple"); err != nil {
		t.Fatal(err)
	}
	pid := b.Stats().PID
	if pid == 0 {
		t.Fatal("no browser PID")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// No pause: the next capture may meet the dying browser, and must
	// still succeed.
	shot, err := b.Page(ctx, platform.URL+"/simple")
	if err != nil {
		t.Fatalf("capture after the browser was killed: %v", err)
	}
	if c := decode(t, shot).At(50, 50); !near(c, 255, 0, 0) {
		t.Errorf("pixel = %v, want red", c)
	}
	st := b.Stats()
	if st.PID == pid || st.PID == 0 {
		t.Errorf("PID after restart = %d, want a new browser (old %d)", st.PID, pid)
	}
	if st.Starts != 2 {
		t.Errorf("starts = %d, want 2", st.Starts)
	}
}

func TestRestartEvery(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{RestartEvery: 2})
	var pids []int
	for range 5 {
		if _, err := b.Page(context.Background(), platform.URL+"/simple"); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, b.Stats().PID)
	}
	if got, want := b.Stats().Starts, 3; got != want {
		t.Errorf("starts after 5 captures with RestartEvery=2 = %d, want %d", got, want)
	}
}

func TestTimeout(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{Timeout: 10 * time.Second})
	ctx := context.Background()
	_, err := b.Page(ctx, platform.URL+"/hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("capture of a hanging page = %v, want DeadlineExceeded", err)
	}
	if _, err := b.Page(ctx, platform.URL+"/simple"); err != nil {
		t.Errorf("capture after a timeout: %v", err)
	}
}

func TestCallerCancel(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	if _, err := b.Page(context.Background(), platform.URL+"/simple"); err != nil { // warm
		t.Fatal(err)
	}
	_, err := b.Page(ctx, platform.URL+"/hang")
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		t.Errorf("capture with a canceled caller = %v, want the context's error", err)
	}
	if got := b.Stats().Starts; got != 1 {
		t.Errorf("starts = %d, want 1 (a canceled caller is no crash)", got)
	}
}

func TestClose(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	if _, err := b.Page(context.Background(), platform.URL+"/simple"); err != nil {
		t.Fatal(err)
	}
	pid := b.Stats().PID
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Page(context.Background(), platform.URL+"/simple"); !errors.Is(err, ErrClosed) {
		t.Errorf("capture after Close = %v, want ErrClosed", err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !bytes.Contains(st, []byte(") Z")) {
			t.Errorf("browser %d still runs after Close", pid)
		}
	}
}

func TestHostList(t *testing.T) {
	l := parseHosts([]string{"www.facebook.com", "127.0.0.1:8081", "*.fbcdn.net", " Example.ORG "})
	tests := []struct {
		url  string
		want bool
	}{
		{"https://www.facebook.com/x", true},
		{"https://www.facebook.com:8443/x", true},
		{"https://WWW.FACEBOOK.COM/x", true},
		{"https://facebook.com/x", false},
		{"https://www.facebook.com.evil.example/x", false},
		{"http://127.0.0.1:8081/x", true},
		{"http://127.0.0.1:8082/x", false},
		{"https://scontent.xx.fbcdn.net/a.jpg", true},
		{"https://fbcdn.net/a.jpg", false},
		{"https://evilfbcdn.net/a.jpg", false},
		{"https://example.org/", true},
		{"data:image/png;base64,AAAA", true},
		{"ftp://www.facebook.com/", false},
		{"file:///etc/passwd", false},
		{"chrome://settings", false},
		{"https://u:p@www.facebook.com/", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := l.allows(tt.url); got != tt.want {
				t.Errorf("allows(%q) = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}

// TestMemoryStaysFlat makes many captures on one browser (no restart) and
// reports the memory of the browser's processes as it goes.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("many captures; skipped with -short")
	}
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{RestartEvery: 1 << 30})
	ctx := context.Background()
	n := *soak
	var warm Memory
	for i := 1; i <= n; i++ {
		if _, err := b.Page(ctx, platform.URL+"/page"); err != nil {
			t.Fatal(err)
		}
		if i == 10 || i%max(n/10, 1) == 0 {
			m, err := b.Memory()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("after %4d captures: %2d processes, RSS %4d MiB, PSS %4d MiB", i, m.Processes, m.RSS>>20, m.PSS>>20)
			if i == 10 {
				warm = m
			}
			if i > 10 && m.PSS > 0 && m.PSS > warm.PSS*3/2+64<<20 {
				t.Errorf("after %d captures PSS is %d MiB, after 10 it was %d MiB: memory grows", i, m.PSS>>20, warm.PSS>>20)
			}
		}
	}
	if got := b.Stats().Starts; got != 1 {
		t.Errorf("starts = %d, want 1", got)
	}
}

// BenchmarkPageWarm measures one capture with a warm browser and reports
// the median and 95th percentile: back to back, and with a pause between
// captures (as flagged comments arrive in production), which lets the tab of
// the next capture be opened in advance.
func BenchmarkPageWarm(b *testing.B) {
	needChromium(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>bench</title><div style="width:400px;height:300px;background:#f00"></div>` +
			`<p>Grannen på Storgatan 3 …</p><div style="height:1500px"></div>`))
	}))
	defer srv.Close()
	for _, pause := range []time.Duration{0, time.Second} {
		b.Run("pause="+pause.String(), func(b *testing.B) {
			br := New(Options{AllowedHosts: []string{hostPort(b, srv)}, Logger: benchLogger()})
			defer br.Close()
			ctx := context.Background()
			if _, err := br.Page(ctx, srv.URL); err != nil { // start the browser
				b.Fatal(err)
			}
			var took []time.Duration
			for b.Loop() {
				if pause > 0 {
					b.StopTimer()
					time.Sleep(pause)
					b.StartTimer()
				}
				t0 := time.Now()
				if _, err := br.Page(ctx, srv.URL); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(took[min(len(took)*95/100, len(took)-1)].Milliseconds()), "p95-ms")
		})
	}
}

func benchLogger() *slog.Logger {
	if os.Getenv("CAPTURE_BENCH_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func TestCookies(t *testing.T) {
	platform, _ := newSites(t)
	in := `[{"name":"c_user","value":"1000","domain":"127.0.0.1","path":"/","secure":false,"httpOnly":true,"expirationDate":4102444800},
{"name":"xs","value":"tok","domain":"127.0.0.1","expires":-1},
{"name":"tracker","value":"x","domain":".other.example"}]`
	path := filepath.Join(t.TempDir(), "cookies.json")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	cookies, err := LoadCookies(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cookies), 3; got != want {
		t.Fatalf("LoadCookies: got %d cookies, want %d", got, want)
	}
	if got, want := cookies[0].Expires, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("expirationDate: got %v, want %v", got, want)
	}
	if !cookies[1].Expires.IsZero() {
		t.Errorf("expires -1: got %v, want a session cookie", cookies[1].Expires)
	}
	tests := []struct {
		name    string
		cookies []Cookie
		want    string
	}{
		{"with the cookies of the platform's host", cookies, "c_user=1000; xs=tok"},
		{"without cookies", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, platform, Options{Cookies: tt.cookies})
			for i := range 2 { // every capture's fresh context gets them
				shot, err := b.Page(context.Background(), platform.URL+"/cookie")
				if err != nil {
					t.Fatal(err)
				}
				if shot.Title != tt.want {
					t.Errorf("capture %d: the page got the cookies %q, want %q", i+1, shot.Title, tt.want)
				}
			}
		})
	}
}

func TestLoadCookiesRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not an array", `{"name":"a"}`},
		{"no domain", `[{"name":"a","value":"b"}]`},
		{"no name", `[{"value":"b","domain":"www.facebook.com"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cookies.json")
			if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadCookies(path); err == nil {
				t.Errorf("LoadCookies(%s): got no error, want one", tt.in)
			}
		})
	}
	if _, err := LoadCookies(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadCookies of a missing file: got no error, want one")
	}
}

func TestCoversDomain(t *testing.T) {
	l := parseHosts([]string{"www.facebook.com", "127.0.0.1:8081", "*.fbcdn.net"})
	tests := []struct {
		domain string
		want   bool
	}{
		{".facebook.com", true},
		{"www.facebook.com", true},
		{"facebook.com", true},
		{"m.facebook.com", false},
		{"127.0.0.1", true},
		{".fbcdn.net", true},
		{"scontent.xx.fbcdn.net", true},
		{"com", false},
		{".evil.example", false},
		{"notfacebook.com", false},
	}
	for _, tt := range tests {
		if got := l.coversDomain(tt.domain); got != tt.want {
			t.Errorf("coversDomain(%q): got %v, want %v", tt.domain, got, tt.want)
		}
	}
}

// TestHoldPutsOffHousekeeping takes a capture while the browser is held:
// closing its tab and opening the next ones wait until the release, and
// then run; captures after it still work.
func TestHoldPutsOffHousekeeping(t *testing.T) {
	platform, _ := newSites(t)
	b := newBrowser(t, platform, Options{})
	ctx := context.Background()
	if _, err := b.Page(ctx, platform.URL+"/page"); err != nil { // warm
		t.Fatal(err)
	}
	release := b.Hold()
	again := b.Hold()
	if _, err := b.Page(ctx, platform.URL+"/page"); err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.deferred)
	}
	if n := waiting(); n == 0 {
		t.Fatal("a capture while held left no housekeeping waiting, want its tab's close and the next tabs' opening")
	}
	release()
	release() // a second call does nothing
	if n := waiting(); n == 0 {
		t.Fatal("the housekeeping ran while another holder still held the browser")
	}
	again()
	if n := waiting(); n != 0 {
		t.Errorf("after the last release %d pieces of housekeeping still wait, want none", n)
	}
	if _, err := b.Page(ctx, platform.URL+"/page"); err != nil {
		t.Fatalf("capture after the release: %v", err)
	}
}
