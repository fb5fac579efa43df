package instagram

import (
	"context"
	"errors"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
)

// ErrNoPrivateReply is returned by PrivateReply: uppsikt sends no private
// replies on Instagram.
var ErrNoPrivateReply = errors.New("instagram: private replies are not supported")

// Hide hides (hidden=true) or unhides a comment. Sending the same state
// again is harmless.
func (c *Connector) Hide(ctx context.Context, a moderation.Account, commentID string, hidden bool) error {
	if _, err := c.opts.Client.Post(ctx, a, "/"+commentID, fb.Params{"hide": hidden}, nil); err != nil {
		return fmt.Errorf("instagram: hide comment: %w", err)
	}
	return nil
}

// Delete deletes a comment. A comment that is already gone (error 100,
// subcode 33) counts as deleted.
func (c *Connector) Delete(ctx context.Context, a moderation.Account, commentID string) error {
	if _, err := c.opts.Client.Delete(ctx, a, "/"+commentID, nil); err != nil && !facebook.IsGone(err) {
		return fmt.Errorf("instagram: delete comment: %w", err)
	}
	return nil
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
