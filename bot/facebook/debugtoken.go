package facebook

import (
	"context"
	"errors"
	"fmt"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// DebugToken asks Graph's debug_token about the account's own token (the
// token inspects itself, so no other secret is needed): whether it is
// valid, when it expires and when its data access ends. A token Meta
// rejects outright (the call itself answered code 190) is reported as not
// valid, not as an error. The token is never part of what is returned or
// of an error.
func (c *Client) DebugToken(ctx context.Context, a moderation.Account) (moderation.TokenCheck, error) {
	check := moderation.TokenCheck{CheckedAt: c.opts.Now()}
	token := c.opts.Tokens[a.Key]
	if token == "" {
		return check, fmt.Errorf("debug token of %s: no access token configured", a.Key)
	}
	res, err := c.Get(ctx, a, "/debug_token", fb.Params{"input_token": token}, nil)
	var te *TokenError
	if errors.As(err, &te) {
		return check, nil
	}
	if err != nil {
		return check, fmt.Errorf("debug token of %s: %w", a.Key, err)
	}
	var answer struct {
		Data struct {
			IsValid             bool  `json:"is_valid"`
			ExpiresAt           int64 `json:"expires_at"`
			DataAccessExpiresAt int64 `json:"data_access_expires_at"`
		} `json:"data"`
	}
	if err := Decode(res, &answer); err != nil {
		return check, fmt.Errorf("debug token of %s: %w", a.Key, err)
	}
	check.Valid = answer.Data.IsValid
	if answer.Data.ExpiresAt > 0 {
		check.ExpiresAt = time.Unix(answer.Data.ExpiresAt, 0).UTC()
	}
	if answer.Data.DataAccessExpiresAt > 0 {
		check.DataAccessExpiresAt = time.Unix(answer.Data.DataAccessExpiresAt, 0).UTC()
	}
	return check, nil
}
