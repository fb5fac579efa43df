package instagram

import (
	"context"
	"encoding/json"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Thread returns the text of every comment and reply the media still has
// on the account, by the comment's id: what a snapshot asks the platform.
// Top-level comments come with their replies nested; a long reply list is
// paged on its own.
func (c *Connector) Thread(ctx context.Context, a moderation.Account, mediaID string) (map[string]string, error) {
	client := c.opts.Client
	out := map[string]string{}
	err := client.Each(ctx, a, "/"+mediaID+"/comments", fb.Params{"fields": "id,text,replies{id,text}", "limit": 100}, nil, func(raw json.RawMessage) error {
		var cm struct {
			ID      string `json:"id"`
			Text    string `json:"text"`
			Replies struct {
				Data []struct {
					ID   string `json:"id"`
					Text string `json:"text"`
				} `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			} `json:"replies"`
		}
		if err := json.Unmarshal(raw, &cm); err != nil {
			return err
		}
		out[cm.ID] = cm.Text
		for _, r := range cm.Replies.Data {
			out[r.ID] = r.Text
		}
		if cm.Replies.Paging.Next == "" {
			return nil
		}
		return client.Each(ctx, a, "/"+cm.ID+"/replies", fb.Params{"fields": "id,text", "limit": 100}, nil, func(raw json.RawMessage) error {
			var r struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			out[r.ID] = r.Text
			return nil
		})
	})
	return out, err
}
