package facebook

import (
	"context"
	"testing"
)

func TestSubscribe(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a := r.fb[0]
	if got, err := r.conn.Subscribed(ctx, a); err != nil || got {
		t.Fatalf("before subscribing: got %v, %v; want false, nil", got, err)
	}
	for range 2 { // a second subscription is harmless
		if err := r.conn.Subscribe(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := r.conn.Subscribed(ctx, a); err != nil || !got {
		t.Fatalf("after subscribing: got %v, %v; want true, nil", got, err)
	}
}
