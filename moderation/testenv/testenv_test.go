package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissing runs a test that reports a missing program, once as CI and
// once outside it, in a child process, and checks that CI fails it while a
// developer's machine skips it.
func TestMissing(t *testing.T) {
	if os.Getenv("UPPSIKT_TESTENV_CHILD") == "1" {
		Missing(t, "frobnicator is not installed: run make deps")
		return
	}
	for _, tt := range []struct {
		name   string
		ci     string
		failed bool
		output string
	}{
		{"in CI it fails", "true", true, "--- FAIL: TestMissing"},
		{"elsewhere it skips", "", false, "--- SKIP: TestMissing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
			cmd.Env = append(os.Environ(), "UPPSIKT_TESTENV_CHILD=1", "CI="+tt.ci)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.failed {
				t.Errorf("failed: got %v, want %v\n%s", failed, tt.failed, out)
			}
			if !strings.Contains(string(out), tt.output) {
				t.Errorf("output lacks %q:\n%s", tt.output, out)
			}
		})
	}
}

// TestNeedTools runs, in a child process as CI, a test that needs a program
// on the PATH and one that is not: the first passes, the second fails naming
// the missing program.
func TestNeedTools(t *testing.T) {
	switch os.Getenv("UPPSIKT_TESTENV_NEED") {
	case "present":
		NeedTools(t, "sh")
		return
	case "absent":
		NeedTools(t, "sh", "uppsikt-no-such-frobnicator")
		return
	}
	for _, tt := range []struct {
		need   string
		failed bool
		output string
	}{
		{"present", false, "--- PASS: TestNeedTools"},
		{"absent", true, "uppsikt-no-such-frobnicator is not installed"},
	} {
		t.Run(tt.need, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNeedTools$", "-test.v")
			cmd.Env = append(os.Environ(), "UPPSIKT_TESTENV_NEED="+tt.need, "CI=true")
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.failed {
				t.Errorf("failed: got %v, want %v\n%s", failed, tt.failed, out)
			}
			if !strings.Contains(string(out), tt.output) {
				t.Errorf("output lacks %q:\n%s", tt.output, out)
			}
		})
	}
}
