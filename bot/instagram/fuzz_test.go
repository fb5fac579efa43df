package instagram

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
)

// graphStub answers the first request with the fuzzer's status, usage
// header and body, and every later one (paging) with an empty list, in
// memory: no sockets, no goroutines, no network whatever a paging URL names.
type graphStub struct {
	n      int
	status int
	buc    string
	body   string
}

func (g *graphStub) RoundTrip(r *http.Request) (*http.Response, error) {
	g.n++
	rec := httptest.NewRecorder()
	if g.n > 1 {
		rec.WriteString(`{"data":[]}`)
	} else {
		rec.Header()["X-Business-Use-Case-Usage"] = []string{g.buc}
		status := g.status
		if status < 200 || status > 599 {
			status = http.StatusOK
		}
		rec.WriteHeader(status)
		rec.WriteString(g.body)
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// FuzzGraphMedia feeds arbitrary Graph answers to the Instagram
// connector's poll and comment fetch: they must never panic or hang, and
// every comment observation they return names its account, media and
// comment, and a reply its parent.
func FuzzGraphMedia(f *testing.F) {
	const buc = `{"17841400000000101":[{"type":"instagram","call_count":10,"estimated_time_to_regain_access":0}]}`
	f.Add(200, buc, `{"data":[{"id":"179001","caption":"Sommar","timestamp":"2026-01-02T15:04:05+0000","permalink":"https://www.instagram.com/p/x/","username":"kommunen","comments":{"data":[{"id":"180001","text":"Fint!","username":"anna","from":{"id":"5","username":"anna"},"timestamp":"2026-01-02T16:00:00+0000","hidden":false,"replies":{"data":[{"id":"180002","text":"Tack","username":"kommunen","parent_id":"180001"}],"paging":{"next":"https://graph.facebook.com/v23.0/180001/replies?after=QQ"}}}],"paging":{"next":"https://graph.facebook.com/v23.0/179001/comments?after=QQ"}}}]}`)
	f.Add(200, buc, `{"data":[]}`)
	f.Add(200, buc, `{"id":"180001","text":"Hej","media":{"id":"179001"},"timestamp":"x"}`)
	f.Add(400, `{"17841400000000101":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":60}]}`, `{"error":{"message":"(#80002) There have been too many calls to this Instagram account","type":"OAuthException","code":80002}}`)
	f.Add(200, "", `{"data":[{"id":"179002","comments":{"data":[{"id":"180003","replies":{"data":[{}]}}]}}]}`)
	f.Add(200, "", `{"data":[{"comments":{"data":[{"id":"1"}]}}]}`)
	f.Fuzz(func(t *testing.T, status int, bucUsage, body string) {
		now := time.Date(2026, 1, 3, 9, 0, 0, 0, time.UTC)
		stub := &graphStub{status: status, buc: bucUsage, body: body}
		client := facebook.NewClient(facebook.ClientOptions{GraphURL: "https://graph.facebook.com/", Version: "v23.0",
			Tokens: map[string]string{"ig": "tok"}, HTTPClient: &http.Client{Transport: stub}, Attempts: 1,
			Now: func() time.Time { return now }, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
		conn := New(Options{Client: client, Now: func() time.Time { return now }})
		a := moderation.Account{Key: "ig", Platform: moderation.Instagram, PlatformID: "17841400000000101", Status: moderation.AccountActive}
		res, err := conn.Poll(context.Background(), a, moderation.Cursor{})
		if err == nil {
			for _, o := range res.Comments {
				if o.PlatformID == "" || o.PostID == "" || o.AccountKey != "ig" || o.ParentID == o.PlatformID {
					t.Errorf("observation without comment, media or account, or its own parent: %+v", o)
				}
			}
		}
		stub.n = 0
		o, err := conn.FetchComment(context.Background(), a, "", "180001", moderation.SourceWebhook, nil)
		if err == nil && o.PlatformID == "" {
			t.Errorf("fetched comment without id: %+v", o)
		}
	})
}
