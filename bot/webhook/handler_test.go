package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestVerificationHandshake(t *testing.T) {
	h := &Handler{Store: newMemStore(), AppSecret: "s", VerifyToken: "rätt-token"}
	tests := []struct {
		name       string
		mode       string
		token      string
		wantStatus int
		wantBody   string
	}{
		{"matching token echoes the challenge", "subscribe", "rätt-token", 200, "ch4ll"},
		{"wrong token", "subscribe", "fel", 403, ""},
		{"wrong mode", "unsubscribe", "rätt-token", 403, ""},
		{"no token", "subscribe", "", 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"hub.mode": {tt.mode}, "hub.verify_token": {tt.token}, "hub.challenge": {"ch4ll"}}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhooks/meta?"+q.Encode(), nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body: got %q, want %q", rec.Body.String(), tt.wantBody)
			}
		})
	}
}

func TestDeliveryChecks(t *testing.T) {
	const secret = "app-secret"
	good := []byte(`{"object":"page","entry":[{"id":"1","time":1,"changes":[]}]}`)
	tests := []struct {
		name       string
		body       []byte
		sig        string
		wantStatus int
		wantStored int
	}{
		{"signed delivery is stored", good, Sign(secret, good), 200, 1},
		{"no signature", good, "", 401, 0},
		{"malformed signature", good, "sha1=abc", 400, 0},
		{"signature not hex", good, "sha256=zz", 400, 0},
		{"wrong secret", good, Sign("other", good), 403, 0},
		{"signature of another body", good, Sign(secret, []byte("{}")), 403, 0},
		{"signed but not JSON", []byte("not json"), Sign(secret, []byte("not json")), 400, 0},
		{"signed, unknown object, accepted and not kept", []byte(`{"object":"user","entry":[]}`), Sign(secret, []byte(`{"object":"user","entry":[]}`)), 200, 0},
		{"too large", bytes.Repeat([]byte("a"), MaxBody+1), Sign(secret, bytes.Repeat([]byte("a"), MaxBody+1)), 413, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			woken := 0
			h := &Handler{Store: st, AppSecret: secret, VerifyToken: "v", Received: func() { woken++ }}
			req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(tt.body))
			if tt.sig != "" {
				req.Header.Set("X-Hub-Signature-256", tt.sig)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := st.eventCount(); got != tt.wantStored {
				t.Errorf("stored: got %d, want %d", got, tt.wantStored)
			}
			if tt.wantStored > 0 {
				if woken != 1 {
					t.Errorf("Received called %d times, want 1", woken)
				}
				if !strings.Contains(rec.Body.String(), "EVENT_RECEIVED") {
					t.Errorf("body: got %q", rec.Body.String())
				}
			}
		})
	}
}

func FuzzCheckSignature(f *testing.F) {
	f.Add("sha256=00", []byte("{}"))
	f.Add(Sign("k", []byte("x")), []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		got := CheckSignature("k", header, body)
		if got == 0 && strings.ToLower(header) != Sign("k", body) {
			t.Errorf("accepted %q for a body it does not sign", header)
		}
	})
}
