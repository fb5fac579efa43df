package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestClassifyContract(t *testing.T) {
	input := strings.Join([]string{
		`{"id":"a","text":"Du är en jävla idiot.","lang":"sv"}`,
		`this is not json`,
		`{"id":2,"text":"När öppnar simhallen?"}`,
		``,
		`{"text":"no id"}`,
		`{"id":"c","text":"Mit CPR-nummer er 010203-4321, kan I hjælpe?","lang":"da"}`,
	}, "\n")
	env, out, errb := testEnv(nil)
	env.stdin = strings.NewReader(input)
	code := run(context.Background(), env, []string{"classify", "-today", "2026-01-15"})
	if code != 0 {
		t.Fatalf("exit code %d, stderr %s", code, errb.String())
	}
	for _, want := range []string{"line 2:", "line 5:", "2 bad line(s)"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr %q lacks %q", errb.String(), want)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d output lines, want 3:\n%s", len(lines), out.String())
	}
	type verdict struct {
		ID         json.RawMessage   `json:"id"`
		Categories []string          `json:"categories"`
		Question   bool              `json:"question"`
		Register   bool              `json:"register"`
		Hits       []json.RawMessage `json:"hits"`
	}
	var got []verdict
	for _, l := range lines {
		var v verdict
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		if v.Categories == nil || v.Hits == nil {
			t.Errorf("line %q: categories and hits must be arrays, not null", l)
		}
		got = append(got, v)
	}
	tests := []struct {
		name      string
		v         verdict
		id        string
		cats      []string
		question  bool
		register  bool
		wantsHits bool
	}{
		{"insult and swearing", got[0], `"a"`, []string{"harassment", "profanity"}, false, false, true},
		{"question, numeric id kept", got[1], `2`, []string{}, true, false, true},
		{"cpr", got[2], `"c"`, []string{"personal_id"}, true, true, true},
	}
	for _, tt := range tests {
		if string(tt.v.ID) != tt.id || !slices.Equal(tt.v.Categories, tt.cats) || tt.v.Question != tt.question || tt.v.Register != tt.register || (len(tt.v.Hits) > 0) != tt.wantsHits {
			t.Errorf("%s: got id=%s %v q=%v r=%v hits=%d, want id=%s %v q=%v r=%v", tt.name, tt.v.ID, tt.v.Categories, tt.v.Question, tt.v.Register, len(tt.v.Hits), tt.id, tt.cats, tt.question, tt.register)
		}
	}
}

func TestClassifyExtraPacksAndRulesTest(t *testing.T) {
	dir := t.TempDir()
	pack := `pack: local
languages: [sv]
document: Lokala regler
rules:
  - id: local.profanity.sjutton
    category: profanity
    citation: {section: Svordomar}
    words: [sjutton]
    examples: {match: ["Sjutton också!"], no_match: ["Vi ses klockan nitton"]}
`
	if err := os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(pack), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out, errb := testEnv(nil)
	env.stdin = strings.NewReader(`{"id":"x","text":"Sjutton också!","lang":"sv"}`)
	if code := run(context.Background(), env, []string{"classify", "-packs", dir}); code != 0 {
		t.Fatalf("classify -packs: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "local.profanity.sjutton") {
		t.Errorf("extra pack rule did not fire: %s", out.String())
	}

	env, out, errb = testEnv(nil)
	if code := run(context.Background(), env, []string{"rules", "test", dir}); code != 0 {
		t.Fatalf("rules test: exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), " 0 failed") {
		t.Errorf("rules test output %q", out.String())
	}

	bad := strings.Replace(pack, `no_match: ["Vi ses klockan nitton"]`, `no_match: ["sjutton gubbar"]`, 1)
	if err := os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out, _ = testEnv(nil)
	if code := run(context.Background(), env, []string{"rules", "test", dir}); code != 1 || !strings.Contains(out.String(), "FAIL local.profanity.sjutton (local.yaml:5)") {
		t.Errorf("failing example: exit %d, output %q", code, out.String())
	}

	env, _, _ = testEnv(nil)
	if code := run(context.Background(), env, []string{"rules"}); code != 2 {
		t.Errorf("rules without test: exit %d, want 2", code)
	}
	if err := os.WriteFile(filepath.Join(dir, "local.yaml"), []byte("pack: x\nrules:\n  - id: a\n    category: hate\n    citation: {section: S, document: D}\n    regex: ['(']\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, errb = testEnv(nil)
	if code := run(context.Background(), env, []string{"classify", "-packs", dir}); code != 1 || !strings.Contains(errb.String(), "local.yaml:6") {
		t.Errorf("bad regex: exit %d, stderr %q, want exit 1 naming local.yaml:6", code, errb.String())
	}
}

func TestReadLine(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("short\n"+strings.Repeat("x", 100)+"\nlast"), 16)
	var got []string
	var errs []error
	for {
		line, err := readLine(r, nil, 20)
		if err == io.EOF && len(line) == 0 {
			break
		}
		got = append(got, string(line))
		errs = append(errs, err)
		if err == io.EOF {
			break
		}
	}
	if len(got) != 3 || got[0] != "short" || !errors.Is(errs[1], errLineTooLong) || got[2] != "last" {
		t.Errorf("lines %q, errors %v; want short, (too long), last", got, errs)
	}
}
