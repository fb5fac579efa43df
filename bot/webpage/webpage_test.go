package webpage

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var gruvberg = Site{
	Comment: "article.comment", ID: "data-comment-id", Author: ".comment-author",
	Time: "time[datetime]", Text: ".comment-body", Permalink: "a.comment-link",
}

func TestParseFixture(t *testing.T) {
	f, err := os.Open("testdata/nyheter.html")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base, _ := url.Parse("https://www.gruvberg.se/nyheter/forskola")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	post, got, err := Parse("webb", gruvberg, base, f, moderation.SourcePoll, now)
	if err != nil {
		t.Fatal(err)
	}
	if post.PlatformID != base.String() || post.Message != "Ny förskola i Gruvberg öppnar i augusti" {
		t.Errorf("post: got %q %q", post.PlatformID, post.Message)
	}
	if got, want := post.CreatedAt.UTC().Format(time.RFC3339), "2026-11-20T07:14:00Z"; got != want {
		t.Errorf("post date without a published time: got %s, want the earliest comment's %s", got, want)
	}
	want := []struct {
		id, parent, author, text, permalink, created string
	}{
		{"c-101", "", "Anna Lindqvist", "Äntligen! Vi har väntat länge på en förskola i norra delen.", "https://www.gruvberg.se/nyheter/forskola#c-101", "2026-11-20T07:14:00Z"},
		{"c-102", "", "Per Eriksson", "Hur blir det med parkeringen vid lämning?", "https://www.gruvberg.se/nyheter/forskola#c-102", "2026-11-20T08:02:00Z"},
		{"c-103", "c-102", "Gruvbergs kommun", "Det blir tio platser för korttidsparkering vid entrén.", "https://www.gruvberg.se/nyheter/forskola#c-103", "2026-11-20T09:30:00Z"},
		{"c-104", "", "Maria Sundberg", "Kommer det finnas plats för barn med särskilda behov?", "https://www.gruvberg.se/nyheter/forskola#c-104", "2026-11-21T16:45:00Z"},
	}
	if len(got) != len(want) {
		t.Fatalf("comments: got %d, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.PlatformID != w.id || g.ParentID != w.parent || g.Author.Name != w.author || g.Message != w.text ||
			g.PermalinkURL != w.permalink || g.CreatedAt.Format(time.RFC3339) != w.created || g.PostID != post.PlatformID {
			t.Errorf("comment %d: got %s parent=%q author=%q text=%q link=%q at=%s, want %+v",
				i, g.PlatformID, g.ParentID, g.Author.Name, g.Message, g.PermalinkURL, g.CreatedAt.Format(time.RFC3339), w)
		}
	}
}

func TestParseWithoutIDAttribute(t *testing.T) {
	page := `<div class="c"><b>Eva</b><i>2026-01-02</i><p>Hej</p></div><div class="c"><b>Bo</b><i>2026-01-03</i><p>Hallå</p></div>`
	edited := strings.Replace(page, "Hej", "Hej igen", 1)
	site := Site{Comment: "div.c", Author: "b", Time: "i", Text: "p"}
	base, _ := url.Parse("https://example.se/")
	_, a, _ := Parse("k", site, base, strings.NewReader(page), moderation.SourcePoll, time.Now())
	_, b, _ := Parse("k", site, base, strings.NewReader(edited), moderation.SourcePoll, time.Now())
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("comments: got %d and %d, want 2 and 2", len(a), len(b))
	}
	if a[0].PlatformID != b[0].PlatformID || a[0].PlatformID == a[1].PlatformID {
		t.Errorf("ids: got %q/%q before, %q after an edit; want stable and distinct", a[0].PlatformID, a[1].PlatformID, b[0].PlatformID)
	}
}

