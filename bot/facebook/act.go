package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// Delete calls DELETE path for an account.
func (c *Client) Delete(ctx context.Context, a moderation.Account, path string, n *int) (fb.Result, error) {
	return c.do(ctx, a, n, func(s *fb.Session) (fb.Result, error) {
		return s.Delete(path, fb.Params{})
	})
}

// Removal hands the connector's removal calls to the one remover
// (moderation/removal): hiding and deleting comments and deleting the
// page's own posts are reachable only through its Gate, which checks the
// evidence first.
func (c *Connector) Removal() removal.Calls {
	return removal.NewCalls(c.hideComment, c.deleteComment, c.deletePost)
}

// hideComment hides (hidden=true) or unhides a comment on a Facebook page.
// Sending the same state again is harmless. A comment that no longer
// exists (error 100, subcode 33: its author deleted it) gives an error
// wrapping removal.ErrGone.
func (c *Connector) hideComment(ctx context.Context, a moderation.Account, commentID string, hidden bool) error {
	if _, err := c.client.Post(ctx, a, "/"+commentID, fb.Params{"is_hidden": hidden}, nil); err != nil {
		return fmt.Errorf("facebook: hide comment: %w", GoneErr(err))
	}
	return nil
}

// deleteComment deletes a comment. A comment that is already gone (error
// 100, subcode 33) gives an error wrapping removal.ErrGone, so a repeated
// delete is safe and an author's deletion is told apart.
func (c *Connector) deleteComment(ctx context.Context, a moderation.Account, commentID string) error {
	if _, err := c.client.Delete(ctx, a, "/"+commentID, nil); err != nil {
		return fmt.Errorf("facebook: delete comment: %w", GoneErr(err))
	}
	return nil
}

// GoneErr marks the Graph API's "object does not exist" as removal.ErrGone,
// for the removal calls of this connector and the Instagram one.
func GoneErr(err error) error {
	if IsGone(err) {
		return fmt.Errorf("%w: %w", removal.ErrGone, err)
	}
	return err
}

// Reply answers a comment in its thread, as the page, and returns the id of
// the reply.
func (c *Connector) Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	res, err := c.client.Post(ctx, a, "/"+commentID+"/comments", fb.Params{"message": message}, nil)
	if err != nil {
		return "", fmt.Errorf("facebook: reply to comment: %w", err)
	}
	id, _ := res["id"].(string)
	return id, nil
}

// PrivateReply sends the author of a comment a private message from the
// page (Messenger's private reply: once per comment, within 7 days) and
// returns the message id.
func (c *Connector) PrivateReply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	rcpt, _ := json.Marshal(map[string]string{"comment_id": commentID})
	msg, _ := json.Marshal(map[string]string{"text": message})
	res, err := c.client.Post(ctx, a, "/"+a.PlatformID+"/messages", fb.Params{"recipient": string(rcpt), "message": string(msg)}, nil)
	if err != nil {
		return "", fmt.Errorf("facebook: private reply: %w", err)
	}
	id, _ := res["message_id"].(string)
	return id, nil
}

// FindReplies lists the replies the page has made in a comment's thread
// with exactly this message, created at or after since, oldest first.
// Facebook threads are one level deep: a reply to a reply lands under the
// top-level comment, so parentID (when set) is where to look.
//
// The action executor asks before it replies, so that a reply whose answer
// was lost (a timeout after Meta created it, a crash before uppsikt
// recorded it) is recorded instead of sent a second time.
func (c *Connector) FindReplies(ctx context.Context, a moderation.Account, commentID, parentID, message string, since time.Time) ([]string, error) {
	thread := commentID
	if parentID != "" {
		thread = parentID
	}
	return c.ownComments(ctx, a, "/"+thread+"/comments", message, since)
}

// Explain tells the author of a removed comment, in public, that it was
// removed and why, where the answer stays after the removal. A reply
// under the removed comment itself would disappear with it (on Facebook a
// comment's replies go when it goes), so a reply in a thread is answered
// under its top-level comment, and a top-level comment by a comment on its
// post (also when its thread is gone). The answer begins with the
// author's name, so that it is clear whom it answers. It returns the id of
// the comment made.
func (c *Connector) Explain(ctx context.Context, a moderation.Account, cm moderation.Comment, message string) (string, error) {
	message = addressed(cm.Author.Name, message)
	if cm.ParentID != "" {
		id, err := c.Reply(ctx, a, cm.ParentID, message)
		if err == nil || !IsGone(err) {
			return id, err
		}
	}
	res, err := c.client.Post(ctx, a, "/"+cm.PostID+"/comments", fb.Params{"message": message}, nil)
	if err != nil {
		return "", fmt.Errorf("facebook: comment on post: %w", err)
	}
	id, _ := res["id"].(string)
	return id, nil
}

// FindExplanations lists the answers Explain may already have made for cm
// with this message at or after since, oldest first: under its top-level
// comment and on its post.
func (c *Connector) FindExplanations(ctx context.Context, a moderation.Account, cm moderation.Comment, message string, since time.Time) ([]string, error) {
	message = addressed(cm.Author.Name, message)
	var out []string
	if cm.ParentID != "" {
		ids, err := c.ownComments(ctx, a, "/"+cm.ParentID+"/comments", message, since)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	ids, err := c.ownComments(ctx, a, "/"+cm.PostID+"/comments", message, since)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// addressed puts the author's name before an answer ("Anna Berg: Hej! …").
func addressed(name, message string) string {
	if name = strings.TrimSpace(name); name == "" {
		return message
	}
	return name + ": " + message
}

// ownComments lists the comments on edge that the page made at or after
// since with exactly message, oldest first. An edge whose object is gone
// has none.
func (c *Connector) ownComments(ctx context.Context, a moderation.Account, edge, message string, since time.Time) ([]string, error) {
	var out []string
	err := c.client.Each(ctx, a, edge, fb.Params{"fields": "id,from{id},message,created_time", "filter": "stream", "limit": 100}, nil,
		func(raw json.RawMessage) error {
			var r struct {
				ID      string `json:"id"`
				Message string `json:"message"`
				Created string `json:"created_time"`
				From    struct {
					ID string `json:"id"`
				} `json:"from"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if r.From.ID == a.PlatformID && strings.TrimSpace(r.Message) == strings.TrimSpace(message) &&
				!ParseTime(r.Created).Before(since.Truncate(time.Second)) {
				out = append(out, r.ID)
			}
			return nil
		})
	switch {
	case IsGone(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("facebook: find replies: %w", err)
	}
	return out, nil
}
