package moderation

import "time"

// Backoff is the wait after attempts failed attempts of a queued piece of
// work (a work item, an action, a webhook delivery): base doubled per
// earlier attempt, at most max. Callers spread it with their own jitter.
func Backoff(base, max time.Duration, attempts int) time.Duration {
	if attempts < 0 {
		attempts = 0
	}
	if attempts >= 62 {
		return max
	}
	if d := base << attempts; d > 0 && d < max && d>>attempts == base {
		return d
	}
	return max
}
