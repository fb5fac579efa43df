package pipeline

import (
	"context"
	"testing"
	"time"
)

func TestStopContext(t *testing.T) {
	tests := []struct {
		name      string
		closeStop bool
		nilStop   bool
		want      bool // cancelled before release
	}{
		{"stop closed cancels", true, false, true},
		{"stop open does not", false, false, false},
		{"nil stop never cancels", false, true, false},
	}
	for _, tt := range tests {
		stop := make(chan struct{})
		var s <-chan struct{} = stop
		if tt.nilStop {
			s = nil
		}
		ctx, release := StopContext(context.Background(), s)
		if tt.closeStop {
			close(stop)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: not cancelled within 5 s", tt.name)
			}
		}
		if got := ctx.Err() != nil; got != tt.want {
			t.Errorf("%s: cancelled = %v, want %v", tt.name, got, tt.want)
		}
		release()
		if ctx.Err() == nil {
			t.Errorf("%s: context still live after release", tt.name)
		}
	}
}
