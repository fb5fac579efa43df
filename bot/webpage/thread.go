package webpage

import (
	"context"

	"github.com/uppsikt/uppsikt/moderation"
)

// Thread returns the text of every comment the page of postID still shows
// in the account's comment section, by the comment's id: what a snapshot
// asks the platform.
func (c *Connector) Thread(ctx context.Context, a moderation.Account, postID string) (map[string]string, error) {
	res, err := c.Poll(ctx, a, moderation.Cursor{AccountKey: a.Key})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, cm := range res.Comments {
		if cm.PostID == postID {
			out[cm.PlatformID] = cm.Message
		}
	}
	return out, nil
}
