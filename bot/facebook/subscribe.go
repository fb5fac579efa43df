package facebook

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Subscribe asks Meta to send the page's feed changes (comments added,
// edited, removed, hidden) to the app's webhook. Without it no webhook
// arrives for the page and only polling finds new comments. Subscribing
// again is harmless, so the service does it at every start.
func (c *Connector) Subscribe(ctx context.Context, a moderation.Account) error {
	res, err := c.opts.Client.Post(ctx, a, "/"+a.PlatformID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"}, nil)
	if err != nil {
		return fmt.Errorf("subscribe %s to webhooks: %w", a.Key, err)
	}
	if ok, _ := res["success"].(bool); !ok {
		return fmt.Errorf("subscribe %s to webhooks: the platform did not confirm", a.Key)
	}
	return nil
}

// Subscribed reports whether the page's feed is subscribed to the app's webhook.
func (c *Connector) Subscribed(ctx context.Context, a moderation.Account) (bool, error) {
	res, err := c.opts.Client.Get(ctx, a, "/"+a.PlatformID+"/subscribed_apps", nil, nil)
	if err != nil {
		return false, fmt.Errorf("read webhook subscription of %s: %w", a.Key, err)
	}
	var list struct {
		Data []struct {
			SubscribedFields []string `json:"subscribed_fields"`
		} `json:"data"`
	}
	if err := res.Decode(&list); err != nil {
		return false, fmt.Errorf("read webhook subscription of %s: %w", a.Key, err)
	}
	for _, app := range list.Data {
		for _, f := range app.SubscribedFields {
			if f == "feed" {
				return true, nil
			}
		}
	}
	return false, nil
}
