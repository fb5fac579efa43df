package answers

import (
	"testing"
	"time"
)

// TestSleep: the loop sleeps until the next reminder falls due, at most
// CheckEvery, and not at all for one already due.
func TestSleep(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := New(Options{CheckEvery: time.Minute, Now: func() time.Time { return now }})
	tests := []struct {
		name string
		next time.Time
		want time.Duration
	}{
		{"nothing waiting: the next check", time.Time{}, time.Minute},
		{"a reminder in 20 seconds", now.Add(20 * time.Second), 20 * time.Second},
		{"a reminder in an hour: the next check first", now.Add(time.Hour), time.Minute},
		{"a reminder already due", now.Add(-time.Second), 0},
	}
	for _, tt := range tests {
		if got := l.sleep(tt.next); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	l := New(Options{})
	if l.opts.Within != 36*time.Hour || l.opts.CheckEvery != time.Minute || l.opts.Now == nil || l.opts.Logger == nil {
		t.Errorf("defaults: got within %s, check every %s", l.opts.Within, l.opts.CheckEvery)
	}
}
