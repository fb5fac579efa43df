package emulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

const (
	testAppID     = "4242424242"
	testAppSecret = "emulator-test-secret"
)

var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

type fixture struct {
	emu  *emulator.Emulator
	srv  *httptest.Server
	fb   emulator.Account
	ig   emulator.Account
	sum  emulator.Summary
	app  *fb.App
	sess *fb.Session
}

func newFixture(t *testing.T, scenario string, tweak ...func(*emulator.Options)) *fixture {
	t.Helper()
	s, err := emulator.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	opts := emulator.Options{Scenario: s, AppID: testAppID, AppSecret: testAppSecret, Now: func() time.Time { return testNow }, Seed: 7,
		WebhookBackoff: 20 * time.Millisecond}
	for _, f := range tweak {
		f(&opts)
	}
	e, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	e.SetBaseURL(srv.URL + "/")
	t.Cleanup(func() {
		srv.Close()
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	f := &fixture{emu: e, srv: srv, sum: s.Summary()}
	for _, a := range e.Accounts() {
		switch a.Platform {
		case "facebook":
			f.fb = a
		case "instagram":
			f.ig = a
		}
	}
	f.app = fb.New(testAppID, testAppSecret)
	f.app.EnableAppsecretProof = true
	f.sess = f.session(f.fb.Token)
	return f
}

func (f *fixture) session(token string) *fb.Session {
	s := f.app.Session(token)
	s.BaseURL = f.srv.URL + "/"
	s.Version = "v23.0"
	return s
}

// raw does a plain HTTP request and decodes the JSON answer.
func (f *fixture) raw(t *testing.T, method, path string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil && method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		path += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v: %s", method, path, err, b)
	}
	return resp.StatusCode, out, resp.Header
}

func (f *fixture) state(t *testing.T) emulator.State {
	t.Helper()
	resp, err := http.Get(f.srv.URL + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st emulator.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) comment(t *testing.T, id string) emulator.StateComment {
	t.Helper()
	for _, a := range f.state(t).Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if c.ID == id {
					return c
				}
			}
		}
	}
	t.Fatalf("comment %s not in state", id)
	return emulator.StateComment{}
}

// firstThread finds a Facebook post with a top-level comment that has replies.
func (f *fixture) firstThread(t *testing.T) (postID, commentID string) {
	t.Helper()
	for _, a := range f.state(t).Accounts {
		if a.ID != f.fb.ID {
			continue
		}
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if c.ParentID != "" && !c.Deleted {
					return p.ID, c.ParentID
				}
			}
		}
	}
	t.Fatal("no thread with replies")
	return "", ""
}

func asFBError(t *testing.T, err error) *fb.Error {
	t.Helper()
	var fe *fb.Error
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want *fb.Error", err, err)
	}
	return fe
}

func TestFeedPagingWithClient(t *testing.T) {
	f := newFixture(t, "sv")
	res, err := f.sess.Get("/"+f.fb.ID+"/feed", fb.Params{
		"fields": "id,message,created_time,comments.filter(stream).limit(100){id,message,from,created_time,parent,is_hidden,comment_count}",
		"limit":  25,
	})
	if err != nil {
		t.Fatal(err)
	}
	paging, err := res.Paging(f.sess)
	if err != nil {
		t.Fatal(err)
	}
	var posts, comments, replies, pages int
	var last time.Time
	for {
		pages++
		for _, p := range paging.Data() {
			posts++
			var created string
			p.DecodeField("created_time", &created)
			ct, err := time.Parse("2006-01-02T15:04:05-0700", created)
			if err != nil {
				t.Fatalf("created_time %q: %v", created, err)
			}
			if !last.IsZero() && ct.After(last) {
				t.Errorf("feed not newest first: %v after %v", ct, last)
			}
			last = ct
			var cs struct {
				Data []struct {
					ID     string
					Parent *struct{ ID string }
				}
				Paging struct{ Next string }
			}
			if err := p.DecodeField("comments", &cs); err != nil && p.Get("comments") != nil {
				t.Fatal(err)
			}
			if cs.Paging.Next != "" {
				t.Errorf("post %v: comments need a second page at limit 100", p.Get("id"))
			}
			for _, c := range cs.Data {
				if c.Parent != nil {
					replies++
				} else {
					comments++
				}
			}
		}
		if paging.HasNext() && !strings.HasPrefix(paging.Data()[0].Get("id").(string), f.fb.ID+"_") {
			t.Fatalf("post id %v is not {page}_{post}", paging.Data()[0].Get("id"))
		}
		noMore, err := paging.Next()
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if noMore {
			break
		}
	}
	acct := f.sum.PerAccount[0]
	if got, want := posts, acct.Posts; got != want {
		t.Errorf("posts paged: got %d, want %d", got, want)
	}
	if got, want := comments, acct.Comments; got != want {
		t.Errorf("top-level comments: got %d, want %d", got, want)
	}
	if got, want := replies, acct.Replies; got != want {
		t.Errorf("replies: got %d, want %d", got, want)
	}
	if got, want := pages, (acct.Posts+24)/25; got != want {
		t.Errorf("pages: got %d, want %d", got, want)
	}
}

