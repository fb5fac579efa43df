package snapshot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(context.Background(), moderation.Account{Key: "fb", Platform: moderation.Facebook,
		PlatformID: "1094810000000001", Name: "Gruvbergs kommun", Owners: []string{"Åsa Öberg"}, Substitutes: []string{"Per Ärlig"}}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	return st
}

var year2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// fixture stores three posts: in January, March and one from 2024 that the
// snapshot of 2025 must leave out. The March post has a comment removed
// after review (with a register entry), a disposed one, a reply, and one
// that is no longer on the platform.
type fixture struct {
	removedText, disposedText, goneText string
}

func seed(t *testing.T, st *sqlite.Store) fixture {
	t.Helper()
	ctx := context.Background()
	fx := fixture{removedText: "Grannen heter Örjan och bor på Storgatan 3", disposedText: "Bra jobbat med snöröjningen",
		goneText: "Jag tar bort den här själv sen"}
	post := func(id, msg string, at time.Time) {
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: id, Message: msg, CreatedAt: at,
			Author: moderation.Author{ID: "1094810000000001", Name: "Gruvbergs kommun"}, PermalinkURL: "https://example.test/web/1/posts/" + id}); err != nil {
			t.Fatalf("SavePost: %v", err)
		}
	}
	comment := func(post, id, parent, msg string, at time.Time) int64 {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: post, PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: "u" + id, Name: "Anna Lindqvist"}, Message: msg, CreatedAt: at, Source: moderation.SourcePoll, SeenAt: at})
		if err != nil {
			t.Fatalf("RecordComment: %v", err)
		}
		return r.CommentID
	}
	post("1_old", "Gammalt inlägg från december", time.Date(2024, 12, 30, 12, 0, 0, 0, time.UTC))
	post("1_jan", "Biblioteket har nya öppettider i januari – välkomna!", time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC))
	comment("1_jan", "c1", "", "Tack för informationen, så bra med längre öppettider på lördagar!", time.Date(2025, 1, 10, 10, 0, 0, 0, time.UTC))
	post("1_mar", "Snöröjningen är igång på alla gator i Gruvberg", time.Date(2025, 3, 3, 7, 0, 0, 0, time.UTC))
	removed := comment("1_mar", "c2", "", fx.removedText, time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC))
	comment("1_mar", "c3", "c2", "Håller med, äntligen!", time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	comment("1_mar", "c4", "", fx.disposedText, time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC)) // seen before the cutoff
	comment("1_mar", "c5", "", fx.goneText, time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC))
	items, _ := st.PendingWork(ctx, time.Time{}, 0)
	for _, it := range items {
		st.CompleteWork(ctx, it.ID)
	}
	if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2025, CommentID: removed, Reason: "personuppgifter"},
		func(y, n int) string { return fmt.Sprintf("KS %d/%04d", y, n) }); err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: "fb", PlatformID: "c2", State: moderation.StateDeleted,
		At: time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), Source: moderation.SourceAction}); err != nil {
		t.Fatalf("RecordStateChange: %v", err)
	}
	d, err := st.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "fb", Rule: "test", Cutoff: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil || d.Items != 1 {
		t.Fatalf("DisposeCommentText: %d items, %v; want 1", d.Items, err)
	}
	return fx
}

// platform is what the platform still shows, by post: the snapshot's
// view of the live platform in these tests.
type platform map[string]map[string]string

var errGone = fmt.Errorf("post gone")

func (p platform) Thread(_ context.Context, _ moderation.Account, postID string) (map[string]string, error) {
	m, ok := p[postID]
	if !ok {
		return nil, errGone
	}
	return m, nil
}

func (p platform) Gone(err error) bool { return err == errGone }

