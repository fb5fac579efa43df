package config

import (
	"strings"
	"testing"
)

func TestArchiveReports(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want, problem string
	}{
		{"default under the data folder", minimal, "/etc/uppsikt/data/reports", ""},
		{"relative to the configuration", minimal + "archive:\n  reports: rapporter/månad\n", "/etc/uppsikt/rapporter/månad", ""},
		{"inside the evidence folder", minimal + "archive:\n  reports: data/evidence/reports\n", "", "archive.reports: /etc/uppsikt/data/evidence/reports is in the evidence folder"},
		{"the evidence folder itself", minimal + "archive:\n  reports: data/evidence\n", "", "archive.reports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "r.yaml", "/etc/uppsikt", env(map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"}))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Errorf("got %v, want a problem %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Archive.Reports; got != tc.want {
				t.Errorf("archive.reports: got %q, want %q", got, tc.want)
			}
		})
	}
}
