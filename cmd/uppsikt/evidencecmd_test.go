package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// TestCaptureVerifyRegisterCommands runs uppsikt capture, verify and
// register list on a store the pipeline filled, then breaks an evidence
// file and the audit chain and checks that verify reports the first break.
func TestCaptureVerifyRegisterCommands(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	r, _ := newEvRig(t, "capture: {disabled: true}\n")
	pnr := r.add(t, "Ring mig, mitt personnummer är 811218-9876")
	r.settle(t)
	if !r.emuComment(pnr).Hidden {
		t.Fatal("personal_id comment not hidden")
	}
	cmd := func(args ...string) (int, string, string) {
		env, out, errb := testEnv(r.env)
		code := run(context.Background(), env, args)
		return code, out.String(), errb.String()
	}

	out := filepath.Join(t.TempDir(), "bevis.pdf")
	code, stdout, stderr := cmd("capture", "-config", r.cfgPath, "-comment", pnr, "-out", out)
	if code != 0 {
		t.Fatalf("capture exit %d:\n%s%s", code, stdout, stderr)
	}
	text, err := exec.Command("pdftotext", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{pnr, "811218-9876", "KS " + time.Now().Format("2006") + "/0001"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("captured PDF lacks %q", want)
		}
	}
	if !strings.Contains(stdout, "PDF/A-3b: true") {
		t.Errorf("capture output = %q, want PDF/A-3b: true", stdout)
	}

	code, stdout, stderr = cmd("register", "list", "-config", r.cfgPath, "-year", time.Now().Format("2006"))
	if code != 0 || !regexp.MustCompile(`KS \d{4}/0001\s.*bevis-fb\s+`+regexp.QuoteMeta(pnr)).MatchString(stdout) {
		t.Errorf("register list exit %d:\n%s%s\nwant the entry of %s", code, stdout, stderr, pnr)
	}

	code, stdout, stderr = cmd("verify", "-config", r.cfgPath)
	if code != 0 || !strings.HasPrefix(stdout, "ok: ") {
		t.Fatalf("verify on a sound store: exit %d\n%s%s", code, stdout, stderr)
	}

	// A flipped byte in each of three evidence files is three breaks, all
	// of them reported, not only the first.
	files, err := r.st.ListEvidence(context.Background(), 0, 0)
	if err != nil || len(files) < 3 {
		t.Fatalf("ListEvidence: %d, %v; want at least 3", len(files), err)
	}
	var origs [][]byte
	for _, f := range files[:3] {
		victim := filepath.Join(r.ev.dir.String(), f.Path)
		orig, err := os.ReadFile(victim)
		if err != nil {
			t.Fatal(err)
		}
		origs = append(origs, orig)
		broken := append([]byte(nil), orig...)
		broken[len(broken)/2] ^= 0xff
		os.Chmod(victim, 0o600)
		if err := os.WriteFile(victim, broken, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = cmd("verify", "-config", r.cfgPath)
	if code != 1 || !strings.Contains(stderr, "3 break(s)") {
		t.Errorf("verify with three changed files: exit %d, stderr %q; want 1 and 3 breaks", code, stderr)
	}
	for _, f := range files[:3] {
		if !strings.Contains(stderr, f.Path) || !strings.Contains(stdout, f.Path) {
			t.Errorf("verify with three changed files: stdout %q, stderr %q; want both to name %s", stdout, stderr, f.Path)
		}
	}
	for i, f := range files[:3] {
		if err := os.WriteFile(filepath.Join(r.ev.dir.String(), f.Path), origs[i], 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A changed audit entry breaks the chain at that entry: an attacker with
	// the database file drops the guard trigger and edits a line.
	db, err := sql.Open("sqlite3", r.cfg.Paths.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET subject = 'comment 999' WHERE seq = 2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	code, _, stderr = cmd("verify", "-config", r.cfgPath)
	if code != 1 || !strings.Contains(stderr, "entry 2 ") {
		t.Errorf("verify with a changed audit entry: exit %d, stderr %q; want 1 naming entry 2", code, stderr)
	}
}
