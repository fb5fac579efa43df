package evidencepdf

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// threadFixture stores a post with n comments, every fourth a reply to the
// top-level comment before it, and returns the store, the evidence folder
// and the id of the comment in the middle, which carries an identity
// number. The comments right before and after it are very long.
func threadFixture(t testing.TB, n int, permalink string) (*sqlite.Store, *evidence.Dir, int64) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "ev"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "100", Name: "Gruvbergs kommun", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: "100_1", Message: "Snöröjningen är igång", CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	mid := n / 2
	var target int64
	parent := ""
	for i := range n {
		id := fmt.Sprintf("100_1_%d", i)
		msg := fmt.Sprintf("Kommentar nummer %d om snöröjningen på Storgatan.", i)
		switch i {
		case mid:
			msg = "Ring mig, mitt personnummer är 811218-9876"
		case mid - 1, mid + 1:
			msg = strings.Repeat("Mycket lång kommentar. ", 1000)
		}
		p := ""
		if i%4 == 3 && i != mid {
			p = parent
		} else {
			parent = id
		}
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: id, ParentID: p,
			Author: moderation.Author{ID: fmt.Sprintf("u%d", i), Name: "Åsa Öberg"}, Message: msg,
			CreatedAt: created.Add(time.Duration(i) * time.Minute), PermalinkURL: permalink,
			Source: moderation.SourcePoll, SeenAt: created.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if i == mid {
			target = r.CommentID
		}
	}
	return st, dir, target
}

// TestEvidenceBoundedByContext: the evidence view of a comment in a thread
// of 180 comments shows the comment in its context — its neighbours and the
// count of the comments not shown — and is no larger than in a thread of 20.
func TestEvidenceBoundedByContext(t *testing.T) {
	ctx := context.Background()
	render := func(n int) (View, []byte) {
		st, dir, id := threadFixture(t, n, "")
		m := New(Options{Store: st, Dir: dir})
		_, view, err := m.load(ctx, Request{CommentID: id})
		if err != nil {
			t.Fatal(err)
		}
		html, err := RenderView(view)
		if err != nil {
			t.Fatal(err)
		}
		return view, html
	}
	small, smallHTML := render(20)
	big, bigHTML := render(180)
	const most = 2*3 + 2 // three neighbours each side, the comment and its parent
	for _, v := range []View{small, big} {
		if len(v.Thread) > most {
			t.Errorf("thread of the view: %d comments, want at most %d", len(v.Thread), most)
		}
		targets := 0
		for _, c := range v.Thread {
			if c.Target {
				targets++
			}
		}
		if targets != 1 {
			t.Errorf("thread of the view holds the documented comment %d times, want 1", targets)
		}
	}
	if float64(len(bigHTML)) > 1.1*float64(len(smallHTML)) {
		t.Errorf("evidence view: %d bytes for 180 comments against %d for 20; want at most 1.1 times", len(bigHTML), len(smallHTML))
	}
	if !strings.Contains(string(bigHTML), "senare kommentarer på inlägget visas inte") ||
		!strings.Contains(string(bigHTML), "tidigare kommentarer på inlägget visas inte") {
		t.Errorf("evidence view of 180 comments does not say how many are not shown")
	}
	if !strings.Contains(string(bigHTML), "811218-9876") {
		t.Errorf("evidence view lacks the documented comment's text")
	}
}

// hideThreadStore is a store without moderation.ThreadStore, read comment
// by comment.
type hideThreadStore struct{ moderation.Store }

// TestThreadWithoutThreadStore: a store read comment by comment gives the
// same window as one query of archive/sqlite.
func TestThreadWithoutThreadStore(t *testing.T) {
	ctx := context.Background()
	st, dir, id := threadFixture(t, 40, "")
	for _, target := range []int64{id, id - 20, id + 19, id + 1} {
		c, err := st.Comment(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{0, 3, 50} {
			one, err := New(Options{Store: st, Dir: dir, Neighbours: k}).thread(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			each, err := New(Options{Store: hideThreadStore{st}, Dir: dir, Neighbours: k}).thread(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				k = DefaultNeighbours
			}
			if !reflect.DeepEqual(one, each) {
				t.Errorf("comment %s, %d neighbours: one query gives %s, comment by comment %s", c.PlatformID, k, ids(one), ids(each))
			}
			if one.Total != 40 || len(one.Comments)+one.Before+one.After != 40 {
				t.Errorf("comment %s: %d shown, %d before, %d after of %d", c.PlatformID, len(one.Comments), one.Before, one.After, one.Total)
			}
		}
	}
}

func ids(w moderation.ThreadWindow) string {
	var s []string
	for _, c := range w.Comments {
		s = append(s, c.PlatformID)
	}
	return fmt.Sprintf("%v (+%d before, +%d after)", s, w.Before, w.After)
}

// TestEvidencePDFOfLongThreadIsSmall makes the evidence of a comment in a
// thread of 180 comments with the browser and Ghostscript: the PDF stays
// small, shows the comment in its context with the count of the comments
// not shown, and records the version it documents.
func TestEvidencePDFOfLongThreadIsSmall(t *testing.T) {
	testenv.NeedTools(t, "chromium", "gs", "pdftotext")
	st, dir, id := threadFixture(t, 180, "")
	br := capture.New(capture.Options{AllowedHosts: []string{"www.facebook.com"}})
	defer br.Close()
	m := New(Options{Store: st, Dir: dir, Browser: br, Municipality: "Gruvbergs kommun"})
	ctx := context.Background()
	res, err := m.Make(ctx, Request{CommentID: id})
	if err != nil {
		t.Fatal(err)
	}
	if !res.PDFA || len(res.Screenshots) != 1 {
		t.Errorf("pdfa %v, %d screenshots (%s); want PDF/A with the evidence view", res.PDFA, len(res.Screenshots), res.CaptureFailure)
	}
	const limit = 1_500_000
	if res.PDF.Size > limit {
		t.Errorf("evidence PDF of a 180-comment thread: %d bytes, want at most %d", res.PDF.Size, limit)
	}
	if res.PDF.Version != 1 {
		t.Errorf("evidence PDF records version %d, want 1", res.PDF.Version)
	}
	data, err := os.ReadFile(filepath.Join(dir.Root(), res.PDF.Path))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = strings.NewReader(string(data))
	text, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"811218-9876", "DOKUMENTERAD KOMMENTAR", "senare kommentarer på inlägget visas inte", "Kommentar nummer 92"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// The cover names the page of the first screenshot, after the context.
	first := regexp.MustCompile(`\b1, från sidan (\d+)`).FindSubmatch(text)
	if first == nil {
		t.Fatalf("the cover does not say where the screenshots start:\n%s", text)
	}
	page, err := exec.Command("pdftotext", "-f", string(first[1]), "-l", string(first[1]), filepath.Join(dir.Root(), res.PDF.Path), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Skärmbild 1:") {
		t.Errorf("page %s does not start the screenshots:\n%s", first[1], page)
	}
	t.Logf("pdf %d bytes; load %v capture %v layout %v convert %v", res.PDF.Size, res.Timings.Load, res.Timings.Capture, res.Timings.Layout, res.Timings.Convert)
}
