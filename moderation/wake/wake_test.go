package wake

import (
	"context"
	"testing"
	"time"
)

// TestLoop: a round at once, one more per Notify (however many arrive
// during a round), none after the context ends. The idle wait is an hour so
// that only signals can cause the later rounds.
func TestLoop(t *testing.T) {
	s := New()
	ctx, cancel := context.WithCancel(context.Background())
	rounds := make(chan int, 10)
	release := make(chan struct{})
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		s.Loop(ctx, time.Hour, func() {
			n++
			rounds <- n
			if n == 2 {
				<-release
			}
		})
	}()
	if got := <-rounds; got != 1 {
		t.Fatalf("first round: got %d, want 1", got)
	}
	s.Notify()
	if got := <-rounds; got != 2 {
		t.Fatalf("after a signal: got round %d, want 2", got)
	}
	for range 5 { // during round 2: folded into one more round
		s.Notify()
	}
	close(release)
	if got := <-rounds; got != 3 {
		t.Fatalf("after signals during a round: got round %d, want 3", got)
	}
	cancel()
	<-done
	select {
	case r := <-rounds:
		t.Errorf("round %d ran after the signals were used up", r)
	default:
	}
}