func TestPagingLinks(t *testing.T) {
	f := newFixture(t, "da")
	code, body, _ := f.raw(t, http.MethodGet, "/v23.0/"+f.fb.ID+"/feed", url.Values{"access_token": {f.fb.Token}, "limit": {"100"}})
	if code != 200 {
		t.Fatalf("status %d: %v", code, body)
	}
	paging := body["paging"].(map[string]any)
	next, _ := paging["next"].(string)
	if !strings.HasPrefix(next, f.srv.URL+"/v23.0/"+f.fb.ID+"/feed?") || !strings.Contains(next, "access_token="+url.QueryEscape(f.fb.Token)) {
		t.Fatalf("next %q: want an absolute URL carrying the token", next)
	}
	if _, ok := paging["previous"]; ok {
		t.Errorf("first page has previous")
	}
	resp, err := http.Get(next)
	if err != nil {
		t.Fatal(err)
	}
	var page2 map[string]any
	json.NewDecoder(resp.Body).Decode(&page2)
	resp.Body.Close()
	p2 := page2["paging"].(map[string]any)
	if _, ok := p2["next"]; ok {
		t.Errorf("last page (%d posts) has next", len(page2["data"].([]any)))
	}
	if _, ok := p2["previous"]; !ok {
		t.Errorf("second page has no previous")
	}
	cur := p2["cursors"].(map[string]any)
	if cur["before"] == "" || cur["after"] == "" {
		t.Errorf("cursors %v", cur)
	}
	if got, want := len(body["data"].([]any))+len(page2["data"].([]any)), f.sum.PerAccount[0].Posts; got != want {
		t.Errorf("posts over two pages: got %d, want %d", got, want)
	}
}

