package facebook

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestErrorsNeverCarryTheToken: a Graph call that cannot reach the server
// fails with an error that ends up in logs and on the web page (the
// schedule's last error); it must not contain the page token, for a plain
// call nor for a paging URL that carries the token in its query.
func TestErrorsNeverCarryTheToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every call is refused
	const token = "EAAB-very-secret-page-token-1234567890"
	c := NewClient(ClientOptions{
		GraphURL: "http://" + addr + "/", Version: "v23.0", AppID: "1", AppSecret: "app-secret",
		Tokens:   map[string]string{"fb": token},
		Attempts: 2,
		Sleep:    func(context.Context, time.Duration) error { return nil },
	})
	a := moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "42"}
	ctx := context.Background()
	_, getErr := c.Get(ctx, a, "/42/feed", fb.Params{"limit": 5}, nil)
	_, nextErr := c.Next(ctx, a, "http://"+addr+"/v23.0/42/feed?access_token="+token+"&after=abc", nil)
	for name, err := range map[string]error{"get": getErr, "next": nextErr} {
		if err == nil {
			t.Fatalf("%s: a refused connection gave no error", name)
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("%s: the error reveals the token: %v", name, err)
		}
		if strings.Contains(err.Error(), "app-secret") {
			t.Errorf("%s: the error reveals the app secret: %v", name, err)
		}
	}
}
