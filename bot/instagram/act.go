package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
		return fmt.Errorf("instagram: hide comment: %w", goneErr(err))
	}
	return nil
}

// deleteComment deletes a comment. A comment that is already gone (error
// 100, subcode 33) gives an error wrapping removal.ErrGone.
func (c *Connector) deleteComment(ctx context.Context, a moderation.Account, commentID string) error {
	if _, err := c.opts.Client.Delete(ctx, a, "/"+commentID, nil); err != nil {
		return fmt.Errorf("instagram: delete comment: %w", goneErr(err))
	}
	return nil
}

// goneErr marks the Graph API's "object does not exist" as removal.ErrGone.
func goneErr(err error) error {
	if facebook.IsGone(err) {
		return fmt.Errorf("%w: %w", removal.ErrGone, err)
	}
	return err
}

// Reply answers a top-level, visible comment and returns the reply's id.
func (c *Connector) Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	res, err := c.opts.Client.Post(ctx, a, "/"+commentID+"/replies", fb.Params{"message": message}, nil)
	if err != nil {
		return "", fmt.Errorf("instagram: reply to comment: %w", err)
	}
	id, _ := res["id"].(string)
	return id, nil
}

// PrivateReply is not offered on Instagram; it returns ErrNoPrivateReply.
func (c *Connector) PrivateReply(context.Context, moderation.Account, string, string) (string, error) {
	return "", ErrNoPrivateReply
}

// FindReplies lists the replies the account has made to a comment with
// exactly this message, created at or after since, oldest first, so that a
// reply whose answer was lost is recorded instead of sent twice. Instagram
// replies hang under the top-level comment.
func (c *Connector) FindReplies(ctx context.Context, a moderation.Account, commentID, parentID, message string, since time.Time) ([]string, error) {
	thread := commentID
	if parentID != "" {
		thread = parentID
	}
	var out []string
	err := c.opts.Client.Each(ctx, a, "/"+thread+"/replies", fb.Params{"fields": "id,text,username,timestamp,from{id,username}", "limit": 100}, nil,
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
			if own && strings.TrimSpace(r.Text) == strings.TrimSpace(message) &&
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
