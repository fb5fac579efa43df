package snapshot

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var (
	yearScale   = flag.Bool("year-scale", false, "run TestYearScale: a year of 5,000 posts and 100,000 comments (takes minutes)")
	yearUnicode = flag.Bool("year-unicode", true, "TestYearScale: one comment in six has emoji and letters outside Windows-1252")
	yearPosts   = flag.Int("year-posts", 5000, "TestYearScale: posts of the year, with 20 comments each")
)

// unicodeComment is a comment that needs the UTF-8 fonts: Latin
// Extended, Cyrillic and emoji (a sequence with joiners and a flag).
const unicodeComment = "Petrović från Łódź håller med 👍😀 – Привет! 👨‍👩‍👧 🇸🇪"

// TestYearScale measures a snapshot of a busy year: 5,000 posts with 20
// comments each (-year-posts), one comment in six with emoji and letters
// outside Windows-1252 unless -year-unicode=false. It reports wall and CPU time, the peak live Go heap, the peak
// resident memory of the process and of Ghostscript, the pages and the size
// of the PDF, and fails when the peak resident memory of either passes
// 500 MB. Run it with: go test ./archive/snapshot -run YearScale -year-scale -v -timeout 2h
func TestYearScale(t *testing.T) {
	if !*yearScale || testing.Short() {
		t.Skip("a year of 100,000 comments takes minutes: run with -year-scale")
	}
	testenv.NeedTools(t, "gs")
	st := openStore(t)
	start := time.Now()
	var extra []string
	if *yearUnicode {
		extra = append(extra, unicodeComment)
	}
	fill(t, st, *yearPosts, 20, extra...)
	t.Logf("stored %d posts and %d comments (with UTF-8 text: %v) in %s", *yearPosts, 20**yearPosts, *yearUnicode, time.Since(start).Round(time.Second))

	w := New(Options{Store: st, TempDir: t.TempDir()})
	from, to := Year(2025, time.UTC)
	out := filepath.Join(t.TempDir(), "year.pdf")
	var before, after, childBefore, childAfter syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &childBefore)
	start = time.Now()
	var res Result
	var err error
	heap := peakHeap(func() {
		res, err = w.Write(context.Background(), Request{AccountKey: "fb", From: from, To: to, Out: out, ContentOnly: true})
	})
	wall := time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &childAfter)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	cpu := func(a, b syscall.Rusage) time.Duration {
		return time.Duration(b.Utime.Nano() - a.Utime.Nano() + b.Stime.Nano() - a.Stime.Nano())
	}
	fi, _ := os.Stat(out)
	t.Logf("snapshot: %d posts, %d comments, %d pages, %d parts, %.1f MB", res.Posts, res.Comments, res.Pages, res.Parts, float64(fi.Size())/1e6)
	t.Logf("wall %s; CPU uppsikt %s, Ghostscript %s", wall.Round(time.Second), cpu(before, after).Round(time.Second), cpu(childBefore, childAfter).Round(time.Second))
	t.Logf("peak live Go heap %.1f MB; peak RSS uppsikt %.1f MB, Ghostscript (largest child) %.1f MB",
		float64(heap)/1e6, float64(after.Maxrss)/1e3, float64(childAfter.Maxrss)/1e3)
	if res.Posts != *yearPosts || res.Comments != 20**yearPosts {
		t.Errorf("snapshot holds %d posts and %d comments, want %d and %d", res.Posts, res.Comments, *yearPosts, 20**yearPosts)
	}
	if after.Maxrss > 500_000 || childAfter.Maxrss > 500_000 {
		t.Errorf("peak RSS %d KB (uppsikt) / %d KB (Ghostscript), want under 500 MB", after.Maxrss, childAfter.Maxrss)
	}
}
