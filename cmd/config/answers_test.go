package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAnswersDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal), "min.yaml", "/etc/uppsikt", env(map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Answers.Within.D(), 36*time.Hour; got != want {
		t.Errorf("answers.within: got %s, want %s", got, want)
	}
	if got, want := cfg.Answers.Reminders, []Duration{Duration(24 * time.Hour), Duration(32 * time.Hour)}; !slices.Equal(got, want) {
		t.Errorf("answers.reminders: got %v, want %v", got, want)
	}
	if got, want := cfg.Answers.CheckEvery.D(), time.Minute; got != want {
		t.Errorf("answers.check_every: got %s, want %s", got, want)
	}
}

func TestAnswersProblems(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		wants []string
	}{
		{"within too short", "answers:\n  within: 10s\n", []string{"line 12: answers.within: 10s"}},
		{"reminders out of order", "answers:\n  reminders: [24h, 12h, 12h]\n", []string{
			"answers.reminders[1]: 12h0m0s: list the reminders in increasing order", "answers.reminders[2]: 12h0m0s: list"}},
		{"a reminder of nothing", "answers:\n  reminders: [0s]\n", []string{"answers.reminders[0]: 0s: must be at least 1m"}},
		{"check_every too rare", "answers:\n  check_every: 2h\n", []string{"line 12: answers.check_every: 2h0m0s"}},
		{"not a duration", "answers:\n  within: soon\n", []string{"line 12:", `"soon" is not a duration`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tt.yaml), "t.yaml", t.TempDir(), env(map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"}))
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(cerr.Error(), w) {
					t.Errorf("problems do not mention %q:\n%s", w, cerr.Error())
				}
			}
		})
	}
}
