package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

func getDoc(t *testing.T, url string) *goquery.Document {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: content type %q", url, ct)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestWebPagesEscapeAndShowThreads(t *testing.T) {
	f := newFixture(t, "sv")
	postID, parent := f.firstThread(t)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)> & "citat"`
	evilID, err := f.emu.AddComment(postID, "Mallory <b>Fet</b>", evil)
	if err != nil {
		t.Fatal(err)
	}
	hiddenID, _ := f.emu.AddComment(postID, "Dold Person", "den här döljs")
	goneID, _ := f.emu.AddComment(postID, "Borta Person", "den här raderas")
	if _, err := f.sess.Post("/"+hiddenID, fb.Params{"is_hidden": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sess.Delete("/"+goneID, nil); err != nil {
		t.Fatal(err)
	}
	// The permalink the API serves is the page that shows the comment.
	res, err := f.sess.Get("/"+evilID, fb.Params{"fields": "permalink_url"})
	if err != nil {
		t.Fatal(err)
	}
	doc := getDoc(t, res.Get("permalink_url").(string))

	if got := strings.TrimSpace(doc.Find("h1.page-name").Text()); got != "Gruvbergs kommun" {
		t.Errorf("page name %q", got)
	}
	if doc.Find(".avatar").Length() != 1 {
		t.Errorf("no avatar block")
	}
	// Only the template's own scroll script runs; the comment's is text.
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "alert") {
			t.Errorf("comment text became a script: %s", s.Text())
		}
	})
	if doc.Find("img[onerror]").Length() != 0 {
		t.Errorf("comment markup became an element")
	}
	evilSel := doc.Find("#comment-" + evilID)
	if got := evilSel.Find(".message").First().Text(); got != evil {
		t.Errorf("escaped text: got %q, want %q", got, evil)
	}
	if !evilSel.HasClass("highlight") {
		t.Errorf("comment_id is not highlighted")
	}
	if got := doc.Find(".comment.highlight").Length(); got != 1 {
		t.Errorf("%d highlighted comments, want 1", got)
	}
	if !doc.Find("#comment-" + hiddenID).HasClass("hidden-comment") {
		t.Errorf("hidden comment not marked")
	}
	if doc.Find("#comment-"+goneID).Length() != 0 {
		t.Errorf("deleted comment shown")
	}
	if doc.Find("#comment-"+parent+" .replies .comment").Length() == 0 {
		t.Errorf("replies not nested under their comment")
	}
	if doc.Find("time[datetime]").Length() < 3 {
		t.Errorf("timestamps missing")
	}

	// The account page lists every post as a card linking to its page,
	// emulator.WebPageSize at a time, each page linking to the next, older one.
	acct := getDoc(t, f.fb.PageURL)
	seen := map[string]bool{}
	pages := 0
	for d := acct; d != nil; {
		pages++
		n := d.Find("article.post").Length()
		if n == 0 || n > emulator.WebPageSize {
			t.Fatalf("account page %d: %d posts, want 1 to %d", pages, n, emulator.WebPageSize)
		}
		d.Find("article.post").Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-post-id")
			if seen[id] {
				t.Errorf("post %s on two pages", id)
			}
			seen[id] = true
		})
		next, ok := d.Find(`a[rel="next"]`).Attr("href")
		if !ok {
			break
		}
		d = getDoc(t, next)
	}
	if got, want := len(seen), f.sum.PerAccount[0].Posts; got != want {
		t.Errorf("account pages: %d posts, want %d", got, want)
	}
	if want := (f.sum.PerAccount[0].Posts + emulator.WebPageSize - 1) / emulator.WebPageSize; pages != want {
		t.Errorf("account pages: %d, want %d", pages, want)
	}
	href, _ := acct.Find("article.post .bar a").First().Attr("href")
	if !strings.HasPrefix(href, f.srv.URL+"/web/"+f.fb.ID+"/posts/") {
		t.Errorf("post link %q", href)
	}

	// A year with every thread, for a yearly snapshot.
	year := getDoc(t, f.fb.PageURL+"?threads=1&since=2026-01-01&until=2026-12-31T23:59:59Z")
	if n := year.Find("article.post").Length(); n == 0 || n >= f.sum.PerAccount[0].Posts {
		t.Errorf("posts of 2026: got %d of %d", n, f.sum.PerAccount[0].Posts)
	}
	if year.Find("article.post .comment").Length() == 0 {
		t.Errorf("threads=1 shows no comments")
	}
	if acct.Find("article.post .comment").Length() != 0 {
		t.Errorf("the plain account page shows threads")
	}

	ig := getDoc(t, f.ig.PageURL)
	if !ig.Find("body").HasClass("instagram") || ig.Find("article.post img.picture").Length() == 0 {
		t.Errorf("instagram page without its look or pictures")
	}
	resp, err := http.Get(f.srv.URL + "/web/" + f.fb.ID + "/posts/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown post page: %s", resp.Status)
	}
}