func TestFeedSinceUntil(t *testing.T) {
	f := newFixture(t, "sv")
	since := testNow.Add(-30 * 24 * time.Hour)
	tests := []struct {
		name  string
		param url.Values
	}{
		{"unix", url.Values{"since": {itoa(since.Unix())}}},
		{"iso", url.Values{"since": {since.Format(time.RFC3339)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.param.Set("access_token", f.fb.Token)
			tt.param.Set("limit", "100")
			tt.param.Set("fields", "id,created_time")
			code, body, _ := f.raw(t, http.MethodGet, "/"+f.fb.ID+"/feed", tt.param)
			if code != 200 {
				t.Fatalf("status %d: %v", code, body)
			}
			data := body["data"].([]any)
			if len(data) == 0 || len(data) > 30 {
				t.Fatalf("got %d posts in 30 days, want a month's share of %d", len(data), f.sum.PerAccount[0].Posts)
			}
			for _, d := range data {
				ct, _ := time.Parse("2006-01-02T15:04:05-0700", d.(map[string]any)["created_time"].(string))
				if ct.Before(since) {
					t.Errorf("post %v from %v is before since %v", d.(map[string]any)["id"], ct, since)
				}
			}
		})
	}
	code, body, _ := f.raw(t, http.MethodGet, "/"+f.fb.ID+"/feed", url.Values{"access_token": {f.fb.Token}, "since": {"yesterday-ish"}})
	if code != 400 || body["error"].(map[string]any)["code"].(float64) != 100 {
		t.Errorf("bad since: got %d %v, want 400 code 100", code, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCommentsFilterAndOrder(t *testing.T) {
	f := newFixture(t, "sv")
	postID, _ := f.firstThread(t)
	get := func(params fb.Params) []fb.Result {
		t.Helper()
		params["fields"] = "id,message,created_time,parent{id}"
		params["limit"] = 500
		res, err := f.sess.Get("/"+postID+"/comments", params)
		if err != nil {
			t.Fatal(err)
		}
		var data []fb.Result
		if err := res.DecodeField("data", &data); err != nil {
			t.Fatal(err)
		}
		return data
	}
	times := func(rs []fb.Result) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Get("created_time").(string))
		}
		return out
	}
	filtered := get(fb.Params{})
	stream := get(fb.Params{"filter": "stream", "order": "chronological"})
	reverse := get(fb.Params{"filter": "stream", "order": "reverse_chronological"})
	for _, r := range filtered {
		if r.Get("parent") != nil {
			t.Errorf("default (filtered) view has reply %v", r.Get("id"))
		}
	}
	var withParent int
	for _, r := range stream {
		if r.Get("parent") != nil {
			withParent++
		}
	}
	if withParent == 0 || len(stream) != len(filtered)+withParent {
		t.Errorf("stream: got %d comments with %d replies, filtered %d", len(stream), withParent, len(filtered))
	}
	if !slices.IsSorted(times(stream)) {
		t.Errorf("chronological not sorted: %v", times(stream))
	}
	rt := times(reverse)
	slices.Reverse(rt)
	if !slices.Equal(rt, times(stream)) {
		t.Errorf("reverse_chronological is not the reverse of chronological")
	}
}

func TestCommentFields(t *testing.T) {
	f := newFixture(t, "sv")
	_, parent := f.firstThread(t)
	res, err := f.sess.Get("/"+parent, fb.Params{"fields": "id,message,from{id,name},created_time,permalink_url,comment_count,like_count,is_hidden,can_hide,can_remove,can_reply_privately,comments{id,parent{id}}"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Get("updated_time") != nil {
		t.Errorf("a comment has updated_time")
	}
	link, _ := res.Get("permalink_url").(string)
	if !strings.HasPrefix(link, f.srv.URL+"/web/"+f.fb.ID+"/posts/") || !strings.HasSuffix(link, "?comment_id="+parent) {
		t.Errorf("permalink_url %q", link)
	}
	if n, _ := res.Get("comment_count").(json.Number).Int64(); n == 0 {
		t.Errorf("comment_count 0 on a comment with replies")
	}
	if res.Get("from.name") == nil || res.Get("comments.data") == nil {
		t.Errorf("nested fields missing: %v", res)
	}
	_, err = f.sess.Get("/"+parent, fb.Params{"fields": "id,updated_time"})
	if fe := asFBError(t, err); fe.Code != 100 || !strings.Contains(fe.Message, "nonexisting field (updated_time)") {
		t.Errorf("updated_time on a comment: got %v", fe)
	}
	_, err = f.sess.Get("/"+parent, fb.Params{"fields": "id,comments{id"})
	if fe := asFBError(t, err); fe.Code != 100 || !strings.Contains(fe.Message, "Syntax error") {
		t.Errorf("bad fields: got %v", fe)
	}
}

func TestDeleteThroughClient(t *testing.T) {
	f := newFixture(t, "sv")
	_, parent := f.firstThread(t)
	res, err := f.sess.Delete("/"+parent, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Get("success") != true {
		t.Errorf("delete answer %v", res)
	}
	c := f.comment(t, parent)
	if !c.Deleted || c.DeletedBy != "page" {
		t.Errorf("state after delete: %+v", c)
	}
	st := f.state(t)
	if n := len(st.Actions); n != 1 || st.Actions[0].Kind != "delete" || st.Actions[0].ObjectID != parent || st.Actions[0].Account != f.fb.ID {
		t.Errorf("actions: %+v", st.Actions)
	}
	_, err = f.sess.Delete("/"+parent, nil)
	fe := asFBError(t, err)
	if fe.Code != 100 || fe.ErrorSubcode != 33 || fe.TraceID == "" {
		t.Errorf("second delete: got code %d subcode %d trace %q, want 100/33", fe.Code, fe.ErrorSubcode, fe.TraceID)
	}
	code, body, _ := f.raw(t, http.MethodDelete, "/v23.0/"+parent+"?access_token="+url.QueryEscape(f.fb.Token), nil)
	if code != 400 || body["error"].(map[string]any)["error_subcode"].(float64) != 33 {
		t.Errorf("HTTP DELETE of a deleted comment: %d %v", code, body)
	}
	_, err = f.sess.Get("/"+parent, nil)
	if fe := asFBError(t, err); fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("GET deleted: %v", fe)
	}
}

func TestHideReplyPrivateReply(t *testing.T) {
	f := newFixture(t, "sv")
	postID, parent := f.firstThread(t)
	if _, err := f.sess.Post("/"+parent, fb.Params{"is_hidden": true}); err != nil {
		t.Fatal(err)
	}
	res, err := f.sess.Get("/"+parent, fb.Params{"fields": "is_hidden"})
	if err != nil || res.Get("is_hidden") != true {
		t.Fatalf("after hide: %v %v", res, err)
	}
	if _, err := f.sess.Post("/"+parent, fb.Params{"is_hidden": false}); err != nil {
		t.Fatal(err)
	}
	if c := f.comment(t, parent); c.Hidden {
		t.Errorf("still hidden after unhide")
	}
	res, err = f.sess.Post("/"+parent+"/comments", fb.Params{"message": "Hej! Vi tittar på det. /Kommunen"})
	if err != nil {
		t.Fatal(err)
	}
	newID, _ := res.Get("id").(string)
	if c := f.comment(t, newID); c.ParentID != parent || !c.ByPage {
		t.Errorf("reply in state: %+v", c)
	}
	// A recent comment can get one private reply.
	cid, err := f.emu.AddComment(postID, "Test Testsson", "Kan ni ringa mig?")
	if err != nil {
		t.Fatal(err)
	}
	msg := fb.Params{"recipient": `{"comment_id":"` + cid + `"}`, "message": `{"text":"Hej, vi ringer dig i eftermiddag."}`}
	if _, err := f.sess.Post("/"+f.fb.ID+"/messages", msg); err != nil {
		t.Fatal(err)
	}
	_, err = f.sess.Post("/"+f.fb.ID+"/messages", msg)
	if fe := asFBError(t, err); fe.Code != 10900 {
		t.Errorf("second private reply: %v", fe)
	}
	// A comment older than seven days cannot.
	old := ""
	for _, a := range f.state(t).Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if a.ID == f.fb.ID && !c.ByPage && testNow.Sub(c.Created) > 8*24*time.Hour {
					old = c.ID
				}
			}
		}
	}
	msg["recipient"] = `{"comment_id":"` + old + `"}`
	_, err = f.sess.Post("/"+f.fb.ID+"/messages", msg)
	if fe := asFBError(t, err); fe.Code != 10903 {
		t.Errorf("private reply to an old comment: %v", fe)
	}
	var kinds []string
	for _, a := range f.state(t).Actions {
		kinds = append(kinds, a.Kind)
	}
	if want := []string{"hide", "unhide", "reply", "private_reply"}; !slices.Equal(kinds, want) {
		t.Errorf("actions: got %v, want %v", kinds, want)
	}
}

