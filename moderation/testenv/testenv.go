// Package testenv is for uppsikt's tests that need programs from outside Go:
// Chromium, Ghostscript, poppler, axe-core. Outside CI a test whose program
// is missing skips with a message saying how to install it; in CI, where
// "make test" installs every one of them first, a missing program fails the
// test, so that a skip can never hide a missing dependency.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Missing reports that something a test needs is not installed: a failure
// when the CI environment variable is set, a skip otherwise.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("in CI every test dependency must be installed: "+format, args...)
	}
	t.Skipf(format, args...)
}

// NeedTools checks that every program a test runs is on the PATH, and
// reports the first one missing through Missing.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, "%s is not installed: run `make deps` (scripts/install-deps.sh)", tool)
		}
	}
}
