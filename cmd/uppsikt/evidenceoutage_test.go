package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/evidence/s3store"
	"github.com/uppsikt/uppsikt/archive/evidence/s3test"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
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

// TestRemovalWaitsForEvidenceBucket: with evidence in an S3 bucket (a real
// S3 server, versitygw, with Object Lock), a bucket that cannot be reached
// makes the hide wait — no evidence, no hide at the platform — and the
// hide goes out once the bucket is back, after its evidence PDF is stored
// and locked there.
func TestRemovalWaitsForEvidenceBucket(t *testing.T) {
	r, srv := newBucketActRig(t)
	ctx := context.Background()

	srv.Stop()
	id, cid := r.add(t, "Mitt personnummer är 811218-9876")
	a := r.queue(t, cid, moderation.ActHide)
	r.drain(t)
	got := r.action(t, a)
	if got.State != moderation.ActionPending || r.emuComment(id).Hidden || len(r.platformActions(id)) != 0 {
		t.Fatalf("with the bucket down: action %s (%s), hidden %v, platform actions %v; want pending, not hidden, none",
			got.State, got.LastError, r.emuComment(id).Hidden, r.platformActions(id))
	}
	if files, err := r.st.Evidence(ctx, cid); err != nil || len(files) != 0 {
		t.Fatalf("evidence recorded while the bucket was down: %v, %v", files, err)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour)
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionDone || !r.emuComment(id).Hidden {
		t.Fatalf("with the bucket back: action %s (%s), hidden %v; want done and hidden", got.State, got.LastError, r.emuComment(id).Hidden)
	}
	if n := checkGate(t, r.st, r.emu, r.key); n != 1 {
		t.Errorf("removals checked: %d, want 1", n)
	}
	files, err := r.st.Evidence(ctx, cid)
	if err != nil || len(files) == 0 {
		t.Fatalf("evidence of the hidden comment: %v, %v", files, err)
	}
	for _, f := range files {
		key := "gruvberg/" + f.Path
		if _, err := os.Stat(srv.File(key)); err != nil {
			t.Errorf("evidence %s is not in the bucket: %v", f.Path, err)
			continue
		}
		ret, err := srv.Client().GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
		if err != nil || ret.Retention == nil || ret.Retention.Mode != types.ObjectLockRetentionModeCompliance {
			t.Errorf("evidence %s is not locked: %+v, %v", f.Path, ret, err)
		}
	}
	// uppsikt verify reads every object back.
	var out bytes.Buffer
	if err := verifyAll(ctx, &out, r.st, r.ev.dir); err != nil || !strings.Contains(out.String(), fmt.Sprintf("ok: %d evidence files", len(files))) {
		t.Fatalf("verify = %q, %v", out.String(), err)
	}
	if code, stdout, stderr := r.run(t, "verify", "-config", r.cfgPath); code != 0 || !strings.Contains(stdout, fmt.Sprintf("ok: %d evidence files", len(files))) || !strings.Contains(stderr, "Object Lock on") {
		t.Fatalf("uppsikt verify: exit %d, %q, %q", code, stdout, stderr)
	}
	damaged := append([]byte("x"), []byte(files[0].SHA256)...)
	if err := os.WriteFile(srv.File("gruvberg/"+files[0].Path), damaged[:min(len(damaged), int(files[0].Size))], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := verifyAll(ctx, &out, r.st, r.ev.dir); !errors.Is(err, errBroken) || !strings.Contains(err.Error(), files[0].Path) || !strings.Contains(err.Error(), evidence.ErrCorrupt.Error()) {
		t.Fatalf("verify of a damaged object = %v, want a break naming %s as corrupt", err, files[0].Path)
	}
	if code, _, stderr := r.run(t, "verify", "-config", r.cfgPath); code == 0 || !strings.Contains(stderr, "corrupt") {
		t.Fatalf("uppsikt verify of a damaged object: exit %d, %q", code, stderr)
	}
}

// newBucketActRig is newActRig with its evidence in a bucket (prefix
// "gruvberg/", locked 30 days) of a versitygw with Object Lock.
func newBucketActRig(t *testing.T) (*actRig, *s3test.Server) {
	t.Helper()
	srv := s3test.Start(t, s3test.Options{ObjectLock: true})
	keys := t.TempDir()
	for name, v := range map[string]string{"access": srv.AccessKey, "secret": srv.SecretKey} {
		if err := os.WriteFile(filepath.Join(keys, name), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := newActRigFor(t, actScenario, "facebook-0", fmt.Sprintf(
		"evidence:\n  backend: s3\n  s3: {endpoint: %q, bucket: %q, prefix: gruvberg/, access_key_file: %q, secret_key_file: %q, retention_days: 30}\n",
		srv.Endpoint, srv.Bucket, filepath.Join(keys, "access"), filepath.Join(keys, "secret")))
	if _, ok := r.ev.dir.(*s3store.Bucket); !ok {
		t.Fatalf("the evidence store is %T (%s), want the bucket", r.ev.dir, r.ev.dir)
	}
	return r, srv
}

// TestBackupRestoreWithBucket: the web page serves evidence from the
// bucket; a backup of a service whose evidence is in a bucket copies the bucket's evidence into the backup folder (a second
// backup copies nothing), and a restore puts it back into a bucket (here
// under another prefix) where verify passes.
func TestBackupRestoreWithBucket(t *testing.T) {
	r, srv := newBucketActRig(t)
	ctx := context.Background()
	id, cid := r.add(t, "Mitt personnummer är 811218-9876")
	r.queue(t, cid, moderation.ActHide)
	r.drain(t)
	if !r.emuComment(id).Hidden {
		t.Fatal("not hidden")
	}
	files, err := r.st.Evidence(ctx, cid)
	if err != nil || len(files) == 0 {
		t.Fatalf("evidence: %v, %v", files, err)
	}
	// The web page serves the evidence from the bucket.
	web, err := openReview(r.cfg, r.st, time.UTC, discardLogger(), ruleExplainer(r.cfg), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(web.web)
	t.Cleanup(page.Close)
	addUser(t, r.st, "arkivarie", moderation.RoleArchivist)
	client := signIn(t, page.URL, "arkivarie", testPassword)
	resp, err := client.Get(fmt.Sprintf("%s/evidence/%d", page.URL, files[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, err := os.ReadFile(srv.File("gruvberg/" + files[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("the web page's evidence %d: %d, %d bytes; want 200 and the bucket's %d bytes", files[0].ID, resp.StatusCode, len(body), len(want))
	}

	backupDir := filepath.Join(t.TempDir(), "backup")
	code, stdout, stderr := r.run(t, "backup", "-config", r.cfgPath, "-out", backupDir)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d evidence files (%d copied now", len(files), len(files))) {
		t.Fatalf("backup: exit %d, %q, %s", code, stdout, stderr)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(backupDir, backupEvidence, filepath.FromSlash(f.Path))); err != nil {
			t.Errorf("evidence %s is not in the backup folder: %v", f.Path, err)
		}
	}
	if code, stdout, stderr := r.run(t, "backup", "-config", r.cfgPath, "-out", backupDir); code != 0 || !strings.Contains(stdout, "(0 copied now") {
		t.Fatalf("second backup: exit %d, %q, %s", code, stdout, stderr)
	}
	// The restore goes to a fresh data folder and another prefix of the
	// bucket.
	orig, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	text := strings.Replace(strings.Replace(string(orig), fmt.Sprintf("data: %q", r.dir), fmt.Sprintf("data: %q", restored), 1), "prefix: gruvberg/", "prefix: restored/", 1)
	if text == string(orig) || !strings.Contains(text, "prefix: restored/") {
		t.Fatal("could not rewrite the configuration for the restore")
	}
	cfgPath := filepath.Join(t.TempDir(), "restored.yaml")
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := r.run(t, "restore", "-config", cfgPath, "-from", backupDir); code != 0 || !strings.Contains(stdout, "ok") {
		t.Fatalf("restore: exit %d, %q, %s", code, stdout, stderr)
	}
	for _, f := range files {
		if _, err := os.Stat(srv.File("restored/" + f.Path)); err != nil {
			t.Errorf("evidence %s was not restored into the bucket: %v", f.Path, err)
		}
	}
	if code, stdout, stderr := r.run(t, "verify", "-config", cfgPath); code != 0 || !strings.HasPrefix(stdout, fmt.Sprintf("ok: %d evidence files", len(files))) {
		t.Fatalf("verify of the restore: exit %d, %q, %s", code, stdout, stderr)
	}
}
