package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// ErrNoPrivateReply is returned by PrivateReply: uppsikt sends no private
// replies on Instagram.
var ErrNoPrivateReply = errors.New("instagram: private replies are not supported")

// Removal hands the connector's removal calls to the one remover
// (moderation/removal): hiding and deleting comments are reachable only
// through its Gate, which checks the evidence first. Own media cannot be
// deleted through the API (deletePost).
func (c *Connector) Removal() removal.Calls {
	return removal.NewCalls(c.hideComment, c.deleteComment, c.deletePost)
}

// hideComment hides (hidden=true) or unhides a comment. Sending the same
// state again is harmless. A comment that no longer exists (error 100,
// subcode 33) gives an error wrapping removal.ErrGone.
func (c *Connector) hideComment(ctx context.Context, a moderation.Account, commentID string, hidden bool) error {
	if _, err := c.opts.Client.Post(ctx, a, "/"+commentID, fb.Params{"hide": hidden}, nil); err != nil {
		return fmt.Errorf("instagram: hide comment: %w", facebook.GoneErr(err))
	}
	return nil
}

// deleteComment deletes a comment. A comment that is already gone (error
// 100, subcode 33) gives an error wrapping removal.ErrGone.
func (c *Connector) deleteComment(ctx context.Context, a moderation.Account, commentID string) error {
	if _, err := c.opts.Client.Delete(ctx, a, "/"+commentID, nil); err != nil {
		return fmt.Errorf("instagram: delete comment: %w", facebook.GoneErr(err))
	}
	return nil
}

// Reply answers a comment and returns the reply's id. Instagram takes
// replies only under top-level comments that are not hidden: a reply to a
// reply goes under its top-level comment, and a comment uppsikt has hidden
// (the usual case when a removal is approved) is answered by a comment on
// the media; both begin with "@username " so that the author is told.
func (c *Connector) Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	id, err := c.replyUnder(ctx, a, commentID, message)
	if err == nil || refusal(err) == "" {
		return id, err
	}
	t, terr := c.target(ctx, a, commentID)
	if terr != nil {
		return "", fmt.Errorf("instagram: reply to comment: %w (and reading it: %w)", err, terr)
	}
	mention := "@" + t.Username + " " + message
	if t.Parent != "" && refusal(err) == "nested" {
		id, err = c.replyUnder(ctx, a, t.Parent, mention)
		if err == nil || refusal(err) != "hidden" {
			return id, err
		}
	}
	res, err := c.opts.Client.Post(ctx, a, "/"+t.Media+"/comments", fb.Params{"message": mention}, nil)
	if err != nil {
		return "", fmt.Errorf("instagram: comment on media for a hidden comment: %w", err)
	}
	id, _ = res["id"].(string)
	return id, nil
}

func (c *Connector) replyUnder(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	res, err := c.opts.Client.Post(ctx, a, "/"+commentID+"/replies", fb.Params{"message": message}, nil)
	if err != nil {
		return "", fmt.Errorf("instagram: reply to comment: %w", err)
	}
	id, _ := res["id"].(string)
	return id, nil
}

// refusal names why Instagram refused a reply: "hidden" for a hidden
// comment, "nested" for a reply to a reply, "" for anything else.
func refusal(err error) string {
	var fe *fb.Error
	if !errors.As(err, &fe) || fe.Code != 100 {
		return ""
	}
	m := strings.ToLower(fe.Message)
	switch {
	case strings.Contains(m, "hidden"):
		return "hidden"
	case strings.Contains(m, "top-level") || strings.Contains(m, "top level"):
		return "nested"
	}
	return ""
}

// replyTarget is what a reply that cannot hang under its comment needs.
type replyTarget struct {
	Username, Parent, Media string
}

func (c *Connector) target(ctx context.Context, a moderation.Account, commentID string) (replyTarget, error) {
	res, err := c.opts.Client.Get(ctx, a, "/"+commentID, fb.Params{"fields": "username,parent_id,media{id}"}, nil)
	if err != nil {
		return replyTarget{}, err
	}
	var t replyTarget
	t.Username, _ = res["username"].(string)
	t.Parent, _ = res["parent_id"].(string)
	if m, ok := res["media"].(map[string]any); ok {
		t.Media, _ = m["id"].(string)
	}
	if t.Username == "" || t.Media == "" {
		return t, fmt.Errorf("instagram: comment %s has no username or media", commentID)
	}
	return t, nil
}

