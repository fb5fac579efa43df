package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// TestServeStartsWithoutEvidenceFolder: an evidence folder that is not
// there when the service starts (a file in its place, a missing mount)
// does not stop the service — it kept exiting at every restart in the
// chaos campaign, reading nothing meanwhile. Evidence waits, with the
// cause, until the folder is back.
func TestServeStartsWithoutEvidenceFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "uppsikt.yaml")
	body := "municipality:\n  name: Gruvbergs kommun\npaths:\n  data: data\naccounts:\n  - key: web\n    platform: webpage\n    id: https://kommun.example/nyheter\n    name: Nyheter\n    owners: [anna]\n    site:\n      url: https://kommun.example/nyheter\n      comment: .c\n      author: .a\n      text: .t\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Paths.Evidence), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Paths.Evidence, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := openEvidence(ctx, cfg, st, discardLogger(), time.UTC, ruleExplainer(cfg))
	if err != nil {
		t.Fatalf("openEvidence with a file where the evidence folder should be: %v; want the service to start", err)
	}
	defer ev.Close()
	if _, err := ev.dir.Put(ctx, []byte("%PDF-1.7 evidence"), "pdf"); err == nil {
		t.Fatal("Put succeeded while the evidence folder is a file")
	}
	if err := os.Remove(cfg.Paths.Evidence); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(cfg.Paths.Evidence, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.dir.Put(ctx, []byte("%PDF-1.7 evidence"), "pdf"); err != nil {
		t.Fatalf("Put once the folder is back: %v", err)
	}
}
