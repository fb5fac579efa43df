package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uppsikt/uppsikt/archive/evidence/s3store"
	"github.com/uppsikt/uppsikt/archive/evidence/s3test"
	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/moderation"
)

// migrationTarget writes the configuration of r's installation moved to a
// fresh PostgreSQL database and an S3 bucket (prefix "moved/"), and returns
// its path and the database's DSN.
func migrationTarget(t *testing.T, r *actRig, srv *s3test.Server) (string, string) {
	t.Helper()
	dsn := pgtest.DSN(t)
	secrets := t.TempDir()
	for name, v := range map[string]string{"access": srv.AccessKey, "secret": srv.SecretKey, "dsn": dsn} {
		if err := os.WriteFile(filepath.Join(secrets, name), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	orig, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(orig) + fmt.Sprintf("store: {driver: postgres, dsn_file: %q}\n"+
		"evidence:\n  backend: s3\n  s3: {endpoint: %q, bucket: %q, prefix: moved/, access_key_file: %q, secret_key_file: %q, retention_days: 30}\n",
		filepath.Join(secrets, "dsn"), srv.Endpoint, srv.Bucket, filepath.Join(secrets, "access"), filepath.Join(secrets, "secret"))
	path := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, dsn
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMigrateStore moves an installation that the pipeline filled (a
// comment hidden with its evidence files in the folder, its case, action
// and audit entries, a user) to PostgreSQL and S3: the new store reads the
// same, every evidence object verifies in the bucket, the audit chain holds
// and ends with the migration; a second run is refused.
func TestMigrateStore(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	_, cid := r.add(t, "Mitt personnummer är 811218-9876")
	r.queue(t, cid, moderation.ActHide)
	r.drain(t)
	addUser(t, r.st, "arkivarie", moderation.RoleArchivist)
	files, err := r.st.Evidence(ctx, cid)
	if err != nil || len(files) == 0 {
		t.Fatalf("evidence: %v, %v", files, err)
	}
	srv := s3test.Start(t, s3test.Options{ObjectLock: true})
	cfgPath, dsn := migrationTarget(t, r, srv)

	code, stdout, stderr := r.run(t, "migrate-store", "-config", cfgPath, "-dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run: the target is empty") || !strings.Contains(stdout, "comments") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = r.run(t, "migrate-store", "-config", cfgPath, "-by", "anna")
	if code != 0 || !strings.Contains(stdout, "ok: every table") {
		t.Fatalf("migrate-store: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("%d copied", len(files))) {
		t.Errorf("migrate-store did not report %d evidence files copied:\n%s", len(files), stdout)
	}

	pg, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	same := func(what string, a, b any) {
		t.Helper()
		if jsonOf(t, a) != jsonOf(t, b) {
			t.Errorf("%s:\nSQLite     %s\nPostgreSQL %s", what, jsonOf(t, a), jsonOf(t, b))
		}
	}
	ca, _ := r.st.Comment(ctx, cid)
	cb, err := pg.Comment(ctx, cid)
	if err != nil {
		t.Fatalf("the comment in PostgreSQL: %v", err)
	}
	same("comment", ca, cb)
	va, _ := r.st.CommentVersions(ctx, cid)
	vb, _ := pg.CommentVersions(ctx, cid)
	same("versions", va, vb)
	ea, _ := r.st.Evidence(ctx, cid)
	eb, _ := pg.Evidence(ctx, cid)
	same("evidence", ea, eb)
	aa, _ := r.st.Actions(ctx, cid)
	ab, _ := pg.Actions(ctx, cid)
	same("actions", aa, ab)
	la, _ := r.st.ListCases(ctx, moderation.CaseFilter{})
	lb, _ := pg.ListCases(ctx, moderation.CaseFilter{})
	same("cases", la, lb)
	ua, _ := r.st.Users(ctx)
	ub, _ := pg.Users(ctx)
	same("users", ua, ub)
	logA, _ := r.st.AuditLog(ctx, 0, 1000)
	logB, _ := pg.AuditLog(ctx, 0, 1000)
	if len(logA) == 0 || len(logB) != len(logA)+1 {
		t.Fatalf("audit log: %d entries in SQLite, %d in PostgreSQL; want one more (the migration)", len(logA), len(logB))
	}
	same("audit log", logA, logB[:len(logA)])
	last := logB[len(logB)-1]
	if last.Action != "store.migrated" || last.Actor != "anna" || !bytes.Contains(last.Detail, []byte(`"verified":true`)) || last.PrevHash != logA[len(logA)-1].Hash {
		t.Errorf("the migration's audit entry: %+v (%s)", last, last.Detail)
	}

	// Every evidence file is in the bucket and intact; the chain holds.
	bucket, err := s3store.New(s3store.Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Prefix: "moved/", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := verifyAll(ctx, &out, pg, bucket); err != nil || !strings.Contains(out.String(), fmt.Sprintf("ok: %d evidence files", len(files))) {
		t.Fatalf("verify on the target: %q, %v", out.String(), err)
	}

	// A second run finds the target full and writes nothing.
	code, _, stderr = r.run(t, "migrate-store", "-config", cfgPath, "-by", "anna")
	if code == 0 || !strings.Contains(stderr, "not empty") || !strings.Contains(stderr, "comments (") {
		t.Fatalf("second migrate-store: exit %d, %s", code, stderr)
	}
	if again, _ := pg.AuditLog(ctx, 0, 1000); len(again) != len(logB) {
		t.Errorf("the refused run changed the audit log: %d entries, want %d", len(again), len(logB))
	}
}

// TestMigrateStoreDamagedEvidence: an evidence file of the source that no
// longer matches its hash is named and the command exits non-zero.
func TestMigrateStoreDamagedEvidence(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	_, cid := r.add(t, "Mitt personnummer är 811218-9876")
	r.queue(t, cid, moderation.ActHide)
	r.drain(t)
	files, err := r.st.Evidence(ctx, cid)
	if err != nil || len(files) == 0 {
		t.Fatalf("evidence: %v, %v", files, err)
	}
	bad := filepath.Join(r.cfg.Paths.Evidence, filepath.FromSlash(files[0].Path))
	if err := os.Chmod(bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("not the evidence"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := s3test.Start(t, s3test.Options{})
	cfgPath, _ := migrationTarget(t, r, srv)
	code, stdout, stderr := r.run(t, "migrate-store", "-config", cfgPath, "-by", "anna")
	if code != 1 || !strings.Contains(stdout, "DIFFERENCE: evidence file "+files[0].Path) || !strings.Contains(stderr, "difference") {
		t.Fatalf("migrate-store with a damaged evidence file: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
