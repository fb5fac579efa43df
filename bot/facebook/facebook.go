package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Connector. Either Client is given, or a Client is made
// from the Graph fields.
type Options struct {
	Client *Client

	GraphURL  string // e.g. https://graph.facebook.com/ (trailing slash added when missing)
	Version   string // e.g. v23.0
	AppID     string
	AppSecret string
	// Tokens maps an account key to its page access token.
	Tokens     map[string]string
	HTTPClient *http.Client

	// Window is how far back the cheap poll looks for posts whose comment
	// threads are still active (default 72 hours). Older posts are covered by
	// the reconcile pass and by webhooks.
	Window time.Duration
	// FeedLimit is the number of posts per feed page in the cheap poll
	// (default 25); the reconcile pass reads 100 per page.
	FeedLimit int
	Now       func() time.Time
	Logger    *slog.Logger
}

// Connector reads Facebook pages. It implements moderation.Connector and
// moderation.Reconciler.
type Connector struct {
	opts   Options
	client *Client
}

// New returns a Connector.
func New(opts Options) *Connector {
	if opts.Window <= 0 {
		opts.Window = 72 * time.Hour
	}
	if opts.FeedLimit <= 0 {
		opts.FeedLimit = 25
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cl := opts.Client
	if cl == nil {
		cl = NewClient(ClientOptions{
			GraphURL: opts.GraphURL, Version: opts.Version, AppID: opts.AppID, AppSecret: opts.AppSecret,
			Tokens: opts.Tokens, HTTPClient: opts.HTTPClient, Now: opts.Now, Logger: opts.Logger,
		})
	}
	return &Connector{opts: opts, client: cl}
}

// Client returns the Graph client the connector calls through.
func (c *Connector) Client() *Client { return c.client }

// CommentFields are the fields uppsikt stores for every comment.
const CommentFields = "id,message,from,created_time,parent{id},is_hidden,permalink_url,comment_count"

const postFields = "id,message,created_time,updated_time,from,permalink_url"

// feedFields expands every post's full comment stream (replies included,
// each with its parent) in the feed answer.
const feedFields = postFields + ",comments.filter(stream).limit(100){" + CommentFields + "}"

type graphAuthor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type graphComment struct {
	ID          string       `json:"id"`
	Message     string       `json:"message"`
	From        *graphAuthor `json:"from"`
	CreatedTime string       `json:"created_time"`
	Parent      *struct {
		ID string `json:"id"`
	} `json:"parent"`
	IsHidden     bool   `json:"is_hidden"`
	PermalinkURL string `json:"permalink_url"`
}

type graphList struct {
	Data   []json.RawMessage `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

type graphPost struct {
	ID           string       `json:"id"`
	Message      string       `json:"message"`
	CreatedTime  string       `json:"created_time"`
	UpdatedTime  string       `json:"updated_time"`
	From         *graphAuthor `json:"from"`
	PermalinkURL string       `json:"permalink_url"`
	Comments     *graphList   `json:"comments"`
}

// Poll reads the posts of the last Window with all their comments: one
// request when nothing more than a feed page holds has happened.
func (c *Connector) Poll(ctx context.Context, a moderation.Account, cur moderation.Cursor) (moderation.PollResult, error) {
	now := c.opts.Now()
	res := moderation.PollResult{Cursor: moderation.Cursor{AccountKey: a.Key, Since: cur.Since, UpdatedAt: now}}
	_, err := c.walk(ctx, a, now.Add(-c.opts.Window), c.opts.FeedLimit, moderation.SourcePoll, &res.Requests,
		func(_ context.Context, page []postComments) error {
			for _, pc := range page {
				res.Posts = append(res.Posts, pc.post)
				res.Comments = append(res.Comments, pc.comments...)
			}
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("poll %s: %w", a.Key, err)
	}
	for _, p := range res.Posts {
		if p.CreatedAt.After(res.Cursor.Since) {
			res.Cursor.Since = p.CreatedAt
		}
	}
	return res, nil
}

// Reconcile walks every post since o.Since with all its comments and
// replies, 100 posts per request, and reports comments that disappeared,
// also those of stored posts that were deleted as a whole (see GonePosts).
func (c *Connector) Reconcile(ctx context.Context, a moderation.Account, o moderation.ReconcileOptions) (int, error) {
	requests := 0
	seen := map[string]bool{}
	_, err := c.walk(ctx, a, o.Since, 100, o.Source, &requests, func(ctx context.Context, page []postComments) error {
		now := c.opts.Now()
		res := moderation.PollResult{}
		for _, pc := range page {
			seen[pc.post.PlatformID] = true
			res.Posts = append(res.Posts, pc.post)
			res.Comments = append(res.Comments, pc.comments...)
			changes, reread, err := CheckMissing(ctx, a, o, pc.post.PlatformID, pc.comments, now, c.FetchComment, &requests)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, changes...)
			res.Comments = append(res.Comments, reread...)
		}
		return o.Emit(ctx, res)
	})
	if err == nil {
		err = EmitGonePosts(ctx, c.client, a, o, seen, &requests)
	}
	if err != nil {
		return requests, fmt.Errorf("reconcile %s: %w", a.Key, err)
	}
	return requests, nil
}

// FetchComment reads one comment. A deleted comment answers an error for
// which IsGone is true. n, when not nil, counts the requests.
func (c *Connector) FetchComment(ctx context.Context, a moderation.Account, postID, commentID string, source moderation.Source, n *int) (moderation.CommentObservation, error) {
	r, err := c.client.Get(ctx, a, "/"+commentID, fb.Params{"fields": CommentFields}, n)
	if err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("read comment %s: %w", commentID, err)
	}
	raw, err := json.Marshal(StripMeta(r))
	if err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("encode comment: %w", err)
	}
	return commentObservation(a, postID, raw, source, c.opts.Now())
}

// postComments is one post and every comment read with it.
type postComments struct {
	post     moderation.Post
	comments []moderation.CommentObservation
}

// walk reads the feed since a time, limit posts per page, following each
// post's comment paging to the end, and hands every feed page to fn.
func (c *Connector) walk(ctx context.Context, a moderation.Account, since time.Time, limit int, source moderation.Source, n *int, fn func(context.Context, []postComments) error) (int, error) {
	r, err := c.client.Get(ctx, a, "/"+a.PlatformID+"/feed", fb.Params{
		"fields": feedFields,
		"since":  since.Unix(),
		"limit":  limit,
	}, n)
	if err != nil {
		return 0, fmt.Errorf("read feed: %w", err)
	}
	posts := 0
	for {
		var list graphList
		if err := Decode(r, &list); err != nil {
			return posts, fmt.Errorf("decode feed: %w", err)
		}
		now := c.opts.Now()
		page := make([]postComments, 0, len(list.Data))
		for _, raw := range list.Data {
			pc, err := c.readPost(ctx, a, raw, source, now, n)
			if err != nil {
				return posts, err
			}
			page = append(page, pc)
		}
		posts += len(page)
		if err := fn(ctx, page); err != nil {
			return posts, err
		}
		if list.Paging.Next == "" || len(list.Data) == 0 {
			return posts, nil
		}
		if r, err = c.client.Next(ctx, a, list.Paging.Next, n); err != nil {
			return posts, fmt.Errorf("page feed: %w", err)
		}
	}
}

func (c *Connector) readPost(ctx context.Context, a moderation.Account, raw json.RawMessage, source moderation.Source, now time.Time, n *int) (postComments, error) {
	var gp graphPost
	if err := json.Unmarshal(raw, &gp); err != nil {
		return postComments{}, fmt.Errorf("decode post: %w", err)
	}
	if gp.ID == "" {
		// Its comments could not be told apart from another post's.
		return postComments{}, errors.New("decode post: no id")
	}
	post := moderation.Post{
		AccountKey:   a.Key,
		PlatformID:   gp.ID,
		Message:      gp.Message,
		CreatedAt:    ParseTime(gp.CreatedTime),
		UpdatedAt:    ParseTime(gp.UpdatedTime),
		PermalinkURL: gp.PermalinkURL,
		FirstSeenAt:  now,
		Raw:          raw,
	}
	if gp.From != nil {
		post.Author = moderation.Author{ID: gp.From.ID, Name: gp.From.Name}
	}
	pc := postComments{post: post}
	if gp.Comments == nil {
		return pc, nil
	}
	// Keep the post's raw JSON without the comment list, which is stored per comment.
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		delete(m, "comments")
		pc.post.Raw, _ = json.Marshal(m)
	}
	list := *gp.Comments
	for {
		for _, rc := range list.Data {
			o, err := commentObservation(a, gp.ID, rc, source, now)
			if err != nil {
				return pc, err
			}
			pc.comments = append(pc.comments, o)
		}
		if list.Paging.Next == "" || len(list.Data) == 0 {
			return pc, nil
		}
		// More comments than fit in the feed answer: follow the post's own
		// paging.next.
		r, err := c.client.Next(ctx, a, list.Paging.Next, n)
		if err != nil {
			return pc, fmt.Errorf("page comments of %s: %w", gp.ID, err)
		}
		list = graphList{}
		if err := Decode(r, &list); err != nil {
			return pc, fmt.Errorf("decode comments of %s: %w", gp.ID, err)
		}
	}
}

func commentObservation(a moderation.Account, postID string, raw json.RawMessage, source moderation.Source, now time.Time) (moderation.CommentObservation, error) {
	var gc graphComment
	if err := json.Unmarshal(raw, &gc); err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("decode comment on %s: %w", postID, err)
	}
	if gc.ID == "" {
		return moderation.CommentObservation{}, errors.New("decode comment: no id")
	}
	o := moderation.CommentObservation{
		AccountKey:   a.Key,
		PostID:       postID,
		PlatformID:   gc.ID,
		Message:      gc.Message,
		CreatedAt:    ParseTime(gc.CreatedTime),
		PermalinkURL: gc.PermalinkURL,
		Hidden:       gc.IsHidden,
		Raw:          append(json.RawMessage(nil), raw...),
		Source:       source,
		SeenAt:       now,
	}
	if gc.From != nil {
		o.Author = moderation.Author{ID: gc.From.ID, Name: gc.From.Name}
	}
	if gc.Parent != nil {
		o.ParentID = gc.Parent.ID
	}
	return o, nil
}

// Decode turns a Graph answer into v, without the client's usage bookkeeping.
func Decode(r fb.Result, v any) error {
	b, err := json.Marshal(StripMeta(r))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// StripMeta drops the keys huandu/facebook adds to a Result (usage and
// debug information), keeping what Graph answered.
func StripMeta(r fb.Result) map[string]any {
	m := make(map[string]any, len(r))
	for k, v := range r {
		if len(k) > 2 && k[:2] == "__" {
			continue
		}
		m[k] = v
	}
	return m
}

// ParseTime reads Graph's "2026-01-02T15:04:05+0000" timestamps.
func ParseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
