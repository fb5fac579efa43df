package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Connector.
type Options struct {
	GraphURL  string // e.g. https://graph.facebook.com/ (trailing slash added when missing)
	Version   string // e.g. v23.0
	AppID     string
	AppSecret string
	// Tokens maps an account key to its page access token.
	Tokens map[string]string
	// Window is how far back the cheap poll looks for posts whose comment
	// threads are still active (default 72 hours). Older posts are covered by
	// the reconcile pass.
	Window     time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
}

// Connector reads Facebook pages.
type Connector struct {
	opts Options
	app  *fb.App
}

// New returns a Connector.
func New(opts Options) *Connector {
	if !strings.HasSuffix(opts.GraphURL, "/") {
		opts.GraphURL += "/"
	}
	if opts.Window <= 0 {
		opts.Window = 72 * time.Hour
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	app := fb.New(opts.AppID, opts.AppSecret)
	app.EnableAppsecretProof = opts.AppSecret != ""
	return &Connector{opts: opts, app: app}
}

// session returns a Graph session for an account, bound to ctx.
func (c *Connector) session(ctx context.Context, accountKey string) (*fb.Session, error) {
	token, ok := c.opts.Tokens[accountKey]
	if !ok || token == "" {
		return nil, fmt.Errorf("account %s: no page token configured", accountKey)
	}
	s := c.app.Session(token)
	s.BaseURL = c.opts.GraphURL
	s.Version = c.opts.Version
	s.HttpClient = c.opts.HTTPClient
	return s.WithContext(ctx), nil
}

// commentFields are the fields uppsikt stores for every comment.
const commentFields = "id,message,from,created_time,parent{id},is_hidden,permalink_url,comment_count"

// feedFields expands every post's full comment stream in the feed answer.
const feedFields = "id,message,created_time,updated_time,from,permalink_url,comments.filter(stream).limit(100){" + commentFields + "}"

type graphAuthor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type graphComment struct {
	ID           string       `json:"id"`
	Message      string       `json:"message"`
	From         *graphAuthor `json:"from"`
	CreatedTime  string       `json:"created_time"`
	Parent       *struct {
		ID string `json:"id"`
	} `json:"parent"`
	IsHidden     bool   `json:"is_hidden"`
	PermalinkURL string `json:"permalink_url"`
}

type graphPost struct {
	ID           string       `json:"id"`
	Message      string       `json:"message"`
	CreatedTime  string       `json:"created_time"`
	UpdatedTime  string       `json:"updated_time"`
	From         *graphAuthor `json:"from"`
	PermalinkURL string       `json:"permalink_url"`
	Comments     *struct {
		Data   []json.RawMessage `json:"data"`
		Paging struct {
			Next string `json:"next"`
		} `json:"paging"`
	} `json:"comments"`
}

// Poll reads the posts of the last Window with all their comments.
func (c *Connector) Poll(ctx context.Context, a moderation.Account, cur moderation.Cursor) (moderation.PollResult, error) {
	s, err := c.session(ctx, a.Key)
	if err != nil {
		return moderation.PollResult{}, err
	}
	now := c.opts.Now()
	res := moderation.PollResult{Cursor: moderation.Cursor{AccountKey: a.Key, Since: cur.Since, UpdatedAt: now}}
	since := now.Add(-c.opts.Window)
	first, err := s.Get("/"+a.PlatformID+"/feed", fb.Params{
		"fields": feedFields,
		"since":  since.Unix(),
		"limit":  25,
	})
	res.Requests++
	if err != nil {
		return res, fmt.Errorf("read feed of %s: %w", a.Key, err)
	}
	paging, err := first.Paging(s)
	if err != nil {
		return res, fmt.Errorf("read feed of %s: %w", a.Key, err)
	}
	for {
		for _, item := range paging.Data() {
			if err := c.addPost(s, a, item, now, &res); err != nil {
				return res, err
			}
		}
		if !paging.HasNext() {
			break
		}
		noMore, err := paging.Next()
		res.Requests++
		if err != nil {
			return res, fmt.Errorf("page feed of %s: %w", a.Key, err)
		}
		if noMore {
			break
		}
	}
	for _, p := range res.Posts {
		if p.CreatedAt.After(res.Cursor.Since) {
			res.Cursor.Since = p.CreatedAt
		}
	}
	return res, nil
}

func (c *Connector) addPost(s *fb.Session, a moderation.Account, item fb.Result, now time.Time, res *moderation.PollResult) error {
	raw, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("encode post: %w", err)
	}
	var gp graphPost
	if err := json.Unmarshal(raw, &gp); err != nil {
		return fmt.Errorf("decode post of %s: %w", a.Key, err)
	}
	post := moderation.Post{
		AccountKey:   a.Key,
		PlatformID:   gp.ID,
		Message:      gp.Message,
		CreatedAt:    parseTime(gp.CreatedTime),
		UpdatedAt:    parseTime(gp.UpdatedTime),
		PermalinkURL: gp.PermalinkURL,
		FirstSeenAt:  now,
	}
	if gp.From != nil {
		post.Author = moderation.Author{ID: gp.From.ID, Name: gp.From.Name}
	}
	if gp.Comments != nil {
		// Keep the post's raw JSON without the comment list, which is stored per comment.
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			delete(m, "comments")
			post.Raw, _ = json.Marshal(m)
		}
	} else {
		post.Raw = raw
	}
	res.Posts = append(res.Posts, post)
	if gp.Comments == nil {
		return nil
	}
	for _, rc := range gp.Comments.Data {
		if err := addComment(a, gp.ID, rc, now, res); err != nil {
			return err
		}
	}
	if gp.Comments.Paging.Next == "" {
		return nil
	}
	// More comments than fit in the feed answer: follow the absolute
	// paging.next URLs of the post's comment list.
	list, ok := item["comments"].(map[string]interface{})
	if !ok {
		return fmt.Errorf("comments of %s: unexpected shape", gp.ID)
	}
	paging, err := fb.Result(list).Paging(s)
	if err != nil {
		return fmt.Errorf("page comments of %s: %w", gp.ID, err)
	}
	for paging.HasNext() {
		noMore, err := paging.Next()
		res.Requests++
		if err != nil {
			return fmt.Errorf("page comments of %s: %w", gp.ID, err)
		}
		if noMore {
			break
		}
		for _, rc := range paging.Data() {
			b, err := json.Marshal(rc)
			if err != nil {
				return fmt.Errorf("encode comment: %w", err)
			}
			if err := addComment(a, gp.ID, b, now, res); err != nil {
				return err
			}
		}
	}
	return nil
}

func addComment(a moderation.Account, postID string, raw json.RawMessage, now time.Time, res *moderation.PollResult) error {
	var gc graphComment
	if err := json.Unmarshal(raw, &gc); err != nil {
		return fmt.Errorf("decode comment on %s: %w", postID, err)
	}
	if gc.ID == "" {
		return errors.New("decode comment: no id")
	}
	o := moderation.CommentObservation{
		AccountKey:   a.Key,
		PostID:       postID,
		PlatformID:   gc.ID,
		Message:      gc.Message,
		CreatedAt:    parseTime(gc.CreatedTime),
		PermalinkURL: gc.PermalinkURL,
		Hidden:       gc.IsHidden,
		Raw:          append(json.RawMessage(nil), raw...),
		Source:       moderation.SourcePoll,
		SeenAt:       now,
	}
	if gc.From != nil {
		o.Author = moderation.Author{ID: gc.From.ID, Name: gc.From.Name}
	}
	if gc.Parent != nil {
		o.ParentID = gc.Parent.ID
	}
	res.Comments = append(res.Comments, o)
	return nil
}

// parseTime reads Graph's "2026-01-02T15:04:05+0000" timestamps.
func parseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
