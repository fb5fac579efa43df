package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvidenceConfig(t *testing.T) {
	const secretKey = "s3-secret-9c1e77"
	dir := t.TempDir()
	for name, data := range map[string]string{"s3-access": "uppsikt\n", "s3-secret": secretKey + "\n", "ca.pem": "-----BEGIN CERTIFICATE-----\n"} {
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
	const s3 = "evidence:\n  backend: s3\n  s3:\n    endpoint: https://s3.example.se\n    bucket: uppsikt-evidence\n    access_key_file: s3-access\n    secret_key_file: s3-secret\n"
	tests := []struct {
		name    string
		yaml    string
		problem string // "" when valid
		warning string
	}{
		{"default", "", "", ""},
		{"dir", "evidence:\n  backend: dir\n", "", ""},
		{"s3", s3 + "    prefix: gruvberg/evidence/\n    region: eu-north-1\n    ca_file: ca.pem\n    retention_days: 3650\n", "", ""},
		{"keys from the environment", "evidence:\n  backend: s3\n  s3:\n    endpoint: https://s3.example.se\n    bucket: b-1\n    access_key: ${S3_ACCESS}\n    secret_key: ${S3_SECRET}\n", "", ""},
		{"unknown backend", "evidence:\n  backend: nfs\n", `line 3: evidence.backend: "nfs": write dir or s3`, ""},
		{"s3 settings under dir", "evidence:\n  s3:\n    bucket: b\n", "line 3: evidence.s3: evidence.backend is dir", ""},
		{"no endpoint", "evidence:\n  backend: s3\n  s3:\n    bucket: bucket\n    access_key_file: s3-access\n    secret_key_file: s3-secret\n", "line 4: evidence.s3.endpoint: missing", ""},
		{"bad endpoint", strings.Replace(s3, "https://s3.example.se", "s3.example.se", 1), `line 5: evidence.s3.endpoint: "s3.example.se" is not an http(s) URL`, ""},
		{"plain http", strings.Replace(s3, "https://s3.example.se", "http://s3.example.se", 1), "", "evidence.s3.endpoint: \"http://s3.example.se\" is plain http"},
		{"bad bucket", strings.Replace(s3, "uppsikt-evidence", "Evidence_Bucket", 1), `line 6: evidence.s3.bucket: "Evidence_Bucket" is not a bucket name`, ""},
		{"no secret key", strings.Replace(s3, "    secret_key_file: s3-secret\n", "", 1), "evidence.s3.secret_key: missing: give it as ${ENV_NAME} or secret_key_file", ""},
		{"inline secret key", strings.Replace(s3, "    secret_key_file: s3-secret\n", "    secret_key: "+secretKey+"\n", 1), "line 8: evidence.s3.secret_key: write the key as ${ENV_NAME} or use secret_key_file, not inline", ""},
		{"missing key file", strings.Replace(s3, "secret_key_file: s3-secret", "secret_key_file: nowhere", 1), "line 8: evidence.s3.secret_key_file: cannot read the secret file", ""},
		{"bad prefix", s3 + "    prefix: /../x\n", `line 9: evidence.s3.prefix: "/../x"`, ""},
		{"missing CA file", s3 + "    ca_file: nowhere.pem\n", "line 9: evidence.s3.ca_file:", ""},
		{"negative retention", s3 + "    retention_days: -1\n", "line 9: evidence.s3.retention_days: -1", ""},
		{"centuries of retention", s3 + "    retention_days: 400000\n", "line 9: evidence.s3.retention_days: 400000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"APP_SECRET": "s", "PAGE_TOKEN": "p", "S3_ACCESS": "a", "S3_SECRET": secretKey}
			cfg, err := Parse([]byte("\n"+tt.yaml+account), "uppsikt.yaml", dir, func(k string) string { return env[k] })
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				var warned []string
				for _, w := range cfg.Warnings() {
					warned = append(warned, w.Field+": "+w.Message)
				}
				if got := strings.Join(warned, "\n"); tt.warning != "" && !strings.Contains(got, tt.warning) || tt.warning == "" && got != "" {
					t.Errorf("warnings %q, want %q", got, tt.warning)
				}
				if cfg.Evidence.Backend == "s3" && cfg.Evidence.S3.SecretKey.Value() != secretKey {
					t.Errorf("secret key not resolved")
				}
				if cfg.Evidence.S3.CAFile != "" && !filepath.IsAbs(cfg.Evidence.S3.CAFile) {
					t.Errorf("ca_file %q not resolved against the file's folder", cfg.Evidence.S3.CAFile)
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("got %v, want a problem %q", err, tt.problem)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Errorf("the problem shows the secret key: %v", err)
			}
		})
	}
	cfg, err := Parse([]byte("\n"+account), "uppsikt.yaml", dir, func(k string) string { return map[string]string{"APP_SECRET": "s", "PAGE_TOKEN": "p"}[k] })
	if err != nil || cfg.Evidence.Backend != "dir" {
		t.Fatalf("default backend = %q, %v; want dir", cfg.Evidence.Backend, err)
	}
}
