package webpage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/uppsikt/uppsikt/moderation"
)

// Site describes a comment section by CSS selectors, as in the
// configuration. Author, Time, Text and Permalink are looked for inside
// each Comment element; ID names an attribute of it (e.g. "data-id").
type Site struct {
	URL       string
	Comment   string
	ID        string
	Author    string
	Time      string
	Text      string
	Permalink string
}

// Options configure a Connector.
type Options struct {
	// Sites maps an account key to its site.
	Sites      map[string]Site
	HTTPClient *http.Client
	UserAgent  string // default "uppsikt"
	MaxBody    int64  // largest page read (default 8 MB)
	Now        func() time.Time
}

// Connector reads website comment sections. It implements
// moderation.Connector and moderation.Reconciler.
type Connector struct {
	opts Options
}

// New returns a Connector.
func New(opts Options) *Connector {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "uppsikt"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 8 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Connector{opts: opts}
}

// Poll reads the account's page and every comment on it: one request.
func (c *Connector) Poll(ctx context.Context, a moderation.Account, cur moderation.Cursor) (moderation.PollResult, error) {
	res := moderation.PollResult{Cursor: moderation.Cursor{AccountKey: a.Key, Since: cur.Since, UpdatedAt: c.opts.Now()}}
	post, comments, err := c.read(ctx, a, moderation.SourcePoll)
	res.Requests = 1
	if err != nil {
		return res, fmt.Errorf("poll %s: %w", a.Key, err)
	}
	res.Posts = []moderation.Post{post}
	res.Comments = comments
	for _, o := range comments {
		if o.CreatedAt.After(res.Cursor.Since) {
			res.Cursor.Since = o.CreatedAt
		}
	}
	return res, nil
}

// Reconcile reads the page and reports stored comments no longer on it as
// deleted. o.Since does not apply: a page shows what it shows.
func (c *Connector) Reconcile(ctx context.Context, a moderation.Account, o moderation.ReconcileOptions) (int, error) {
	post, comments, err := c.read(ctx, a, o.Source)
	if err != nil {
		return 1, fmt.Errorf("reconcile %s: %w", a.Key, err)
	}
	res := moderation.PollResult{Posts: []moderation.Post{post}, Comments: comments}
	if o.Known != nil {
		known, err := o.Known(ctx, post.PlatformID)
		if err != nil {
			return 1, fmt.Errorf("stored comments of %s: %w", post.PlatformID, err)
		}
		seen := map[string]bool{}
		for _, cm := range comments {
			seen[cm.PlatformID] = true
		}
		for id, st := range known {
			if st != moderation.StateDeleted && !seen[id] {
				res.Changes = append(res.Changes, moderation.StateChange{AccountKey: a.Key, PlatformID: id,
					State: moderation.StateDeleted, At: c.opts.Now(), Source: o.Source})
			}
		}
	}
	return 1, o.Emit(ctx, res)
}

func (c *Connector) read(ctx context.Context, a moderation.Account, source moderation.Source) (moderation.Post, []moderation.CommentObservation, error) {
	site, ok := c.opts.Sites[a.Key]
	if !ok || site.URL == "" || site.Comment == "" {
		return moderation.Post{}, nil, fmt.Errorf("account %s: no site with a url and a comment selector configured", a.Key)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, site.URL, nil)
	if err != nil {
		return moderation.Post{}, nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return moderation.Post{}, nil, fmt.Errorf("read %s: %w", site.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return moderation.Post{}, nil, fmt.Errorf("read %s: status %s", site.URL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody))
	if err != nil {
		return moderation.Post{}, nil, fmt.Errorf("read %s: %w", site.URL, err)
	}
	base, err := url.Parse(site.URL)
	if err != nil {
		return moderation.Post{}, nil, fmt.Errorf("site url: %w", err)
	}
	post, comments, err := Parse(a.Key, site, base, strings.NewReader(string(body)), source, c.opts.Now())
	return post, comments, err
}

// Parse reads a page's comments with a site's selectors. The post is the
// page itself (its URL and title).
func Parse(accountKey string, site Site, base *url.URL, r io.Reader, source moderation.Source, now time.Time) (moderation.Post, []moderation.CommentObservation, error) {
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return moderation.Post{}, nil, fmt.Errorf("parse page: %w", err)
	}
	postID := base.String()
	post := moderation.Post{
		AccountKey: accountKey, PlatformID: postID, PermalinkURL: postID, FirstSeenAt: now,
		Message: strings.TrimSpace(doc.Find("title").First().Text()),
	}
	post.Raw, _ = json.Marshal(map[string]string{"url": postID, "title": post.Message})
	var out []moderation.CommentObservation
	seen := map[string]bool{}
	doc.Find(site.Comment).Each(func(_ int, s *goquery.Selection) {
		o := moderation.CommentObservation{AccountKey: accountKey, PostID: postID, Source: source, SeenAt: now}
		o.Author.Name = text(s, site.Author)
		o.Message = text(s, site.Text)
		if site.Time != "" {
			ts := s.Find(site.Time).First()
			v, ok := ts.Attr("datetime")
			if !ok {
				v = strings.TrimSpace(ts.Text())
			}
			o.CreatedAt = parseTime(v)
		}
		if site.Permalink != "" {
			if href, ok := s.Find(site.Permalink).First().Attr("href"); ok {
				if u, err := base.Parse(href); err == nil {
					o.PermalinkURL = u.String()
				}
			}
		}
		if site.ID != "" {
			o.PlatformID, _ = s.Attr(site.ID)
		}
		if o.PlatformID == "" {
			o.PlatformID = o.PermalinkURL
		}
		if o.PlatformID == "" {
			// No stable id on the page: name the comment by its author and
			// time, which an edit of its text does not change.
			sum := sha256.Sum256([]byte(o.Author.Name + "\x00" + o.CreatedAt.Format(time.RFC3339)))
			o.PlatformID = "h" + hex.EncodeToString(sum[:10])
		}
		if seen[o.PlatformID] || (o.Message == "" && o.Author.Name == "") {
			return
		}
		seen[o.PlatformID] = true
		// Replies nested inside a comment container are comments of their own.
		if p := s.Parent().Closest(site.Comment); p.Length() > 0 && site.ID != "" {
			o.ParentID, _ = p.Attr(site.ID)
		}
		html, _ := goquery.OuterHtml(s)
		o.Raw, _ = json.Marshal(map[string]string{"html": html})
		out = append(out, o)
	})
	// The page's own publication time when it gives one, else its
	// earliest comment: a stable date, so that the page falls in the
	// snapshot of the year it was written.
	if v, ok := doc.Find(`meta[property="article:published_time"]`).First().Attr("content"); ok {
		post.CreatedAt = parseTime(v)
	}
	for _, o := range out {
		if post.CreatedAt.IsZero() || (!o.CreatedAt.IsZero() && o.CreatedAt.Before(post.CreatedAt)) {
			post.CreatedAt = o.CreatedAt
		}
	}
	return post, out, nil
}

// text returns the trimmed text of the first match of sel in s, with
// whitespace runs collapsed; an empty selector gives "".
func text(s *goquery.Selection, sel string) string {
	if sel == "" {
		return ""
	}
	m := s.Find(sel).First()
	if m.Length() == 0 {
		return ""
	}
	// Only the text that belongs to this comment, not to nested replies.
	return strings.Join(strings.Fields(m.Text()), " ")
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
