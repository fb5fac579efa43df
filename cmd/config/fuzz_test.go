package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSecret is what every ${ENV} and *_file secret resolves to in
// FuzzParse; no problem message may ever show it.
const fuzzSecret = "fuzz-secret-7d1c9e"

// FuzzParse feeds arbitrary files to the configuration parser: it must
// never panic, a file it accepts has every account named, and its problems
// each carry a line and never a secret's value.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "uppsikt.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(minimal))
	f.Add([]byte("meta:\n  app_secret: plain-text-secret\naccounts: []\n"))
	f.Add([]byte("accounts:\n  - key: fb\n    platform: facebook\n    token: ${A}\n    token_file: /nonexistent\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("schedules:\n  default: {office_hours: \"25:00-08:00\", interval: -1s}\n"))
	f.Add([]byte("\x00\xff"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(fuzzSecret+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml", dir, func(k string) string {
			if k == "CREDENTIALS_DIRECTORY" { // a folder, not a secret
				return dir
			}
			return fuzzSecret
		})
		if err != nil {
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("a problem shows a secret's value:\n%v", err)
			}
			var cerr *Error
			if errors.As(err, &cerr) && len(cerr.Problems) == 0 {
				t.Fatalf("an *Error without problems: %v", err)
			}
			return
		}
		for i, a := range cfg.Accounts {
			if a.Key == "" || a.Platform == "" {
				t.Errorf("account %d accepted without a key or platform: %+v", i, a)
			}
		}
	})
}
