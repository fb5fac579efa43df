package config

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokenKey(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token_key"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
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
`
	tests := []struct {
		name    string
		secrets string
		env     map[string]string
		problem string // "" when valid
	}{
		{"no key: the token is required", "", nil, "accounts[0].token: missing"},
		{"key from the environment, token from the store", "secrets:\n  token_key: ${KEY}\n", map[string]string{"KEY": key}, ""},
		{"key from a file", "secrets:\n  token_key_file: token_key\n", nil, ""},
		{"inline key", "secrets:\n  token_key: " + key + "\n", nil, "line 3: secrets.token_key: write the key as ${ENV_NAME}"},
		{"short key", "secrets:\n  token_key: ${KEY}\n", map[string]string{"KEY": "c2hvcnQ="}, "line 3: secrets.token_key: secret: the key is 5 bytes, want 32"},
		{"unset variable", "secrets:\n  token_key: ${KEY}\n", nil, "line 3: secrets.token_key: environment variable KEY is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"APP_SECRET": "s"}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := Parse([]byte("\n"+tt.secrets+account), "uppsikt.yaml", dir, func(k string) string { return env[k] })
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if cfg.Secrets.Key().IsZero() {
					t.Error("no key parsed")
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("got %v, want a problem %q", err, tt.problem)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("the problem shows the key: %v", err)
			}
		})
	}
}
