package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Connector.
type Options struct {
	Client *facebook.Client
	// Window is how far back the cheap poll looks (default 72 hours).
	Window time.Duration
	// MediaLimit is the number of media per page in the cheap poll
	// (default 25); the reconcile pass reads 100 per page.
	MediaLimit int
	Now        func() time.Time
}

// Connector reads Instagram professional accounts. It implements
// moderation.Connector and moderation.Reconciler.
type Connector struct {
	opts Options
}

// New returns a Connector.
func New(opts Options) *Connector {
	if opts.Window <= 0 {
		opts.Window = 72 * time.Hour
	}
	if opts.MediaLimit <= 0 {
		opts.MediaLimit = 25
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Connector{opts: opts}
}

// CommentFields are the fields uppsikt stores for every Instagram comment.
const CommentFields = "id,text,username,from,timestamp,hidden,like_count,parent_id"

const mediaFields = "id,caption,timestamp,permalink,username,media_type," +
	"comments.limit(100){" + CommentFields + ",replies.limit(100){" + CommentFields + "}}"

type igAuthor struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type igList struct {
	Data   []json.RawMessage `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

type igComment struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Username  string    `json:"username"`
	From      *igAuthor `json:"from"`
	Timestamp string    `json:"timestamp"`
	Hidden    bool      `json:"hidden"`
	ParentID  string    `json:"parent_id"`
	Replies   *igList   `json:"replies"`
	Media     *struct {
		ID string `json:"id"`
	} `json:"media"`
}

type igMedia struct {
	ID        string  `json:"id"`
	Caption   string  `json:"caption"`
	Timestamp string  `json:"timestamp"`
	Permalink string  `json:"permalink"`
	Username  string  `json:"username"`
	Comments  *igList `json:"comments"`
}

// Poll reads the media of the last Window with their comments and replies.
func (c *Connector) Poll(ctx context.Context, a moderation.Account, cur moderation.Cursor) (moderation.PollResult, error) {
	now := c.opts.Now()
	res := moderation.PollResult{Cursor: moderation.Cursor{AccountKey: a.Key, Since: cur.Since, UpdatedAt: now}}
	err := c.walk(ctx, a, now.Add(-c.opts.Window), c.opts.MediaLimit, moderation.SourcePoll, &res.Requests,
		func(_ context.Context, page []mediaComments) error {
			for _, mc := range page {
				res.Posts = append(res.Posts, mc.post)
				res.Comments = append(res.Comments, mc.comments...)
				if mc.post.CreatedAt.After(res.Cursor.Since) {
					res.Cursor.Since = mc.post.CreatedAt
				}
			}
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("poll %s: %w", a.Key, err)
	}
	return res, nil
}

// Reconcile walks every media item since o.Since with all its comments and
// replies and reports comments that disappeared.
func (c *Connector) Reconcile(ctx context.Context, a moderation.Account, o moderation.ReconcileOptions) (int, error) {
	requests := 0
	seen := map[string]bool{}
	err := c.walk(ctx, a, o.Since, 100, o.Source, &requests, func(ctx context.Context, page []mediaComments) error {
		now := c.opts.Now()
		var res moderation.PollResult
		for _, mc := range page {
			seen[mc.post.PlatformID] = true
			res.Posts = append(res.Posts, mc.post)
			res.Comments = append(res.Comments, mc.comments...)
			changes, reread, err := facebook.CheckMissing(ctx, a, o, mc.post.PlatformID, mc.comments, now, c.FetchComment, &requests)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, changes...)
			res.Comments = append(res.Comments, reread...)
		}
		return o.Emit(ctx, res)
	})
	if err == nil {
		// Media deleted as a whole take their stored comments with them.
		err = facebook.EmitGonePosts(ctx, c.opts.Client, a, o, seen, &requests)
	}
	if err != nil {
		return requests, fmt.Errorf("reconcile %s: %w", a.Key, err)
	}
	return requests, nil
}

// Probe asks for the Instagram account's id with its page's token, the
// cheapest call that proves the token is accepted (moderation.Prober). A
// rejected token is a *facebook.TokenError.
func (c *Connector) Probe(ctx context.Context, a moderation.Account) (int, error) {
	return facebook.Probe(ctx, c.opts.Client, a)
}

// FetchComment reads one comment or reply; postID may be empty, in which
// case the comment's media id is used. A deleted comment answers an error
// for which facebook.IsGone is true.
func (c *Connector) FetchComment(ctx context.Context, a moderation.Account, postID, commentID string, source moderation.Source, n *int) (moderation.CommentObservation, error) {
	r, err := c.opts.Client.Get(ctx, a, "/"+commentID, fb.Params{"fields": CommentFields + ",media{id}"}, n)
	if err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("read comment %s: %w", commentID, err)
	}
	raw, err := json.Marshal(facebook.StripMeta(r))
	if err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("encode comment: %w", err)
	}
	var gc igComment
	if err := json.Unmarshal(raw, &gc); err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("decode comment %s: %w", commentID, err)
	}
	if postID == "" && gc.Media != nil {
		postID = gc.Media.ID
	}
	return observation(a, postID, "", raw, source, c.opts.Now())
}

type mediaComments struct {
	post     moderation.Post
	comments []moderation.CommentObservation
}

// walk reads media newest first until one older than since, limit per
// page, and hands every page to fn.
func (c *Connector) walk(ctx context.Context, a moderation.Account, since time.Time, limit int, source moderation.Source, n *int, fn func(context.Context, []mediaComments) error) error {
	r, err := c.opts.Client.Get(ctx, a, "/"+a.PlatformID+"/media", fb.Params{"fields": mediaFields, "limit": limit}, n)
	if err != nil {
		return fmt.Errorf("read media: %w", err)
	}
	for {
		var list igList
		if err := facebook.Decode(r, &list); err != nil {
			return fmt.Errorf("decode media: %w", err)
		}
		now := c.opts.Now()
		var page []mediaComments
		older := false
		for _, raw := range list.Data {
			mc, err := c.readMedia(ctx, a, raw, source, now, n)
			if err != nil {
				return err
			}
			if !mc.post.CreatedAt.IsZero() && mc.post.CreatedAt.Before(since) {
				older = true // media are listed newest first
				break
			}
			page = append(page, mc)
		}
		if err := fn(ctx, page); err != nil {
			return err
		}
		if older || list.Paging.Next == "" || len(list.Data) == 0 {
			return nil
		}
		if r, err = c.opts.Client.Next(ctx, a, list.Paging.Next, n); err != nil {
			return fmt.Errorf("page media: %w", err)
		}
	}
}

func (c *Connector) readMedia(ctx context.Context, a moderation.Account, raw json.RawMessage, source moderation.Source, now time.Time, n *int) (mediaComments, error) {
	var m igMedia
	if err := json.Unmarshal(raw, &m); err != nil {
		return mediaComments{}, fmt.Errorf("decode media: %w", err)
	}
	if m.ID == "" {
		// Its comments could not be told apart from another media item's.
		return mediaComments{}, errors.New("decode media: no id")
	}
	mc := mediaComments{post: moderation.Post{
		AccountKey: a.Key, PlatformID: m.ID, Message: m.Caption, CreatedAt: facebook.ParseTime(m.Timestamp),
		PermalinkURL: m.Permalink, FirstSeenAt: now, Raw: raw,
		Author: moderation.Author{ID: a.PlatformID, Name: m.Username},
	}}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		delete(fields, "comments")
		mc.post.Raw, _ = json.Marshal(fields)
	}
	if m.Comments == nil {
		return mc, nil
	}
	err := c.eachPage(ctx, a, *m.Comments, n, func(rc json.RawMessage) error {
		var gc igComment
		if err := json.Unmarshal(rc, &gc); err != nil {
			return fmt.Errorf("decode comment on %s: %w", m.ID, err)
		}
		o, err := observation(a, m.ID, "", rc, source, now)
		if err != nil {
			return err
		}
		mc.comments = append(mc.comments, o)
		if gc.Replies == nil {
			return nil
		}
		return c.eachPage(ctx, a, *gc.Replies, n, func(rr json.RawMessage) error {
			o, err := observation(a, m.ID, gc.ID, rr, source, now)
			if errors.Is(err, errSelfParent) {
				return nil // the comment itself again, listed as its own reply
			}
			if err != nil {
				return err
			}
			mc.comments = append(mc.comments, o)
			return nil
		})
	})
	return mc, err
}

// eachPage calls fn for every item of a list, following paging.next.
func (c *Connector) eachPage(ctx context.Context, a moderation.Account, list igList, n *int, fn func(json.RawMessage) error) error {
	for {
		for _, item := range list.Data {
			if err := fn(item); err != nil {
				return err
			}
		}
		if list.Paging.Next == "" || len(list.Data) == 0 {
			return nil
		}
		r, err := c.opts.Client.Next(ctx, a, list.Paging.Next, n)
		if err != nil {
			return fmt.Errorf("page comments: %w", err)
		}
		list = igList{}
		if err := facebook.Decode(r, &list); err != nil {
			return fmt.Errorf("decode comments: %w", err)
		}
	}
}

// errSelfParent is a comment listed as its own reply.
var errSelfParent = errors.New("decode comment: a comment that is its own parent")

func observation(a moderation.Account, postID, parentID string, raw json.RawMessage, source moderation.Source, now time.Time) (moderation.CommentObservation, error) {
	var gc igComment
	if err := json.Unmarshal(raw, &gc); err != nil {
		return moderation.CommentObservation{}, fmt.Errorf("decode comment on %s: %w", postID, err)
	}
	if gc.ID == "" {
		return moderation.CommentObservation{}, errors.New("decode comment: no id")
	}
	if parentID == "" && gc.ParentID != gc.ID {
		parentID = gc.ParentID
	}
	if parentID == gc.ID {
		// No comment answers itself: a malformed answer, not a thread.
		return moderation.CommentObservation{}, errSelfParent
	}
	// Keep the raw answer without the nested replies, stored per reply.
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		if _, ok := fields["replies"]; ok {
			delete(fields, "replies")
			raw, _ = json.Marshal(fields)
		}
	}
	o := moderation.CommentObservation{
		AccountKey: a.Key, PostID: postID, PlatformID: gc.ID, ParentID: parentID,
		Message: gc.Text, CreatedAt: facebook.ParseTime(gc.Timestamp), Hidden: gc.Hidden,
		Raw: append(json.RawMessage(nil), raw...), Source: source, SeenAt: now,
		Author: moderation.Author{Name: gc.Username},
	}
	if gc.From != nil {
		o.Author.ID = gc.From.ID
		if o.Author.Name == "" {
			o.Author.Name = gc.From.Username
		}
	}
	return o, nil
}
