package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, rel, body string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	write(t, root, "go.mod", "module example.org/m\n\ngo 1.26\n")
	write(t, root, "moderation/m.go", "package moderation\n")
	write(t, root, "rules/r.go", "package rules\nimport _ \"example.org/m/moderation\"\n")
	write(t, root, "bot/poll/p.go", "package poll\nimport (\n_ \"example.org/m/moderation\"\n_ \"example.org/m/bot/facebook\"\n_ \"fmt\"\n)\n")
	write(t, root, "bot/b_test.go", "package bot\nimport _ \"example.org/m/archive/sqlite\"\n")
	write(t, root, "archive/a.go", "package archive\nimport _ \"example.org/m/rules\"\n")
	write(t, root, "cmd/uppsikt/main.go", "package main\nimport (\n_ \"example.org/m/rules\"\n_ \"example.org/m/archive\"\n)\n")
	got, err := check(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"archive/a.go:2: archive imports rules",
		"bot/b_test.go:2: bot imports archive/sqlite",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
