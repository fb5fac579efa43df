package moderation

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{-1, 5 * time.Second}, {0, 5 * time.Second}, {1, 10 * time.Second}, {3, 40 * time.Second},
		{7, 640 * time.Second}, {8, 15 * time.Minute}, {40, 15 * time.Minute}, {100, 15 * time.Minute},
	} {
		if got := Backoff(5*time.Second, 15*time.Minute, tc.attempts); got != tc.want {
			t.Errorf("Backoff(5s, 15m, %d) = %s, want %s", tc.attempts, got, tc.want)
		}
	}
}
