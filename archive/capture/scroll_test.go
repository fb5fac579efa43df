package capture

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// stripes serves pages of five 1000 px stripes, each page linking to the
// next (three in all) with rel="next"; /grow is one page that adds a stripe
// each time its end comes into view, four times; /dated has a date on
// each stripe, a month apart, newest first.
func stripes(t *testing.T) *site {
	t.Helper()
	colour := func(k int) string { return fmt.Sprintf("rgb(%d,%d,128)", k*15, 255-k*15) }
	s := &site{}
	mux := http.NewServeMux()
	mux.HandleFunc("/pages", func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("p"))
		fmt.Fprintf(w, `<!doctype html><title>sida %d</title><style>body{margin:0} div{height:1000px}</style>`, p)
		for i := range 5 {
			fmt.Fprintf(w, `<div style="background:%s"></div>`, colour(p*5+i))
		}
		if p < 2 {
			fmt.Fprintf(w, `<a rel="next" href="/pages?p=%d" style="display:none">äldre</a>`, p+1)
		}
	})
	mux.HandleFunc("/grow", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>växer</title><style>body{margin:0} div{height:1000px}</style>
<div style="background:%s"></div><p id="more" style="margin:0;height:0"></p><script>
let n = 1;
const more = document.getElementById("more");
new IntersectionObserver(es => {
	if (n < 5 && es.some(e => e.isIntersecting)) {
		const d = document.createElement("div"); d.style.background = "rgb(" + (n*15) + "," + (255-n*15) + ",128)";
		more.before(d); n++;
	}
}, {rootMargin: "200px"}).observe(more);
</script>`, colour(0))
	})
	mux.HandleFunc("/dated", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>daterad</title><style>body{margin:0} article{height:1000px}</style>`)
		for i := range 10 {
			at := time.Date(2025, time.Month(12-i), 10, 12, 0, 0, 0, time.UTC)
			fmt.Fprintf(w, `<article><time datetime="%s">%s</time></article>`, at.Format(time.RFC3339), at.Format(time.DateOnly))
		}
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestScroll(t *testing.T) {
	srv := stripes(t)
	b := newBrowser(t, srv, Options{})
	ctx := context.Background()
	tests := []struct {
		name          string
		path          string
		opts          ScrollOptions
		wantBands     int
		wantDocuments int
		wantReason    string
	}{
		// 5000 px a page: bands at 0, 1700 and 3400 (1600 tall), three pages.
		{name: "pages", path: "/pages?p=0", wantBands: 9, wantDocuments: 3, wantReason: EndOfPage},
		// 1000 px growing to 5000 px as it is scrolled.
		{name: "loads more", path: "/grow", opts: ScrollOptions{BandHeight: 1000}, wantBands: 5, wantDocuments: 1, wantReason: EndOfPage},
		// Dates from December back: the band with 2025-08-10 (at 4000 px) is the last.
		{name: "since", path: "/dated", opts: ScrollOptions{BandHeight: 1000, Since: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
			wantBands: 5, wantDocuments: 1, wantReason: EndSince},
		{name: "max bands", path: "/pages?p=0", opts: ScrollOptions{MaxBands: 4}, wantBands: 4, wantDocuments: 2, wantReason: EndBands},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bands []Band
			end, err := b.Scroll(ctx, srv.URL+tt.path, tt.opts, func(bd Band) error {
				bands = append(bands, bd)
				return nil
			})
			if err != nil {
				t.Fatalf("Scroll: %v", err)
			}
			if end.Bands != tt.wantBands || end.Documents != tt.wantDocuments || end.Reason != tt.wantReason {
				t.Errorf("end: got %+v, want %d bands, %d documents, %s", end, tt.wantBands, tt.wantDocuments, tt.wantReason)
			}
			if len(bands) != end.Bands {
				t.Fatalf("%d bands handed over, end says %d", len(bands), end.Bands)
			}
			band := max(tt.opts.BandHeight, 0)
			if band == 0 {
				band = 1700
			}
			for i, bd := range bands {
				img, err := png.Decode(bytes.NewReader(bd.PNG))
				if err != nil {
					t.Fatalf("band %d: %v", i+1, err)
				}
				if bd.N != i+1 || img.Bounds().Dy() != bd.Height || bd.Width != 1280 {
					t.Errorf("band %d: N %d, %d×%d (PNG %d high)", i+1, bd.N, bd.Width, bd.Height, img.Bounds().Dy())
				}
				if bd.Height > band {
					t.Errorf("band %d is %d px high, more than a band", i+1, bd.Height)
				}
				if tt.path == "/dated" {
					continue
				}
				// The band shows the page from its Top: the stripe there.
				k := (bd.Document-1)*5 + (bd.Top+5)/1000
				if c := img.At(10, 5); !near(c, uint8(k*15), uint8(255-k*15), 128) {
					t.Errorf("band %d (document %d, top %d): colour %v at its top, want stripe %d", i+1, bd.Document, bd.Top, c, k)
				}
			}
		})
	}

	// A host that is not allowed is refused before anything is loaded.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	if _, err := b.Scroll(ctx, other.URL+"/x", ScrollOptions{}, func(Band) error { return nil }); err == nil {
		t.Errorf("Scroll of a host not allowed: no error")
	}
	// An error from each ends the scroll with it.
	stop := fmt.Errorf("enough")
	if _, err := b.Scroll(ctx, srv.URL+"/pages?p=0", ScrollOptions{}, func(Band) error { return stop }); err == nil {
		t.Errorf("Scroll whose each fails: no error")
	}
}
