package main

import (
	"context"
	"strings"
	"testing"
)

// TestEverySubcommandAnswersHelp runs -h on every subcommand of the command
// list, and on every form of the subcommands that have forms: each prints
// its usage line ("Usage: uppsikt NAME ...") and its flags on standard
// error, nothing on standard output, and exits 0.
func TestEverySubcommandAnswersHelp(t *testing.T) {
	var tests [][]string
	for _, c := range commands() {
		if c.run != nil {
			tests = append(tests, []string{c.name})
		}
	}
	forms := [][]string{
		{"account", "close"}, {"account", "token"}, {"account", "token", "set"}, {"account", "token", "clear"},
		{"config", "check"}, {"crisis", "on"}, {"crisis", "off"}, {"export", "verify"},
		{"objection", "add"}, {"objection", "list"}, {"person", "export"}, {"person", "erase"},
		{"register", "list"}, {"retention", "run"}, {"retention", "holds"}, {"rules", "test"}, {"user", "add"},
	}
	if len(tests) < 20 {
		t.Fatalf("the command list has %d subcommands, want at least 20", len(tests))
	}
	for _, help := range []string{"-h", "-help", "--help"} {
		for _, words := range append(tests, forms...) {
			name := strings.Join(words, " ")
			t.Run(name+" "+help, func(t *testing.T) {
				env, out, errb := testEnv(nil)
				if got := run(context.Background(), env, append(append([]string{}, words...), help)); got != 0 {
					t.Errorf("exit code: got %d, want 0\nstderr: %s", got, errb)
				}
				if got := out.String(); got != "" {
					t.Errorf("standard output: got %q, want nothing", got)
				}
				usage := "Usage: uppsikt " + name
				if got := errb.String(); !strings.HasPrefix(got, usage) {
					t.Errorf("standard error: got %q, want it to begin with %q", firstLine(got), usage)
				}
				if got := errb.String(); !strings.Contains(got, "\nFlags:\n") {
					t.Errorf("standard error has no Flags: section:\n%s", got)
				}
			})
		}
	}
}

// TestSubcommandWithoutFormIsUsageError: a subcommand that has forms,
// given none, prints its usage and exits 2, unlike -h.
func TestSubcommandWithoutFormIsUsageError(t *testing.T) {
	for _, name := range []string{"account", "config", "crisis", "objection", "person", "register", "retention", "user"} {
		t.Run(name, func(t *testing.T) {
			env, _, errb := testEnv(nil)
			if got := run(context.Background(), env, []string{name}); got != 2 {
				t.Errorf("exit code: got %d, want 2\nstderr: %s", got, errb)
			}
			if got, want := firstLine(errb.String()), "Usage: uppsikt "+name; !strings.HasPrefix(got, want) {
				t.Errorf("standard error: got %q, want it to begin with %q", got, want)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
