package facebook

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.PostChecker = (*Connector)(nil)

// deletePost deletes one of the page's own posts (DELETE /{post-id}). A
// post that is already gone (error 100, subcode 33) gives an error wrapping
// removal.ErrGone, which the Gate counts as deleted, so a deletion
// repeated after a crash is safe. It is reached through Removal.
func (c *Connector) deletePost(ctx context.Context, a moderation.Account, postID string) error {
	if _, err := c.client.Delete(ctx, a, "/"+postID, nil); err != nil {
		return fmt.Errorf("facebook: delete post: %w", GoneErr(err))
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