func TestFaultsGiveClientErrors(t *testing.T) {
	tests := []struct {
		name             string
		fault            emulator.Fault
		wantCode, wantSC int
		wantStatus       int
	}{
		{"app rate limit", emulator.Fault{Code: 4}, 4, 0, 403},
		{"user rate limit", emulator.Fault{Code: 17}, 17, 0, 403},
		{"page rate limit", emulator.Fault{Code: 32}, 32, 0, 403},
		{"custom rate limit", emulator.Fault{Code: 613}, 613, 0, 400},
		{"pages business use case", emulator.Fault{Code: 80001, RegainMinutes: 12}, 80001, 0, 400},
		{"token invalidated", emulator.Fault{Code: 190, Subcode: 460}, 190, 460, 400},
		{"token expired", emulator.Fault{Code: 190, Subcode: 463}, 190, 463, 400},
		{"app not installed", emulator.Fault{Code: 190, Subcode: 458}, 190, 458, 400},
		{"checkpointed", emulator.Fault{Code: 190, Subcode: 459}, 190, 459, 400},
		{"logged out", emulator.Fault{Code: 190, Subcode: 467}, 190, 467, 400},
		{"missing object", emulator.Fault{Code: 100, Subcode: 33}, 100, 33, 400},
		{"unknown error", emulator.Fault{Code: 1}, 1, 0, 500},
		{"transient", emulator.Fault{Code: 2}, 2, 0, 503},
		{"forced status", emulator.Fault{Code: 2, HTTPStatus: 502}, 2, 0, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "sv")
			ft := tt.fault
			ft.Path = "/{page}/feed"
			ft.Count = 1
			f.emu.InjectFault(ft)
			// The fault matches the feed only.
			if _, err := f.sess.Get("/"+f.fb.ID, nil); err != nil {
				t.Fatalf("page node hit by a feed fault: %v", err)
			}
			res, err := f.sess.Get("/"+f.fb.ID+"/feed", nil)
			fe := asFBError(t, err)
			if fe.Code != tt.wantCode || fe.ErrorSubcode != tt.wantSC {
				t.Errorf("got %d/%d, want %d/%d", fe.Code, fe.ErrorSubcode, tt.wantCode, tt.wantSC)
			}
			if ft.Code == 80001 {
				buc := res.UsageInfo().BusinessUseCase[f.fb.ID]
				if len(buc) != 1 || buc[0].EstimatedTimeToRegainAccess != 12 || buc[0].CallCount < 100 {
					t.Errorf("usage during 80001: %+v", buc)
				}
			}
			// Count 1: the next call goes through unless the token was revoked.
			_, err = f.sess.Get("/"+f.fb.ID+"/feed", nil)
			if tt.wantCode == 190 {
				if fe := asFBError(t, err); fe.Code != 190 || fe.ErrorSubcode != tt.wantSC {
					t.Errorf("revoked token: got %v", fe)
				}
				// debug_token says so.
				code, body, _ := f.raw(t, http.MethodGet, "/debug_token", url.Values{"input_token": {f.fb.Token}, "access_token": {f.emu.AppAccessToken()}})
				if data := body["data"].(map[string]any); code != 200 || data["is_valid"] != false {
					t.Errorf("debug_token of a revoked token: %d %v", code, body)
				}
				resp, perr := http.Post(f.srv.URL+"/_emulator/tokens", "application/json", strings.NewReader(`{}`))
				if perr != nil {
					t.Fatal(perr)
				}
				resp.Body.Close()
				_, err = f.sess.Get("/"+f.fb.ID+"/feed", nil)
			}
			if err != nil {
				t.Errorf("after the fault: %v", err)
			}
			// The HTTP status as Meta uses it.
			f.emu.InjectFault(ft)
			code, _, _ := f.raw(t, http.MethodGet, "/v23.0/"+f.fb.ID+"/feed", url.Values{"access_token": {f.fb.Token}})
			if code != tt.wantStatus {
				t.Errorf("HTTP status: got %d, want %d", code, tt.wantStatus)
			}
		})
	}
}

