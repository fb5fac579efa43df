package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProtect(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	tests := []struct {
		name, token, header string
		want                int
	}{
		{"no token configured lets everyone in", "", "", http.StatusOK},
		{"no header", "s3cret", "", http.StatusUnauthorized},
		{"the token", "s3cret", "Bearer s3cret", http.StatusOK},
		{"a wrong token", "s3cret", "Bearer s3cres", http.StatusUnauthorized},
		{"a prefix of the token", "s3cret", "Bearer s3cre", http.StatusUnauthorized},
		{"the token without the scheme", "s3cret", "s3cret", http.StatusUnauthorized},
		{"basic instead of bearer", "s3cret", "Basic s3cret", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		Protect(ok, tt.token).ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, rec.Code, tt.want)
		}
		if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
	}
}
