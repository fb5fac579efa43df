package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckWarnings: a secret written in the file and a secret file
// others may read are warned about on stderr, with field and line; the
// check passes unless -strict.
func TestConfigCheckWarnings(t *testing.T) {
	dir := t.TempDir()
	token := filepath.Join(dir, "page-token")
	if err := os.WriteFile(token, []byte("EAAB-file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(token, 0o644); err != nil {
		t.Fatal(err)
	}
	body := `meta:
  app_secret: inline-app-secret
accounts:
  - key: fb
    platform: facebook
    id: "42"
    name: Kommunen
    owners: [anna]
    token_file: page-token
`
	clean := `meta:
  app_secret: ${APP_SECRET}
accounts:
  - {key: web, platform: webpage, id: "https://gruvberg.se/", name: Gruvberg, owners: [anna], site: {url: "https://gruvberg.se/", comment: .c, author: .a, time: time, text: .t}}
`
	tests := []struct {
		name       string
		body       string
		args       []string
		wantCode   int
		wantStderr []string
		wantStdout string
	}{
		{name: "warnings do not fail the check", body: body, wantCode: 0,
			wantStderr: []string{
				"warning: line 2: meta.app_secret: the secret is written in the file in plain text",
				"warning: line 9: accounts[0].token_file: " + token + " holds a secret and is open to its group or others (mode 0644)",
			},
			wantStdout: "ok — 1 account(s)"},
		{name: "-strict fails on them", body: body, args: []string{"-strict"}, wantCode: 1,
			wantStderr: []string{"warning: line 2: meta.app_secret", "2 warning(s), and -strict"}},
		{name: "-strict passes a file without warnings", body: clean, args: []string{"-strict"}, wantCode: 0, wantStdout: "ok — 1 account(s)"},
		{name: "a type error names its field", body: clean + "capture:\n  max_height: tall\n", wantCode: 1,
			wantStderr: []string{"line 6: capture.max_height: cannot unmarshal !!str `tall` into int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "uppsikt.yaml")
			if err := os.WriteFile(cfg, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			env, out, errb := testEnv(map[string]string{"APP_SECRET": "from-env"})
			args := append([]string{"config", "check", "-config", cfg}, tt.args...)
			if got := run(context.Background(), env, args); got != tt.wantCode {
				t.Errorf("exit: got %d, want %d\nstdout: %s\nstderr: %s", got, tt.wantCode, out, errb)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr does not contain %q:\n%s", w, errb)
				}
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantStdout, out)
			}
			for _, secret := range []string{"inline-app-secret", "EAAB-file-token", "from-env"} {
				if strings.Contains(out.String()+errb.String(), secret) {
					t.Errorf("the output shows the secret %q", secret)
				}
			}
		})
	}
}
