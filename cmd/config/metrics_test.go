package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsConfig(t *testing.T) {
	const token = "prometheus-bearer-4f1c9"
	dir := t.TempDir()
	for name, data := range map[string]string{"metrics_token": token + "\n", "empty": "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const account = `
meta:
  app_secret: ${APP_SECRET}
accounts:
  - key: fb
    platform: facebook
    id: "42"
    name: Kommunen
    owners: [anna]
    token: ${PAGE_TOKEN}
`
	tests := []struct {
		name      string
		yaml      string
		problem   string // "" when valid
		wantToken string
		wantAddr  string
	}{
		{"nothing configured", "", "", "", ""},
		{"token from a file", "metrics:\n  token_file: metrics_token\n", "", token, ""},
		{"token from the environment", "metrics:\n  token: ${METRICS_TOKEN}\n", "", token, ""},
		{"own address", "metrics:\n  listen: 127.0.0.1:9464\n", "", "", "127.0.0.1:9464"},
		{"inline token", "metrics:\n  token: " + token + "\n", "line 3: metrics.token: write the token as ${ENV_NAME}", "", ""},
		{"empty token file", "metrics:\n  token_file: empty\n", "line 3: metrics.token_file: the secret file is empty", "", ""},
		{"missing token file", "metrics:\n  token_file: nowhere\n", "metrics.token_file: cannot read the secret file", "", ""},
		{"not an address", "metrics:\n  listen: 9464\n", `line 3: metrics.listen: "9464" is not host:port`, "", ""},
		{"the web page's address", "web:\n  listen: 127.0.0.1:8080\nmetrics:\n  listen: 127.0.0.1:8080\n", "line 5: metrics.listen: \"127.0.0.1:8080\" is the web page's address", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"METRICS_TOKEN": token, "APP_SECRET": "s", "PAGE_TOKEN": "p"}
			cfg, err := Parse([]byte("\n"+tt.yaml+account), "uppsikt.yaml", dir, func(k string) string { return env[k] })
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if got := cfg.Metrics.Token.Value(); got != tt.wantToken {
					t.Errorf("token: got %q, want %q", got, tt.wantToken)
				}
				if got := cfg.Metrics.Listen; got != tt.wantAddr {
					t.Errorf("listen: got %q, want %q", got, tt.wantAddr)
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("got %v, want a problem %q", err, tt.problem)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the problem shows the token: %v", err)
			}
		})
	}
}
