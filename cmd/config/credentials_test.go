package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialsDirectory reads secrets named as systemd credentials:
// a *_file path beginning with ${CREDENTIALS_DIRECTORY}.
func TestCredentialsDirectory(t *testing.T) {
	creds := t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, "meta_app_secret"), []byte("hemligt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const account = `
accounts:
  - {key: fb, platform: facebook, id: "42", name: Kommunen, owners: [anna], token: "${TOKEN}"}
`
	tests := []struct {
		name    string
		meta    string
		env     map[string]string
		problem string // "" when valid
	}{
		{"from the credentials folder", "meta:\n  app_secret_file: ${CREDENTIALS_DIRECTORY}/meta_app_secret\n", map[string]string{"CREDENTIALS_DIRECTORY": creds}, ""},
		{"folder with a trailing slash", "meta:\n  app_secret_file: ${CREDENTIALS_DIRECTORY}/meta_app_secret\n", map[string]string{"CREDENTIALS_DIRECTORY": creds + "/"}, ""},
		{"not under systemd", "meta:\n  app_secret_file: ${CREDENTIALS_DIRECTORY}/meta_app_secret\n", nil, "meta.app_secret_file: \"${CREDENTIALS_DIRECTORY}/meta_app_secret\": CREDENTIALS_DIRECTORY is not set"},
		{"a missing credential", "meta:\n  app_secret_file: ${CREDENTIALS_DIRECTORY}/other\n", map[string]string{"CREDENTIALS_DIRECTORY": creds}, "meta.app_secret_file: cannot read the secret file"},
		{"another variable", "meta:\n  app_secret_file: ${HOME}/meta_app_secret\n", map[string]string{"HOME": creds}, "may only begin with ${CREDENTIALS_DIRECTORY}"},
		{"no name after it", "meta:\n  app_secret_file: ${CREDENTIALS_DIRECTORY}\n", map[string]string{"CREDENTIALS_DIRECTORY": creds}, "write ${CREDENTIALS_DIRECTORY}/NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"TOKEN": "t"}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := Parse([]byte(tt.meta+account), "uppsikt.yaml", t.TempDir(), func(k string) string { return env[k] })
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if got, want := cfg.Meta.AppSecret.Value(), "hemligt"; got != want {
					t.Errorf("got app secret %q, want %q", got, want)
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("got %v, want a problem %q", err, tt.problem)
			}
		})
	}
}

// unitCredentials writes a file holding value for every LoadCredential= of
// examples/uppsikt.service into a folder, as systemd would, and returns an
// environment with CREDENTIALS_DIRECTORY set to it.
func unitCredentials(t *testing.T, value string) func(string) string {
	t.Helper()
	unit, err := os.ReadFile(filepath.Join("..", "..", "examples", "uppsikt.service"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for line := range strings.Lines(string(unit)) {
		spec, ok := strings.CutPrefix(strings.TrimSpace(line), "LoadCredential=")
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(spec, ":")
		if err := os.WriteFile(filepath.Join(dir, id), []byte(value+"\n"), 0o400); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("examples/uppsikt.service has no LoadCredential= line")
	}
	return func(k string) string {
		if k == "CREDENTIALS_DIRECTORY" {
			return dir
		}
		return ""
	}
}