func TestFaultControlAPI(t *testing.T) {
	f := newFixture(t, "sv")
	body := `{"faults":[{"code":32,"path":"/*/feed","method":"GET","account":"` + f.fb.ID + `","count":2},{"kind":"delay","delay":"150ms","path":"/{page}","count":1}]}`
	resp, err := http.Post(f.srv.URL+"/_emulator/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST faults: %s", resp.Status)
	}
	start := time.Now()
	if _, err := f.sess.Get("/"+f.fb.ID, nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("delay fault: answer after %v, want ≥150ms", d)
	}
	for i := range 3 {
		_, err := f.sess.Get("/"+f.fb.ID+"/feed", nil)
		if i < 2 {
			if fe := asFBError(t, err); fe.Code != 32 {
				t.Errorf("call %d: %v", i, fe)
			}
		} else if err != nil {
			t.Errorf("call %d after count 2: %v", i, err)
		}
	}
	f.emu.InjectFault(emulator.Fault{Code: 613})
	req, _ := http.NewRequest(http.MethodDelete, f.srv.URL+"/_emulator/faults", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := f.sess.Get("/"+f.fb.ID+"/feed", nil); err != nil {
		t.Errorf("after DELETE /_emulator/faults: %v", err)
	}
	resp, err = http.Post(f.srv.URL+"/_emulator/faults", "application/json", strings.NewReader(`{"kind":"error"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("fault without code: got %s, want 400", resp.Status)
	}
}

func TestProbabilisticFaultIsDeterministic(t *testing.T) {
	run := func() []bool {
		f := newFixture(t, "sv")
		f.emu.InjectFault(emulator.Fault{Code: 2, Probability: 0.5})
		var out []bool
		for range 20 {
			_, err := f.sess.Get("/"+f.fb.ID, nil)
			out = append(out, err != nil)
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different fault pattern: %v vs %v", a, b)
	}
	if !slices.Contains(a, true) || !slices.Contains(a, false) {
		t.Errorf("probability 0.5 over 20 calls fired %v", a)
	}
}

func TestUsageHeadersMove(t *testing.T) {
	f := newFixture(t, "sv", func(o *emulator.Options) { o.AppCallBudget = 1000; o.PageCallBudget = 20 })
	var prevApp, prevPage int = -1, -1
	for i := 0; i < 20; i++ {
		res, err := f.sess.Get("/"+f.fb.ID, nil)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		u := res.UsageInfo()
		buc := u.BusinessUseCase[f.fb.ID]
		if len(buc) != 1 || buc[0].Type != "pages" {
			t.Fatalf("X-Business-Use-Case-Usage: %+v", u.BusinessUseCase)
		}
		if buc[0].CallCount <= prevPage || u.App.CallCount < prevApp {
			t.Errorf("call %d: usage did not move: page %d after %d, app %d after %d", i, buc[0].CallCount, prevPage, u.App.CallCount, prevApp)
		}
		prevPage, prevApp = buc[0].CallCount, u.App.CallCount
	}
	if prevPage != 100 {
		t.Errorf("after 20 of 20 calls: page call_count %d, want 100", prevPage)
	}
	res, err := f.sess.Get("/"+f.fb.ID, nil)
	if fe := asFBError(t, err); fe.Code != 80001 {
		t.Errorf("over budget: got %v, want 80001", fe)
	}
	if buc := res.UsageInfo().BusinessUseCase[f.fb.ID]; buc[0].EstimatedTimeToRegainAccess <= 0 {
		t.Errorf("throttled without estimated_time_to_regain_access: %+v", buc[0])
	}
	// Error answers carry the headers too.
	_, _, h := f.raw(t, http.MethodGet, "/nope", url.Values{"access_token": {f.fb.Token}})
	if h.Get("X-App-Usage") == "" || h.Get("X-Business-Use-Case-Usage") == "" {
		t.Errorf("usage headers missing on an error: %v", h)
	}
	resp, err := http.Post(f.srv.URL+"/_emulator/stats/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := f.sess.Get("/"+f.fb.ID, nil); err != nil {
		t.Errorf("after stats reset: %v", err)
	}
}

func TestStats(t *testing.T) {
	f := newFixture(t, "sv")
	postID, parent := f.firstThread(t)
	f.sess.Get("/"+f.fb.ID+"/feed", nil)
	f.sess.Get("/"+f.fb.ID+"/feed", nil)
	f.sess.Get("/"+postID+"/comments", nil)
	f.sess.Get("/"+parent+"/comments", nil)
	f.session(f.ig.Token).Get("/"+f.ig.ID+"/media", nil)
	resp, err := http.Get(f.srv.URL + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	var st emulator.Stats
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	want := map[string]int{"GET /{page}/feed": 2, "GET /{post}/comments": 1, "GET /{comment}/comments": 1, "GET /{ig-user}/media": 1}
	for k, v := range want {
		if st.ByEndpoint[k] != v {
			t.Errorf("%s: got %d, want %d (all: %v)", k, st.ByEndpoint[k], v, st.ByEndpoint)
		}
	}
	if st.Total != 5 || st.ByAccount[f.fb.ID] != 4 || st.ByAccount[f.ig.ID] != 1 {
		t.Errorf("stats: %+v", st)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, "sv", func(o *emulator.Options) { o.RequireAppsecretProof = true })
	other := newFixture(t, "da")
	tests := []struct {
		name     string
		sess     *fb.Session
		path     string
		wantCode int
	}{
		{"unknown token", f.session("EAAnot-a-token"), "/" + f.fb.ID + "/feed", 190},
		{"token of another page", f.session(other.fb.Token), "/" + f.fb.ID + "/feed", 190},
		{"wrong app secret", func() *fb.Session {
			app := fb.New(testAppID, "wrong-secret")
			app.EnableAppsecretProof = true
			s := app.Session(f.fb.Token)
			s.BaseURL, s.Version = f.srv.URL+"/", "v23.0"
			return s
		}(), "/" + f.fb.ID + "/feed", 100},
		{"no proof when required", func() *fb.Session {
			app := fb.New(testAppID, testAppSecret)
			s := app.Session(f.fb.Token)
			s.BaseURL, s.Version = f.srv.URL+"/", "v23.0"
			return s
		}(), "/" + f.fb.ID + "/feed", 100},
		{"no token", func() *fb.Session {
			s := &fb.Session{BaseURL: f.srv.URL + "/", Version: "v23.0"}
			return s
		}(), "/" + f.fb.ID + "/feed", 104},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.sess.Get(tt.path, nil)
			if fe := asFBError(t, err); fe.Code != tt.wantCode {
				t.Errorf("got %d (%s), want %d", fe.Code, fe.Message, tt.wantCode)
			}
		})
	}
	// The user token lists the pages with their tokens.
	res, err := f.session(f.emu.UserToken()).Get("/me/accounts", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pages []struct{ ID, Name, AccessToken string }
	res.DecodeField("data", &pages)
	if len(pages) != 1 || pages[0].ID != f.fb.ID || pages[0].AccessToken != f.fb.Token {
		t.Errorf("/me/accounts: %+v", pages)
	}
	// The client's own token check: debug_token with the app token.
	data, err := f.sess.Inspect()
	if err != nil {
		t.Fatal(err)
	}
	if data.Get("is_valid") != true || data.Get("profile_id") != f.fb.ID || data.Get("type") != "PAGE" {
		t.Errorf("debug_token: %v", data)
	}
	if id, err := f.sess.User(); err != nil || id != f.fb.ID {
		t.Errorf("/me with a page token: %q %v", id, err)
	}
}

func TestBatchThroughClient(t *testing.T) {
	f := newFixture(t, "sv")
	_, parent := f.firstThread(t)
	results, err := f.sess.BatchApi(
		fb.Params{"method": fb.GET, "relative_url": f.fb.ID + "?fields=id,name"},
		fb.Params{"method": fb.GET, "relative_url": "v23.0/" + parent + "/comments?filter=stream&limit=5"},
		fb.Params{"method": fb.POST, "relative_url": parent, "body": "is_hidden=true"},
		fb.Params{"method": fb.GET, "relative_url": "999999999"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 4 {
		t.Fatalf("got %d results, want 4", len(results))
	}
	wantCodes := []int{200, 200, 200, 400}
	for i, r := range results {
		br, err := r.Batch()
		if err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		if br.StatusCode != wantCodes[i] {
			t.Errorf("result %d: code %d, want %d: %s", i, br.StatusCode, wantCodes[i], br.Body)
		}
		if br.Header.Get("X-App-Usage") == "" {
			t.Errorf("result %d: no usage header", i)
		}
	}
	br, _ := results[0].Batch()
	if br.Result.Get("name") != "Gruvbergs kommun" {
		t.Errorf("batch page name: %v", br.Result)
	}
	br, _ = results[3].Batch()
	if fe := asFBError(t, br.Result.Err()); fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("batch missing object: %v", fe)
	}
	if !f.comment(t, parent).Hidden {
		t.Errorf("batch POST did not hide the comment")
	}
	var many []fb.Params
	for range 51 {
		many = append(many, fb.Params{"method": fb.GET, "relative_url": f.fb.ID})
	}
	_, err = f.sess.BatchApi(many...)
	if err == nil {
		t.Errorf("a batch of 51 succeeded")
	}
}

func TestInstagram(t *testing.T) {
	f := newFixture(t, "sv")
	ig := f.session(f.ig.Token)
	res, err := ig.Get("/"+f.ig.ID+"/media", fb.Params{"fields": "id,caption,timestamp,comments_count,permalink", "limit": 100})
	if err != nil {
		t.Fatal(err)
	}
	var media []struct {
		ID, Caption, Timestamp, Permalink string
		CommentsCount                     int
	}
	res.DecodeField("data", &media)
	if len(media) != f.sum.PerAccount[1].Posts {
		t.Fatalf("media: got %d, want %d", len(media), f.sum.PerAccount[1].Posts)
	}
	var mediaID, topID string
	for _, m := range media {
		res, err := ig.Get("/"+m.ID+"/comments", fb.Params{"fields": "id,text,username,from{id,username},timestamp,hidden,like_count,replies{id,text,parent_id}"})
		if err != nil {
			t.Fatal(err)
		}
		var cs []struct {
			ID, Text, Username string
			From               struct{ ID, Username string }
			Replies            *struct {
				Data []struct{ ID, ParentID string }
			}
		}
		res.DecodeField("data", &cs)
		for _, c := range cs {
			if c.Text == "" || c.From.Username == "" || c.Username != c.From.Username {
				t.Errorf("IG comment fields: %+v", c)
			}
			if c.Replies != nil && len(c.Replies.Data) > 0 && topID == "" {
				mediaID, topID = m.ID, c.ID
				if c.Replies.Data[0].ParentID != c.ID {
					t.Errorf("reply parent_id %q, want %q", c.Replies.Data[0].ParentID, c.ID)
				}
			}
		}
	}
	if topID == "" {
		t.Fatal("no Instagram comment with replies")
	}
	res, err = ig.Get("/"+topID+"/replies", fb.Params{"fields": "id,text,parent_id"})
	if err != nil {
		t.Fatal(err)
	}
	var replies []struct{ ID, ParentID string }
	res.DecodeField("data", &replies)
	if len(replies) == 0 {
		t.Fatal("no replies")
	}
	if _, err := ig.Post("/"+replies[0].ID+"/replies", fb.Params{"message": "Hej!"}); err == nil {
		t.Errorf("reply to a reply succeeded")
	}
	if _, err := ig.Post("/"+topID+"/replies", fb.Params{"message": "Tack för din kommentar!"}); err != nil {
		t.Errorf("reply: %v", err)
	}
	if _, err := ig.Post("/"+topID, fb.Params{"hide": true}); err != nil {
		t.Fatal(err)
	}
	res, _ = ig.Get("/"+topID, fb.Params{"fields": "hidden"})
	if res.Get("hidden") != true {
		t.Errorf("hidden after hide: %v", res)
	}
	if _, err := ig.Post("/"+topID+"/replies", fb.Params{"message": "x"}); err == nil {
		t.Errorf("reply to a hidden comment succeeded")
	}
	if _, err := ig.Delete("/"+replies[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	_, err = ig.Delete("/"+replies[0].ID, nil)
	if fe := asFBError(t, err); fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("second IG delete: %v", fe)
	}
	_ = mediaID
}

// BenchmarkFeedPageWithComments measures one feed page of 25 posts with
// their comment threads expanded, over HTTP, as uppsikt's poller asks for it.
func BenchmarkFeedPageWithComments(b *testing.B) {
	s, err := emulator.LoadScenario("sv")
	if err != nil {
		b.Fatal(err)
	}
	e, err := emulator.New(emulator.Options{Scenario: s, Now: func() time.Time { return testNow }, AppCallBudget: 1 << 30, PageCallBudget: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	srv := httptest.NewServer(e)
	defer srv.Close()
	e.SetBaseURL(srv.URL)
	a := e.Accounts()[0]
	u := srv.URL + "/v23.0/" + a.ID + "/feed?" + url.Values{
		"access_token": {a.Token}, "limit": {"25"},
		"fields": {"id,message,created_time,comments.filter(stream).limit(100){id,message,from,created_time,parent,is_hidden,comment_count}"},
	}.Encode()
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// TestInstagramUsageKeyedByInstagramAccount: Instagram Platform calls are
// counted against the Instagram professional account, so the
// X-Business-Use-Case-Usage of a call on the Instagram account is keyed by
// its id with type "instagram", not by the linked page whose token it uses;
// over its budget it answers 80002, the Instagram business use case.
func TestInstagramUsageKeyedByInstagramAccount(t *testing.T) {
	f := newFixture(t, "sv", func(o *emulator.Options) { o.PageCallBudget = 5 })
	ig := f.session(f.ig.Token)
	for i := range 5 {
		res, err := ig.Get("/"+f.ig.ID+"/media", fb.Params{"fields": "id", "limit": 1})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		buc := res.UsageInfo().BusinessUseCase
		if got := buc[f.ig.ID]; len(got) != 1 || got[0].Type != "instagram" || got[0].CallCount != (i+1)*20 {
			t.Errorf("call %d: usage under the Instagram id: got %+v, want one entry of type instagram at %d %%", i, got, (i+1)*20)
		}
		if got, ok := buc[f.fb.ID]; ok {
			t.Errorf("call %d: usage under the page id: %+v, want none", i, got)
		}
	}
	// The page's own budget is untouched by the Instagram calls.
	res, err := f.sess.Get("/"+f.fb.ID, nil)
	if err != nil {
		t.Fatalf("page after the Instagram account's budget is spent: %v", err)
	}
	if got := res.UsageInfo().BusinessUseCase[f.fb.ID]; len(got) != 1 || got[0].Type != "pages" || got[0].CallCount != 20 {
		t.Errorf("page usage: got %+v, want type pages at 20 %%", got)
	}
	res, err = ig.Get("/"+f.ig.ID+"/media", nil)
	if fe := asFBError(t, err); fe.Code != 80002 || !strings.Contains(fe.Message, "Instagram account") {
		t.Errorf("over the Instagram budget: got %d %q, want 80002 naming the Instagram account", fe.Code, fe.Message)
	}
	if buc := res.UsageInfo().BusinessUseCase[f.ig.ID]; len(buc) != 1 || buc[0].EstimatedTimeToRegainAccess <= 0 {
		t.Errorf("throttled without estimated_time_to_regain_access under the Instagram id: %+v", buc)
	}
	// A rate-limit fault on an Instagram call shows under the Instagram id too.
	f.emu.ResetStats()
	f.emu.InjectFault(emulator.Fault{Code: 80002, Account: f.ig.ID, Count: 1, RegainMinutes: 10})
	res, err = ig.Get("/"+f.ig.ID+"/media", nil)
	if fe := asFBError(t, err); fe.Code != 80002 {
		t.Fatalf("fault: got %v, want 80002", fe)
	}
	if buc := res.UsageInfo().BusinessUseCase[f.ig.ID]; len(buc) != 1 || buc[0].EstimatedTimeToRegainAccess != 10 || buc[0].Type != "instagram" {
		t.Errorf("usage during the fault: %+v, want instagram with regain 10", res.UsageInfo().BusinessUseCase)
	}
}
