package facebook

import (
	"context"
	"encoding/json"
	"fmt"
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
	var out []string
	err := c.client.Each(ctx, a, "/"+thread+"/comments", fb.Params{"fields": "id,from{id},message,created_time", "filter": "stream", "limit": 100}, nil,
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
