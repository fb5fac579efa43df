package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the subcommand and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(vars map[string]string) (*environment, *syncBuffer, *syncBuffer) {
	out, errb := &syncBuffer{}, &syncBuffer{}
	return &environment{stdin: strings.NewReader(""), stdout: out, stderr: errb, getenv: func(k string) string { return vars[k] }}, out, errb
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		want   int
		output string // expected in stdout or stderr
	}{
		{"help lists subcommands", []string{"help"}, 0, "serve"},
		{"no subcommand", nil, 2, "Subcommands:"},
		{"unknown subcommand", []string{"frobnicate"}, 2, `unknown subcommand "frobnicate"`},
		{"subcommand help", []string{"serve", "-h"}, 0, "-config"},
		{"bad flag", []string{"serve", "-colour", "blue"}, 2, "flag provided but not defined: -colour"},
		{"stray argument", []string{"demo", "now"}, 2, `unexpected argument "now"`},
		{"config without check", []string{"config"}, 2, "uppsikt config check"},
		{"emulator bad flag", []string{"emulator", "-live-rate", "lots"}, 2, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, out, errb := testEnv(nil)
			if got := run(context.Background(), env, tt.args); got != tt.want {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, out, errb)
			}
			if all := out.String() + errb.String(); !strings.Contains(all, tt.output) {
				t.Errorf("output does not contain %q:\n%s", tt.output, all)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	example := filepath.Join("..", "..", "examples", "uppsikt.yaml")
	// The secrets are the credentials examples/uppsikt.service loads.
	env, out, errb := testEnv(map[string]string{"CREDENTIALS_DIRECTORY": unitCredentials(t, filepath.Join("..", "..", "examples", "uppsikt.service"))})
	if got := run(context.Background(), env, []string{"config", "check", "-config", example}); got != 0 {
		t.Fatalf("config check of the example: exit %d\n%s%s", got, out, errb)
	}
	if !strings.Contains(out.String(), "ok — 3 account(s)") {
		t.Errorf("unexpected output: %s", out)
	}

	env, out, errb = testEnv(nil) // no secrets in the environment
	if got := run(context.Background(), env, []string{"config", "check", "-config", example}); got != 1 {
		t.Errorf("config check without secrets: exit %d, want 1", got)
	}
	if !regexp.MustCompile(`line \d+: accounts\[0\]\.token_file: "\$\{CREDENTIALS_DIRECTORY\}/gruvberg-fb": CREDENTIALS_DIRECTORY is not set`).MatchString(errb.String()) {
		t.Errorf("the problem does not name the field and line:\n%s%s", out, errb)
	}
}

func TestServeStartsNothingOnBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "uppsikt.yaml")
	body := "paths:\n  data: data\naccounts:\n  - key: x\n    platform: facebook\n    id: \"1\"\n    name: X\n    owners: [a]\n    token: ${MISSING}\n    colour: red\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(nil)
	if got := run(context.Background(), env, []string{"serve", "-config", cfg}); got != 1 {
		t.Fatalf("exit: got %d, want 1", got)
	}
	for _, want := range []string{"line 10: colour: unknown key", "line 9: accounts[0].token", "not started"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr does not contain %q:\n%s", want, errb)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("serve created its data folder although the configuration is bad (stat: %v)", err)
	}
}

// TestDemoEndToEnd runs "uppsikt demo" as make run does — emulator, poller,
// pipeline, store and web page — and reads the web page until the
// emulator's comments are listed, then stops it as SIGTERM would.
func TestDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, out, errb := testEnv(nil)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env, []string{"demo", "-listen", "127.0.0.1:0", "-data", dir, "-live-rate", "120", "-log", "warn"})
	}()
	urlRE := regexp.MustCompile(`web page:\s+(http://\S+)`)
	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited with %d before serving:\n%s%s", code, out, errb)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo printed no web page address:\n%s%s", out, errb)
		}
	}
	m := regexp.MustCompile(`sign in:\s+demo\.moderator / (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo printed no password for demo.moderator:\n%s", out)
	}
	client := signIn(t, base, "demo.moderator", m[1])
	rowRE := regexp.MustCompile(`<tr class="state-(visible|hidden|deleted)`)
	var page string
	for {
		resp, err := client.Get(base)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page = string(b)
			if resp.StatusCode == 200 && len(rowRE.FindAllString(page, -1)) >= 10 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the web page shows no comments after 60 s:\n%s\nstderr:\n%s", page, errb)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{"<h1>", "Facebook", "Konton"} {
		if !strings.Contains(page, want) {
			t.Errorf("the web page lacks %q", want)
		}
	}
	// The demo's Instagram account has posted nothing for 20 days (the
	// scenario's quiet_days): once it is read, the overview warns of it.
	inactive := regexp.MustCompile(`Inget inlägg av kontot på 2\d dagar`)
	for !inactive.MatchString(page) {
		if time.Now().After(deadline) {
			t.Fatalf("the overview shows no inactive-account warning after 60 s:\n%s", page)
		}
		time.Sleep(200 * time.Millisecond)
		if resp, err := client.Get(base); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page = string(b)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("demo exit code after shutdown: got %d, want 0\n%s", code, errb)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop within 30 s of being cancelled")
	}
	if _, err := os.Stat(filepath.Join(dir, "demo", "uppsikt.db")); err != nil {
		t.Errorf("the demo database: %v", err)
	}
}
