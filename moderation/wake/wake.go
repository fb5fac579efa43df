// Package wake is the rhythm of uppsikt's background workers (the
// pipeline, the action executor, the register's delivery): a round of work
// at once, then another after an idle wait or as soon as someone signals
// that work is waiting, until the worker is stopped.
package wake

import (
	"context"
	"time"
)

// Signal tells a worker that work is waiting. Make it with New.
type Signal struct{ ch chan struct{} }

// New returns a Signal.
func New() Signal { return Signal{ch: make(chan struct{}, 1)} }

// Notify asks for a round now. It never blocks; signals that arrive while
// a round is under way are folded into one more round.
func (s Signal) Notify() {
	select {
	case s.ch <- struct{}{}:
	default:
	}
}

// Loop runs round at once, then again after idle or after Notify, until
// ctx ends. A round under way is never interrupted by Loop.
func (s Signal) Loop(ctx context.Context, idle time.Duration, round func()) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.ch:
		}
		round()
		timer.Reset(idle)
	}
}
