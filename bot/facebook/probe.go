package facebook

import (
	"context"
	"fmt"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// Probe asks for the page's id with its token, the cheapest call that
// proves the token is accepted (moderation.Prober). A rejected token is a
// *TokenError.
func (c *Connector) Probe(ctx context.Context, a moderation.Account) (int, error) {
	return Probe(ctx, c.client, a)
}

// Probe asks Graph for the account's own node, fields=id, with its token;
// the Facebook and Instagram connectors share it.
func Probe(ctx context.Context, cl *Client, a moderation.Account) (int, error) {
	n := 0
	if _, err := cl.Get(ctx, a, "/"+a.PlatformID, fb.Params{"fields": "id"}, &n); err != nil {
		return n, fmt.Errorf("probe %s: %w", a.Key, err)
	}
	return n, nil
}
