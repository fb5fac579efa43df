package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// TestBackupRestore fills a store through the emulator and the pipeline,
// backs it up (twice: the second run copies no evidence), restores it into
// a fresh data folder where verify passes with the same counts, and checks
// the refusals: a non-empty data folder, a corrupted evidence file in the
// backup, a changed backup database.
func TestBackupRestore(t *testing.T) {
	testenv.NeedTools(t, "gs")
	r, _ := newEvRig(t, "capture: {disabled: true}\n")
	r.add(t, "Ring mig, mitt personnummer är 811218-9876")
	r.add(t, "Du är en idiot")
	r.add(t, "När öppnar badhuset?")
	r.settle(t)
	cmd := func(args ...string) (int, string, string) {
		env, out, errb := testEnv(r.env)
		code := run(context.Background(), env, args)
		return code, out.String(), errb.String()
	}
	code, wantVerify, stderr := cmd("verify", "-config", r.cfgPath)
	if code != 0 || !strings.HasPrefix(wantVerify, "ok: ") || strings.HasPrefix(wantVerify, "ok: 0 ") {
		t.Fatalf("verify of the filled store: exit %d, %q %s; want ok with evidence files", code, wantVerify, stderr)
	}
	wantStats, err := r.st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	backupDir := filepath.Join(t.TempDir(), "backup")
	manifest := func() backupManifestFile {
		t.Helper()
		var m backupManifestFile
		data, err := os.ReadFile(filepath.Join(backupDir, backupManifest))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if code, stdout, stderr := cmd("backup", "-config", r.cfgPath, "-out", backupDir); code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	first := manifest()
	if first.Evidence.Files == 0 || first.Evidence.Copied != first.Evidence.Files || first.Counts != wantStats {
		t.Errorf("first backup: %d files, %d copied, counts %+v; want all files copied, counts %+v", first.Evidence.Files, first.Evidence.Copied, first.Counts, wantStats)
	}
	if code, stdout, stderr := cmd("backup", "-config", r.cfgPath, "-out", backupDir); code != 0 {
		t.Fatalf("second backup into the first: exit %d\n%s%s", code, stdout, stderr)
	}
	if second := manifest(); second.Evidence.Copied != 0 || second.Evidence.Files != first.Evidence.Files {
		t.Errorf("second backup: copied %d of %d files, want 0 of %d (incremental)", second.Evidence.Copied, second.Evidence.Files, first.Evidence.Files)
	}

	// newTarget writes the rig's configuration with a fresh data folder.
	orig, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	newTarget := func(t *testing.T) (cfgPath, data string) {
		dir := t.TempDir()
		data = filepath.Join(dir, "data")
		yaml := strings.Replace(string(orig), filepath.Dir(r.cfgPath), data, 1)
		cfgPath = filepath.Join(dir, "uppsikt.yaml")
		if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return cfgPath, data
	}

	restored, data := newTarget(t)
	if code, stdout, stderr := cmd("restore", "-config", restored, "-from", backupDir); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	code, gotVerify, stderr := cmd("verify", "-config", restored)
	if code != 0 || gotVerify != wantVerify {
		t.Errorf("verify of the restored data: exit %d, %q %s; want %q", code, gotVerify, stderr, wantVerify)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(data, "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	gotStats, err := st.Stats(context.Background())
	st.Close()
	if err != nil || gotStats != wantStats {
		t.Errorf("restored counts %+v (%v), want %+v", gotStats, err, wantStats)
	}

	evFiles, err := r.st.ListEvidence(context.Background(), 0, 0)
	if err != nil || len(evFiles) == 0 {
		t.Fatalf("ListEvidence: %d, %v", len(evFiles), err)
	}
	victim := evFiles[0].Path
	tests := []struct {
		name       string
		prepare    func(t *testing.T) // changes the backup; undone by t.Cleanup
		args       func(t *testing.T) []string
		wantCode   int
		wantStderr string
	}{
		{
			name:       "restore into a non-empty data folder",
			args:       func(*testing.T) []string { return []string{"restore", "-config", restored, "-from", backupDir} },
			wantCode:   1,
			wantStderr: "is not empty",
		},
		{
			name: "restore into a non-empty data folder with -force",
			args: func(*testing.T) []string {
				return []string{"restore", "-config", restored, "-from", backupDir, "-force"}
			},
			wantCode: 0,
		},
		{
			name:    "restore from a backup with a corrupted evidence file",
			prepare: func(t *testing.T) { corrupt(t, filepath.Join(backupDir, backupEvidence, victim)) },
			args: func(t *testing.T) []string {
				c, _ := newTarget(t)
				return []string{"restore", "-config", c, "-from", backupDir}
			},
			wantCode:   1,
			wantStderr: victim,
		},
		{
			name:       "backup into a backup with a corrupted evidence file",
			prepare:    func(t *testing.T) { corrupt(t, filepath.Join(backupDir, backupEvidence, victim)) },
			args:       func(*testing.T) []string { return []string{"backup", "-config", r.cfgPath, "-out", backupDir} },
			wantCode:   1,
			wantStderr: victim,
		},
		{
			name:    "restore from a backup whose database was changed",
			prepare: func(t *testing.T) { appendByte(t, filepath.Join(backupDir, backupDB)) },
			args: func(t *testing.T) []string {
				c, _ := newTarget(t)
				return []string{"restore", "-config", c, "-from", backupDir}
			},
			wantCode:   1,
			wantStderr: "the manifest says",
		},
		{
			name: "backup into a folder holding something else",
			args: func(t *testing.T) []string {
				d := t.TempDir()
				os.WriteFile(filepath.Join(d, "x"), nil, 0o600)
				return []string{"backup", "-config", r.cfgPath, "-out", d}
			},
			wantCode:   1,
			wantStderr: "give an empty folder or an earlier backup",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare(t)
			}
			code, stdout, stderr := cmd(tc.args(t)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("got exit %d, stderr %q (stdout %q); want exit %d, stderr containing %q", code, stderr, stdout, tc.wantCode, tc.wantStderr)
			}
		})
	}
}

// corrupt flips one byte of the file at path and restores it at the end of
// the test.
func corrupt(t *testing.T, path string) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := append([]byte(nil), orig...)
	broken[len(broken)/2] ^= 0xff
	os.Chmod(path, 0o600)
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(path, orig, 0o440) })
}

// appendByte appends a byte to the file at path and removes it at the end
// of the test.
func appendByte(t *testing.T, path string) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(append([]byte(nil), orig...), 0), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(path, orig, 0o600) })
}
