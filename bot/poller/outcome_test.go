package poller

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/facebook"
)

func TestOutcome(t *testing.T) {
	until := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"read", nil, OutcomeOK},
		{"token rejected", fmt.Errorf("poll: %w", &facebook.TokenError{AccountKey: "fb", Code: 190}), OutcomeRejected},
		{"rate limited", &facebook.ThrottledError{AccountKey: "fb", Until: until}, OutcomeBackoff},
		{"platform unavailable", &facebook.UnavailableError{AccountKey: "fb", Until: until, Failures: 3}, OutcomeBackoff},
		{"other error", errors.New("store cursor: disk I/O error"), OutcomeFailed},
		{"a probe that could not reach the platform", errors.New("connection refused"), OutcomeFailed},
	}
	for _, tt := range tests {
		if got := Outcome(tt.err); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
