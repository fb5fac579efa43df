package facebook

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.PostRemover = (*Connector)(nil)

// DeletePost deletes one of the page's own posts (DELETE /{post-id}). A
// post that is already gone (error 100, subcode 33) counts as deleted, so
// a deletion repeated after a crash is safe.
func (c *Connector) DeletePost(ctx context.Context, a moderation.Account, postID string) error {
	if _, err := c.client.Delete(ctx, a, "/"+postID, nil); err != nil && !IsGone(err) {
		return fmt.Errorf("facebook: delete post: %w", err)
	}
	return nil
}

// PostGone reads the post back and reports whether the Graph API says it
// does not exist (error 100, subcode 33).
func (c *Connector) PostGone(ctx context.Context, a moderation.Account, postID string) (bool, error) {
	_, err := c.client.Get(ctx, a, "/"+postID, fb.Params{"fields": "id"}, nil)
	switch {
	case err == nil:
		return false, nil
	case IsGone(err):
		return true, nil
	}
	return false, fmt.Errorf("facebook: read post: %w", err)
}
