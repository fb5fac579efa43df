package facebook

import (
	"context"
	"encoding/json"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Thread returns the text of every comment and reply the post still has on
// the page, by the comment's id: what a snapshot asks the platform.
func (c *Connector) Thread(ctx context.Context, a moderation.Account, postID string) (map[string]string, error) {
	out := map[string]string{}
	err := c.client.Each(ctx, a, "/"+postID+"/comments", fb.Params{"filter": "stream", "fields": "id,message", "limit": 100}, nil, func(raw json.RawMessage) error {
		var cm struct {
			ID      string `json:"id"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(raw, &cm); err != nil {
			return err
		}
		out[cm.ID] = cm.Message
		return nil
	})
	return out, err
}
