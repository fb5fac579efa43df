package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// slackAPI answers every Web API call in memory with {"ok":true} and
// counts them.
type slackAPI struct{ calls int }

func (s *slackAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	s.calls++
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteString(`{"ok":true,"channel":"C1","ts":"1.1"}`)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// signSlack signs a body as Slack does: v0=hex(HMAC-SHA256(secret, "v0:ts:body")).
func signSlack(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// FuzzInteraction feeds arbitrary requests to the interactivity endpoint,
// which anyone on the internet can reach: one that is not signed with the
// signing secret within five minutes is refused with 401 before anything
// is read from it; a signed one never panics, is answered 200 or 400, and
// a click by a Slack user who is not mapped to an uppsikt user decides
// nothing (it gets at most the one ephemeral explanation).
func FuzzInteraction(f *testing.F) {
	const secret = "slack-signing-secret"
	click := func(action, value, user string) string {
		return `{"type":"block_actions","user":{"id":"` + user + `"},"container":{"channel_id":"C1","message_ts":"1.1"},"channel":{"id":"C1"},` +
			`"actions":[{"action_id":"` + action + `","value":"` + value + `","block_id":"b","type":"button"}]}`
	}
	f.Add(click(ActionRemove, "7", "U1"), true, false, "", int64(0))
	f.Add(click(ActionKeep, "x", "U2"), true, false, "", int64(0))
	f.Add(click("open", "7", "U1"), true, false, "", int64(0))
	f.Add(`{"type":"view_submission"}`, true, false, "", int64(0))
	f.Add(`not json`, true, true, "", int64(0))
	f.Add(click(ActionRemove, "7", "U1"), false, false, "v0=00", int64(0))
	f.Add(click(ActionRemove, "7", "U1"), true, false, "", int64(-600))
	f.Add(`{"type":"block_actions","actions":[]}`, true, false, "", int64(0))
	f.Fuzz(func(t *testing.T, payload string, sign, raw bool, sigHeader string, skew int64) {
		api := &slackAPI{}
		n := New(Options{
			Client:        slack.New("xoxb-fuzz", slack.OptionHTTPClient(&http.Client{Transport: api}), slack.OptionAPIURL("https://slack.example/api/")),
			SigningSecret: secret,
			SlackUsers:    map[string]string{}, // nobody is mapped: no decision may be reached
		})
		body := []byte("payload=" + url.QueryEscape(payload))
		if raw {
			body = []byte(payload)
		}
		ts := strconv.FormatInt(time.Now().Unix()+skew%100000, 10)
		if sign {
			sigHeader = signSlack(secret, ts, body)
		}
		req := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sigHeader)
		rec := httptest.NewRecorder()
		n.ServeHTTP(rec, req)
		fresh := skew%100000 > -300 && skew%100000 < 300
		signed := sigHeader == signSlack(secret, ts, body) && fresh
		switch {
		case !signed && rec.Code != http.StatusUnauthorized && fresh:
			t.Fatalf("a request with signature %q answered %d, want 401", sigHeader, rec.Code)
		case !signed && api.calls > 0:
			t.Fatalf("an unsigned request made %d Slack calls", api.calls)
		case signed && rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest:
			t.Fatalf("a signed request answered %d, want 200 or 400", rec.Code)
		case api.calls > 1:
			t.Fatalf("a click by an unmapped user made %d Slack calls, want at most the one explanation", api.calls)
		}
	})
}