func TestSnapshotPDFA(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdffonts", "pdftotext", "pdfinfo", "pdfimages")
	needChromium(t)
	st := openStore(t)
	fx := seed(t, st)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Gruvbergs kommun</title></head><body style="margin:0">
			<div style="height:400px;background:#c01414">Gruvbergs kommun</div><div style="height:1800px;background:#fff">flöde</div>
			<time datetime="2025-03-01T10:00:00Z">1 mars 2025</time></body></html>`)
	}))
	defer srv.Close()
	br := capture.New(capture.Options{AllowedHosts: []string{strings.TrimPrefix(srv.URL, "http://")}})
	defer br.Close()

	sto, _ := time.LoadLocation("Europe/Stockholm")
	live := platform{
		"1_jan": {"c1": "Tack för informationen, så bra med längre öppettider på lördagar!"},
		"1_mar": {"c3": "Håller med, äntligen!", "c4": "x"},
	}
	var progress []Progress
	var mu sync.Mutex
	w := New(Options{Store: st, Capture: br, Live: live, Location: sto, Now: func() time.Time { return time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC) },
		Progress: func(p Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }})
	from, to := Year(2025, sto)
	out := filepath.Join(t.TempDir(), "fb-2025.pdf")
	res, err := w.Write(context.Background(), Request{AccountKey: "fb", Kind: moderation.SnapshotYearly, From: from, To: to, Out: out,
		PageURLs: []string{srv.URL + "/web/1094810000000001"}})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if res.Posts != 2 || res.Comments != 5 || res.Removed != 1 || res.Disposed != 1 || res.FromPlatform != 2 || res.FromStore != 1 || res.Screenshots != 2 {
		t.Errorf("result: got %+v, want 2 posts, 5 comments, 1 removed, 1 disposed, 2 from the platform, 1 from the store, 2 screenshots", res)
	}
	if len(progress) == 0 || progress[len(progress)-1].Fraction != 1 {
		t.Errorf("progress: got %d reports, want some ending at 1", len(progress))
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	for _, re := range []string{`pdfaid:part(='2'|="2"|>2<)`, `pdfaid:conformance(='B'|="B"|>B<)`, `/OutputIntents\s*\[\s*\d+ 0 R`,
		`/S\s*/GTS_PDFA1`, `trailer\s*<<(?s:.*?)/ID\s*\[\s*(?:<[0-9A-Fa-f]+>|\((?:\\.|[^\\)])*\))\s*(?:<[0-9A-Fa-f]+>|\((?:\\.|[^\\)])*\))\s*\]`} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("PDF lacks %s", re)
		}
	}
	fonts := strings.Split(strings.TrimSpace(run(t, "pdffonts", out)), "\n")
	if len(fonts) < 3 {
		t.Fatalf("pdffonts lists no fonts: %v", fonts)
	}
	for _, l := range fonts[2:] {
		f := strings.Fields(l)
		if len(f) < 6 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %s", l)
		}
	}
	info := run(t, "pdfinfo", out)
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil || m[1] != strconv.Itoa(res.Pages) {
		t.Errorf("pdfinfo pages: got %v, want %d", m, res.Pages)
	}
	// The cover tells how the layout was taken.
	cover := strings.Join(strings.Fields(run(t, "pdftotext", "-enc", "UTF-8", "-l", "1", out, "-")), " ")
	if want := "togs som 2 skärmbilder över 1 sidor av flödet, till flödets slut"; !strings.Contains(cover, want) {
		t.Errorf("cover lacks %q:\n%s", want, cover)
	}
	// The 2,200 px page is two bands, each an image on a page of its own.
	if imgs := layoutImages(t, out); len(imgs) != 2 || imgs[0] == imgs[1] {
		t.Errorf("layout images on pages %v, want two on two pages", imgs)
	}
	text := run(t, "pdftotext", "-enc", "UTF-8", out, "-")
	for _, want := range []string{"Ögonblicksbild av Gruvbergs kommun", "2025 – årlig ögonblicksbild", "Åsa Öberg", "Per Ärlig",
		"Biblioteket har nya öppettider i januari – välkomna!", "Håller med, äntligen!", "så bra med längre öppettider på lördagar",
		"Borttagen efter granskning. Se diarienummer KS 2025/0001.", "Texten är gallrad enligt informationshanteringsplanen.",
		fx.goneText, "ur uppsikts arkiv – finns inte längre på plattformen", "Manifest", "Skärmbild 1: Gruvbergs kommun", "Skärmbild 2: Gruvbergs kommun",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	for _, absent := range []string{fx.removedText, fx.disposedText, "Gammalt inlägg från december"} {
		if strings.Contains(text, absent) {
			t.Errorf("pdftotext output has %q, want it absent", absent)
		}
	}
	// The table of contents gives the page where each month begins.
	toc := run(t, "pdftotext", "-enc", "UTF-8", "-layout", "-f", "2", "-l", "2", out, "-")
	if !regexp.MustCompile(`Februari\s+–`).MatchString(toc) {
		t.Errorf("table of contents: a month without posts has no dash:\n%s", toc)
	}
	for _, month := range []string{"Januari", "Mars"} {
		mm := regexp.MustCompile(month + ` \(1 inlägg\)\s+(\d+)`).FindStringSubmatch(toc)
		if mm == nil {
			t.Errorf("table of contents has no page for %s", month)
			continue
		}
		page := run(t, "pdftotext", "-enc", "UTF-8", "-f", mm[1], "-l", mm[1], out, "-")
		if !strings.Contains(page, month+" 2025") {
			t.Errorf("page %s, listed for %s, does not have its heading:\n%s", mm[1], month, page)
		}
	}
	recs, err := st.Snapshots(context.Background(), "fb")
	if err != nil || len(recs) != 1 || recs[0].SHA256 != res.Record.SHA256 || recs[0].Pages != res.Pages {
		t.Errorf("recorded snapshots: got %+v, %v; want the one written", recs, err)
	}
}

func TestOrderThread(t *testing.T) {
	at := func(m int) time.Time { return year2025.Add(time.Duration(m) * time.Minute) }
	cs := []moderation.ArchivedComment{
		{Comment: moderation.Comment{ID: 1, PlatformID: "b", CreatedAt: at(2)}},
		{Comment: moderation.Comment{ID: 2, PlatformID: "a", CreatedAt: at(1)}},
		{Comment: moderation.Comment{ID: 3, PlatformID: "a2", ParentID: "a", CreatedAt: at(5)}},
		{Comment: moderation.Comment{ID: 4, PlatformID: "a1", ParentID: "a", CreatedAt: at(3)}},
		{Comment: moderation.Comment{ID: 5, PlatformID: "x", ParentID: "unknown", CreatedAt: at(9)}},
	}
	var got []string
	for _, e := range orderThread(cs) {
		got = append(got, fmt.Sprintf("%s/%d", e.c.PlatformID, e.depth))
	}
	if want := "a/0 a1/1 a2/1 b/0 x/0"; strings.Join(got, " ") != want {
		t.Errorf("order: got %s, want %s", strings.Join(got, " "), want)
	}
}

func TestScheduleDue(t *testing.T) {
	sto, _ := time.LoadLocation("Europe/Stockholm")
	s := Schedule{Location: sto}
	from, to := Year(2025, sto)
	taken := []moderation.SnapshotRecord{{Kind: moderation.SnapshotYearly, From: from, To: to}}
	tests := []struct {
		name     string
		now      time.Time
		taken    []moderation.SnapshotRecord
		wantYear int
		wantDue  bool
	}{
		{"before the day", time.Date(2026, 1, 14, 22, 0, 0, 0, time.UTC), nil, 0, false},
		{"on the day, local time", time.Date(2026, 1, 14, 23, 30, 0, 0, time.UTC), nil, 2025, true},
		{"later in the year", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil, 2025, true},
		{"already taken", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), taken, 2025, false},
		{"closing snapshot does not count", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			[]moderation.SnapshotRecord{{Kind: moderation.SnapshotClosing, From: from, To: to}}, 2025, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, due := s.Due(tt.now, tt.taken)
			if y != tt.wantYear || due != tt.wantDue {
				t.Errorf("Due: got %d, %v; want %d, %v", y, due, tt.wantYear, tt.wantDue)
			}
		})
	}
	if got, want := s.Next(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)), time.Date(2027, 1, 15, 0, 0, 0, 0, sto); !got.Equal(want) {
		t.Errorf("Next: got %v, want %v", got, want)
	}
}

// fill stores posts posts of the year 2025 with perPost comments each (a
// fifth of them replies), in a few large transactions' worth of calls.
func fill(t testing.TB, st *sqlite.Store, posts, perPost int, extra ...string) {
	t.Helper()
	ctx := context.Background()
	span := 365 * 24 * time.Hour
	texts := []string{"Tack för snabbt svar, det uppskattas verkligen!", "När öppnar badhuset igen efter renoveringen?",
		"Snöröjningen på Björkvägen är inte gjord än, hur länge ska vi vänta?", "Håller med, bra initiativ för barnfamiljer i kommunen.",
		"Kan ni förtydliga vad som gäller för återvinningscentralen på lördagar? Det står olika på hemsidan och i tidningen."}
	texts = append(texts, extra...)
	for p := range posts {
		at := year2025.Add(time.Duration(int64(span) / int64(posts) * int64(p)))
		id := fmt.Sprintf("1_%d", p)
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: id, CreatedAt: at,
			Message:      fmt.Sprintf("Inlägg %d: information från Gruvbergs kommun om veckans händelser, öppettider och vägarbeten.", p),
			Author:       moderation.Author{ID: "1094810000000001", Name: "Gruvbergs kommun"},
			PermalinkURL: "https://example.test/web/1/posts/" + id, Raw: []byte(`{"id":"` + id + `"}`)}); err != nil {
			t.Fatal(err)
		}
		for c := range perPost {
			parent := ""
			if c%5 == 4 {
				parent = fmt.Sprintf("%d_%d", p, c-1)
			}
			cat := at.Add(time.Duration(c+1) * time.Minute)
			if _, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: id, PlatformID: fmt.Sprintf("%d_%d", p, c),
				ParentID: parent, Author: moderation.Author{ID: fmt.Sprint("u", c), Name: "Medborgare " + strconv.Itoa(c)},
				Message: texts[(p+c)%len(texts)], CreatedAt: cat, SeenAt: cat, Source: moderation.SourceBackfill}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// peakHeap samples the live Go heap (what the last collection found
// reachable) while fn runs and returns the largest value. Garbage not yet
// collected does not count, so the figure does not depend on how far the
// collector falls behind on a busy machine; a low GC target makes
// collections, and so samples, frequent.
func peakHeap(fn func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak
}

// TestSnapshotMemoryBounded writes snapshots of a year sixteen times larger
// than another with the same part size, and checks that the heap does not
// grow with the year: the document is streamed through parts on disk.
func TestSnapshotMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two large snapshots; skipped with -short")
	}
	testenv.NeedTools(t, "gs")
	heap := map[int]uint64{}
	for _, posts := range []int{100, 1600} {
		st := openStore(t)
		fill(t, st, posts, 10)
		w := New(Options{Store: st, PostsPerPart: 50})
		from, to := Year(2025, time.UTC)
		var res Result
		var err error
		heap[posts] = peakHeap(func() {
			res, err = w.Write(context.Background(), Request{AccountKey: "fb", From: from, To: to, Out: filepath.Join(t.TempDir(), "s.pdf"), ContentOnly: true})
		})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if res.Posts != posts || res.Comments != posts*10 {
			t.Fatalf("snapshot of %d posts: got %d posts, %d comments", posts, res.Posts, res.Comments)
		}
		t.Logf("%d posts, %d comments: %d pages, %d parts, peak heap %.1f MB", posts, res.Comments, res.Pages, res.Parts, float64(heap[posts])/1e6)
	}
	// fpdf keeps a whole document's compressed pages in memory: held in
	// one document, 1,500 posts more add some 11 MB of live heap. Streamed
	// through parts, only the table of contents and the manifest grow
	// (1 to 3 MB here, also with the tests of other packages running).
	if small, large := heap[100], heap[1600]; large > small+6_000_000 {
		t.Errorf("peak heap grew from %.1f MB to %.1f MB for a year sixteen times larger; want it bounded", float64(small)/1e6, float64(large)/1e6)
	}
}

// layoutImages lists the page of every image in the PDF at path
// (pdfimages -list).
func layoutImages(t *testing.T, path string) []int {
	t.Helper()
	var pages []int
	for _, l := range strings.Split(strings.TrimSpace(run(t, "pdfimages", "-list", path)), "\n")[2:] {
		f := strings.Fields(l)
		if len(f) < 3 || f[2] != "image" {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("pdfimages -list: %q", l)
		}
		pages = append(pages, n)
	}
	return pages
}

// TestSnapshotWithoutLayoutFails checks that a snapshot whose layout
// cannot be captured is not written, unless the layout was left out by
// choice, which the cover says.
func TestSnapshotWithoutLayoutFails(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	st := openStore(t)
	seed(t, st)
	from, to := Year(2025, time.UTC)
	needChromium(t)
	allowed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer allowed.Close()
	br := capture.New(capture.Options{AllowedHosts: []string{strings.TrimPrefix(allowed.URL, "http://")}})
	defer br.Close()
	tests := []struct {
		name    string
		capture Capturer
		pages   []string
	}{
		{name: "no browser", pages: []string{"https://www.facebook.com/gruvberg"}},
		{name: "no page address", capture: br},
		{name: "capture fails", capture: br, pages: []string{"https://www.facebook.com/gruvberg"}}, // a host the browser may not load
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "s.pdf")
			_, err := New(Options{Store: st, Capture: tt.capture}).Write(context.Background(),
				Request{AccountKey: "fb", From: from, To: to, Out: out, PageURLs: tt.pages})
			if !errors.Is(err, ErrNoLayout) {
				t.Fatalf("Write: got %v, want ErrNoLayout", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a snapshot without its layout was written: %v", err)
			}
		})
	}
	if recs, err := st.Snapshots(context.Background(), "fb"); err != nil || len(recs) != 0 {
		t.Errorf("recorded snapshots: got %d, %v; want none", len(recs), err)
	}
	out := filepath.Join(t.TempDir(), "s.pdf")
	if _, err := New(Options{Store: st}).Write(context.Background(), Request{AccountKey: "fb", From: from, To: to, Out: out,
		ContentOnly: true, ContentOnlyReason: "capture.disabled"}); err != nil {
		t.Fatalf("Write of the content only: %v", err)
	}
	if text := run(t, "pdftotext", "-enc", "UTF-8", "-l", "1", out, "-"); !strings.Contains(strings.Join(strings.Fields(text), " "),
		"Sidans layout är utelämnad efter operatörens val (capture.disabled)") {
		t.Errorf("the cover does not say the layout was left out by choice:\n%s", text)
	}
}

func needChromium(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err != nil {
		if _, err := os.Stat("/usr/lib/chromium/chromium"); err != nil {
			testenv.Missing(t, "Chromium is not installed: run `make deps` (scripts/install-deps.sh)")
		}
	}
}
