package facebook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// graphStub answers the first request of a poll with the fuzzer's status,
// usage headers and body, and every later one (paging, whatever host its
// URL names) with an empty list. It is an http.RoundTripper that answers
// in memory: no sockets and no goroutines, so that runs are fast and their
// coverage does not depend on scheduling.
type graphStub struct {
	n              int
	status         int
	app, buc, body string
}

func (g *graphStub) set(status int, app, buc, body string) {
	g.n, g.app, g.buc, g.body = 0, app, buc, body
	g.status = status
	if g.status < 200 || g.status > 599 {
		g.status = http.StatusOK
	}
}

func (g *graphStub) RoundTrip(r *http.Request) (*http.Response, error) {
	g.n++
	rec := httptest.NewRecorder()
	if g.n > 1 {
		rec.WriteString(`{"data":[]}`)
	} else {
		// Header values are sent as the fuzzer made them, invalid bytes
		// included: a proxy may do no better.
		rec.Header()["X-App-Usage"] = []string{g.app}
		rec.Header()["X-Business-Use-Case-Usage"] = []string{g.buc}
		rec.WriteHeader(g.status)
		rec.WriteString(g.body)
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// FuzzGraphFeed feeds arbitrary Graph answers (status, usage headers and
// body) to the Facebook connector's poll and comment fetch: they must never
// panic or hang, and every comment observation they return names its
// account, post and comment.
func FuzzGraphFeed(f *testing.F) {
	const buc = `{"42":[{"type":"pages","call_count":10,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}]}`
	const app = `{"call_count":10,"total_cputime":5,"total_time":5}`
	f.Add(200, app, buc, `{"data":[{"id":"42_1","message":"Snöröjning","created_time":"2026-01-02T15:04:05+0000","from":{"id":"42","name":"Kommunen"},"comments":{"data":[{"id":"1_2","message":"Tack!","from":{"id":"7","name":"Anna"},"created_time":"2026-01-02T16:00:00+0000","parent":{"id":"1_1"},"is_hidden":false}],"paging":{"next":"https://graph.facebook.com/v23.0/42_1/comments?after=QVFI"}}}],"paging":{"next":"https://graph.facebook.com/v23.0/42/feed?after=QVFI"}}`)
	f.Add(200, app, buc, `{"data":[]}`)
	f.Add(200, app, buc, `{"id":"1_2","message":"Hej","from":null,"created_time":"2026-13-45T99:99:99+0000"}`)
	f.Add(400, app, `{"42":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":30}]}`, `{"error":{"message":"(#80001) There have been too many calls","type":"OAuthException","code":80001,"fbtrace_id":"A"}}`)
	f.Add(400, app, buc, `{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":460}}`)
	f.Add(502, "", "", `<html><body>502 Bad Gateway</body></html>`)
	f.Add(200, `{"call_count":"x"}`, `[1,2]`, `{"data":[{"id":"","comments":{"data":[{}]}}]}`)
	f.Add(200, app, buc, `{"data":[{"id":"42_1","comments":{"data":[{"id":"1_3","message":"\u0000","parent":"not an object"}]}}]}`)
	f.Fuzz(func(t *testing.T, status int, appUsage, bucUsage, body string) {
		stub := &graphStub{}
		stub.set(status, appUsage, bucUsage, body)
		now := time.Date(2026, 1, 3, 9, 0, 0, 0, time.UTC)
		client := NewClient(ClientOptions{GraphURL: "https://graph.facebook.com/", Version: "v23.0", Tokens: map[string]string{"fb": "tok"},
			HTTPClient: &http.Client{Transport: stub}, Now: func() time.Time { return now }, Attempts: 1,
			Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
		conn := New(Options{Client: client, Now: func() time.Time { return now }})
		a := moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "42", Status: moderation.AccountActive}
		res, err := conn.Poll(context.Background(), a, moderation.Cursor{})
		if err == nil {
			for _, o := range res.Comments {
				if o.PlatformID == "" || o.PostID == "" || o.AccountKey != "fb" {
					t.Errorf("observation without comment, post or account: %+v", o)
				}
			}
			for _, p := range res.Posts {
				if p.AccountKey != "fb" {
					t.Errorf("post without account: %+v", p)
				}
			}
		}
		stub.set(status, appUsage, bucUsage, body)
		o, err := conn.FetchComment(context.Background(), a, "42_1", "1_2", moderation.SourceWebhook, nil)
		if err == nil && (o.PlatformID == "" || o.PostID != "42_1") {
			t.Errorf("fetched comment without id or post: %+v", o)
		}
		ParseTime(body)
	})
}