// PrivateReply is not offered on Instagram; it returns ErrNoPrivateReply.
func (c *Connector) PrivateReply(context.Context, moderation.Account, string, string) (string, error) {
	return "", ErrNoPrivateReply
}

// FindReplies lists the replies the account has made to a comment with
// this message, created at or after since, oldest first, so that a reply
// whose answer was lost is recorded instead of sent twice. It looks where
// Reply may have put it: under the top-level comment, as the message or as
// "@username message", and on the media as "@username message".
func (c *Connector) FindReplies(ctx context.Context, a moderation.Account, commentID, parentID, message string, since time.Time) ([]string, error) {
	thread := commentID
	if parentID != "" {
		thread = parentID
	}
	texts := []string{strings.TrimSpace(message)}
	t, err := c.target(ctx, a, commentID)
	switch {
	case facebook.IsGone(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("instagram: find replies: %w", err)
	}
	texts = append(texts, strings.TrimSpace("@"+t.Username+" "+message))
	out, err := c.ownComments(ctx, a, "/"+thread+"/replies", texts, since)
	if err != nil {
		return nil, err
	}
	onMedia, err := c.ownComments(ctx, a, "/"+t.Media+"/comments", texts[1:], since)
	if err != nil {
		return nil, err
	}
	return append(out, onMedia...), nil
}

// ownComments lists the comments on edge that the account made at or after
// since with one of texts, oldest first.
func (c *Connector) ownComments(ctx context.Context, a moderation.Account, edge string, texts []string, since time.Time) ([]string, error) {
	var out []string
	err := c.opts.Client.Each(ctx, a, edge, fb.Params{"fields": "id,text,username,timestamp,from{id,username}", "limit": 100}, nil,
		func(raw json.RawMessage) error {
			var r struct {
				ID        string `json:"id"`
				Text      string `json:"text"`
				Username  string `json:"username"`
				Timestamp string `json:"timestamp"`
				From      struct {
					ID string `json:"id"`
				} `json:"from"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			own := r.From.ID == a.PlatformID || (r.From.ID == "" && a.Name != "" && r.Username == a.Name)
			if own && slices.Contains(texts, strings.TrimSpace(r.Text)) &&
				!facebook.ParseTime(r.Timestamp).Before(since.Truncate(time.Second)) {
				out = append(out, r.ID)
			}
			return nil
		})
	switch {
	case facebook.IsGone(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("instagram: find replies: %w", err)
	}
	return out, nil
}

// Explain tells the author of a removed comment, in public, that it was
// removed and why, where the answer stays after the removal: a reply under
// the removed comment would go with it, and Instagram takes replies only
// under top-level comments that are not hidden. A reply in a thread is
// answered under its top-level comment; a top-level comment, or a reply
// whose top-level comment is hidden or gone, by a comment on the media.
// The answer begins with "@username " so that the author is told. It
// returns the id of the comment made.
func (c *Connector) Explain(ctx context.Context, a moderation.Account, cm moderation.Comment, message string) (string, error) {
	message = mention(cm.Author.Name, message)
	if cm.ParentID != "" {
		id, err := c.replyUnder(ctx, a, cm.ParentID, message)
		if err == nil || (refusal(err) == "" && !facebook.IsGone(err)) {
			return id, err
		}
	}
	res, err := c.opts.Client.Post(ctx, a, "/"+cm.PostID+"/comments", fb.Params{"message": message}, nil)
	if err != nil {
		return "", fmt.Errorf("instagram: comment on media: %w", err)
	}
	id, _ := res["id"].(string)
	return id, nil
}

// FindExplanations lists the answers Explain may already have made for cm
// with this message at or after since, oldest first: under its top-level
// comment and on its media.
func (c *Connector) FindExplanations(ctx context.Context, a moderation.Account, cm moderation.Comment, message string, since time.Time) ([]string, error) {
	texts := []string{strings.TrimSpace(mention(cm.Author.Name, message))}
	var out []string
	if cm.ParentID != "" {
		ids, err := c.ownComments(ctx, a, "/"+cm.ParentID+"/replies", texts, since)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	ids, err := c.ownComments(ctx, a, "/"+cm.PostID+"/comments", texts, since)
	if err != nil {
		return nil, err
	}
	return append(out, ids...), nil
}

// mention puts "@username " before an answer, when the username is known.
func mention(username, message string) string {
	if username = strings.TrimPrefix(strings.TrimSpace(username), "@"); username == "" {
		return message
	}
	return "@" + username + " " + message
}
