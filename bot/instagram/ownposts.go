package instagram

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.PostChecker = (*Connector)(nil)

// deletePost makes no call: the Instagram Graph API that uppsikt uses
// deletes comments, not media, so an Instagram post is removed by a person
// in the Instagram app. It returns an error wrapping
// moderation.ErrManualRemoval with what the person must do. It is reached
// through Removal.
func (c *Connector) deletePost(_ context.Context, a moderation.Account, postID string) error {
	return fmt.Errorf("instagram: media %s on %s: %w (open the post in the Instagram app, choose ··· and Delete)",
		postID, a.Name, moderation.ErrManualRemoval)
}

// PostGone reads the media item back and reports whether the Graph API says
// it does not exist (error 100, subcode 33).
func (c *Connector) PostGone(ctx context.Context, a moderation.Account, postID string) (bool, error) {
	_, err := c.opts.Client.Get(ctx, a, "/"+postID, fb.Params{"fields": "id"}, nil)
	switch {
	case err == nil:
		return false, nil
	case facebook.IsGone(err):
		return true, nil
	}
	return false, fmt.Errorf("instagram: read media: %w", err)
}
