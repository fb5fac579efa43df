package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// FuzzHandler feeds arbitrary deliveries and handshakes to the webhook
// endpoint, as anyone on the internet may send them. A delivery is stored
// only when it is signed with the app secret and is a page or Instagram
// delivery, and then exactly once, as it came; a handshake echoes the
// challenge only for the verify token.
func FuzzHandler(f *testing.F) {
	const secret, verify = "app-secret", "verify-token"
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","time":1700000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","message":"hej"}}]}]}`), true, "", "subscribe", verify, "123")
	f.Add([]byte(`{"object":"instagram","entry":[{"id":"9","changes":[{"field":"comments","value":{"id":"5","text":"x","media":{"id":"7"}}}]}]}`), true, "", "subscribe", "wrong", "c")
	f.Add([]byte(`{"object":"user","entry":[]}`), true, "", "", "", "")
	f.Add([]byte(`{"object":""}`), true, "", "unsubscribe", verify, "x")
	f.Add([]byte(`not json`), false, "sha256=00", "subscribe", "", "")
	f.Add([]byte(`{"object":"page"}`), false, "sha1=abc", "", verify, "<script>")
	f.Fuzz(func(t *testing.T, body []byte, sign bool, sigHeader, mode, token, challenge string) {
		st := newMemStore()
		h := &Handler{Store: st, AppSecret: secret, VerifyToken: verify, Now: func() time.Time { return time.Unix(1700000000, 0) }}

		req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
		if sign {
			sigHeader = Sign(secret, body)
		}
		if sigHeader != "" {
			req.Header.Set("X-Hub-Signature-256", sigHeader)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var d delivery
		valid := CheckSignature(secret, sigHeader, body) == 0 && len(body) <= MaxBody
		wantStored := valid && json.Unmarshal(body, &d) == nil && (d.Object == "page" || d.Object == "instagram")
		switch {
		case wantStored && (rec.Code != http.StatusOK || len(st.events) != 1 || !bytes.Equal(st.events[0].Body, body) || st.events[0].Object != d.Object):
			t.Fatalf("signed %s delivery: status %d, %d events stored; want 200 and the delivery stored once, as sent", d.Object, rec.Code, len(st.events))
		case !wantStored && len(st.events) != 0:
			t.Fatalf("stored %d events for a delivery that is unsigned, badly signed or not for uppsikt (status %d)", len(st.events), rec.Code)
		case !valid && rec.Code == http.StatusOK:
			t.Fatalf("a delivery with signature %q answered 200", sigHeader)
		}

		q := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhooks/meta?"+q.Encode(), nil))
		ok := mode == "subscribe" && token == verify
		if ok && (rec.Code != http.StatusOK || rec.Body.String() != challenge) {
			t.Fatalf("handshake with the verify token: status %d, body %q; want 200 and the challenge", rec.Code, rec.Body.String())
		}
		if !ok && rec.Code == http.StatusOK {
			t.Fatalf("handshake with mode %q, token %q answered 200", mode, token)
		}
		if ct := rec.Header().Get("Content-Type"); ok && ct != "text/plain; charset=utf-8" {
			t.Fatalf("challenge served as %q: a browser could read it as HTML", ct)
		}
	})
}
