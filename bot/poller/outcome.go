package poller

import (
	"errors"
	"time"
)

// Poll outcomes, as Outcome names them (the outcome label of
// uppsikt_account_polls_total).
const (
	OutcomeOK       = "ok"             // the account was read
	OutcomeFailed   = "failed"         // the cycle ended in an error
	OutcomeBackoff  = "backoff"        // rate limited or the platform unavailable: the next poll waits for the time it gave
	OutcomeRejected = "token_rejected" // the platform rejected the token: the account is now disconnected
	OutcomeSkipped  = "skipped"        // not read: the account is disconnected or closed
)

// Outcome names how a poll ended, from its error (Options.Polled's).
func Outcome(err error) string {
	var (
		tokenErr interface{ StatusNote() string }
		later    interface{ RetryAt() time.Time }
	)
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &tokenErr):
		return OutcomeRejected
	case errors.As(err, &later):
		return OutcomeBackoff
	}
	return OutcomeFailed
}