func TestPollAndReconcile(t *testing.T) {
	fixture, err := os.ReadFile("testdata/nyheter.html")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	page := fixture
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		w.Write(page)
	}))
	defer srv.Close()
	site := gruvberg
	site.URL = srv.URL + "/nyheter/forskola"
	conn := New(Options{Sites: map[string]Site{"webb": site}})
	a := moderation.Account{Key: "webb", Platform: moderation.Webpage, PlatformID: site.URL}
	first, err := conn.Poll(context.Background(), a, moderation.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Comments) != 4 || first.Requests != 1 || requests != 1 {
		t.Fatalf("poll: got %d comments in %d requests (server saw %d), want 4 in 1", len(first.Comments), first.Requests, requests)
	}
	known := map[string]moderation.CommentState{}
	for _, c := range first.Comments {
		known[c.PlatformID] = moderation.StateVisible
	}
	// c-104 is removed by the site's editor; c-101 is edited.
	mu.Lock()
	start := bytes.Index(page, []byte(`<article class="comment" data-comment-id="c-104">`))
	end := bytes.Index(page, []byte(`</section>`))
	page = append(append([]byte{}, page[:start]...), page[end:]...)
	page = bytes.Replace(page, []byte("Äntligen!"), []byte("Äntligen, tack!"), 1)
	mu.Unlock()
	var got moderation.PollResult
	_, err = conn.Reconcile(context.Background(), a, moderation.ReconcileOptions{
		Source: moderation.SourceReconcile,
		Known:  func(context.Context, string) (map[string]moderation.CommentState, error) { return known, nil },
		Emit:   func(_ context.Context, r moderation.PollResult) error { got = r; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) != 1 || got.Changes[0].PlatformID != "c-104" || got.Changes[0].State != moderation.StateDeleted {
		t.Errorf("changes: got %+v, want c-104 deleted", got.Changes)
	}
	if len(got.Comments) != 3 || !strings.HasPrefix(got.Comments[0].Message, "Äntligen, tack!") {
		t.Errorf("comments: got %d, first %q", len(got.Comments), got.Comments[0].Message)
	}
}

func TestPollRefusesErrorPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nere", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	site := gruvberg
	site.URL = srv.URL
	conn := New(Options{Sites: map[string]Site{"webb": site}})
	called := false
	_, err := conn.Reconcile(context.Background(), moderation.Account{Key: "webb"}, moderation.ReconcileOptions{
		Known: func(context.Context, string) (map[string]moderation.CommentState, error) {
			return map[string]moderation.CommentState{"c-1": moderation.StateVisible}, nil
		},
		Emit: func(context.Context, moderation.PollResult) error { called = true; return nil },
	})
	if err == nil || called {
		t.Errorf("got err=%v emitted=%v, want an error and nothing emitted (no deletions from an error page)", err, called)
	}
}

func FuzzParse(f *testing.F) {
	fixture, _ := os.ReadFile("testdata/nyheter.html")
	f.Add(string(fixture))
	f.Add(`<article class="comment"><p class="comment-body">x</p></article>`)
	base, _ := url.Parse("https://example.se/")
	f.Fuzz(func(t *testing.T, page string) {
		_, cs, err := Parse("k", gruvberg, base, strings.NewReader(page), moderation.SourcePoll, time.Time{})
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, c := range cs {
			if c.PlatformID == "" || ids[c.PlatformID] {
				t.Fatalf("empty or repeated id %q", c.PlatformID)
			}
			ids[c.PlatformID] = true
		}
	})
}

func TestParsePublishedTime(t *testing.T) {
	page := `<html><head><meta property="article:published_time" content="2025-03-02T10:00:00+01:00"></head><body>
<article class="comment" data-comment-id="c1"><span class="comment-author">A</span><time datetime="2026-01-05T08:00:00+01:00"></time><div class="comment-body">Hej</div></article>
</body></html>`
	base, _ := url.Parse("https://www.gruvberg.se/nyheter/park")
	post, _, err := Parse("webb", gruvberg, base, strings.NewReader(page), moderation.SourcePoll, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := post.CreatedAt.UTC().Format(time.RFC3339), "2025-03-02T09:00:00Z"; got != want {
		t.Errorf("post date: got %s, want the page's published time %s", got, want)
	}
}
