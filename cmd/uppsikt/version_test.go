package main

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadVersion(t *testing.T) {
	installed := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/uppsikt/uppsikt", Version: "v1.4.0"}}
	checkout := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/uppsikt/uppsikt", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name  string
		stamp string
		bi    *debug.BuildInfo
		want  versionInfo
	}{
		{"make build stamps describe and revision", "v1.4.0-3-gabcdef0 abcdef0123", checkout,
			versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "v1.4.0-3-gabcdef0", Revision: "abcdef0123", GoVersion: "go1.26.8"}},
		{"a dirty tree", "abcdef0-dirty abcdef0123", nil,
			versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "abcdef0-dirty", Revision: "abcdef0123", Modified: true}},
		{"go install module@version", "", installed,
			versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "v1.4.0", GoVersion: "go1.26.8"}},
		{"go build in a checkout with VCS stamping", "", checkout,
			versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "(devel)", Revision: "0123abcd", Modified: true, GoVersion: "go1.26.8"}},
		{"nothing known", "", nil, versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readVersion(tt.stamp, tt.bi, tt.bi != nil); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	env, out, errb := testEnv(nil)
	if code := run(context.Background(), env, []string{"version"}); code != 0 {
		t.Fatalf("uppsikt version: exit %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{"uppsikt ", "\nmodule   github.com/uppsikt/uppsikt\n", "\nrevision ", "\ngo       go"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("uppsikt version:\n%s\nwant %q", out, want)
		}
	}
	env, out, errb = testEnv(nil)
	if code := run(context.Background(), env, []string{"version", "extra"}); code != 2 {
		t.Errorf("uppsikt version extra: exit %d, want 2\n%s%s", code, out, errb)
	}
}
