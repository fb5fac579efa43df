package s3store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/evidence/s3store"
	"github.com/uppsikt/uppsikt/archive/evidence/s3test"
)

func open(t *testing.T, srv *s3test.Server, edit func(*s3store.Options)) *s3store.Bucket {
	t.Helper()
	o := srv.Options()
	if edit != nil {
		edit(&o)
	}
	b, err := s3store.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func walk(t *testing.T, st evidence.Store) []string {
	t.Helper()
	var names []string
	if err := st.Walk(context.Background(), func(rel string) error { names = append(names, rel); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func TestPutVerifyRead(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	b := open(t, srv, func(o *s3store.Options) { o.Prefix = "kommun/evidence" })
	st, err := b.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ObjectLock {
		t.Fatal("a bucket made without Object Lock reports it on")
	}
	data := []byte("%PDF-1.7 evidence of comment 42")
	f, err := b.Put(ctx, data, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := evidence.Name(data, "pdf")
	if f != want {
		t.Fatalf("Put = %+v, want %+v (the folder's name)", f, want)
	}
	if _, err := os.Stat(srv.File("kommun/evidence/" + f.Path)); err != nil {
		t.Fatalf("the object is not under the prefix on the server: %v", err)
	}
	if err := b.Verify(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadFile(ctx, f.Path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if has, err := b.Has(ctx, f.Path); err != nil || !has {
		t.Fatalf("Has = %v, %v", has, err)
	}
	// The server keeps the SHA-256 uppsikt sent with the object.
	head, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("kommun/evidence/" + f.Path), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if aws.ToString(head.ChecksumSHA256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("the server's checksum of the object is %q, want the SHA-256 %s", aws.ToString(head.ChecksumSHA256), base64.StdEncoding.EncodeToString(sum[:]))
	}
	missing, _ := evidence.Name([]byte("never stored"), "pdf")
	if err := b.Verify(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Verify of a missing object = %v, want fs.ErrNotExist", err)
	}
	if has, err := b.Has(ctx, missing.Path); err != nil || has {
		t.Fatalf("Has(missing) = %v, %v", has, err)
	}
	if _, err := b.ReadFile(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("a name that is not an evidence name was read")
	}
	// An object of another program under the prefix is not evidence.
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("kommun/evidence/README"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	if names := walk(t, b); !slices.Equal(names, []string{f.Path}) {
		t.Fatalf("Walk = %v, want [%s]", names, f.Path)
	}
}

func TestSameContentIsOneObject(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	b := open(t, srv, nil)
	data := []byte("the same screenshot")
	f1, err := b.Put(ctx, data, "png")
	if err != nil {
		t.Fatal(err)
	}
	info1, err := os.Stat(srv.File(f1.Path))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	f2, err := b.Put(ctx, data, ".png")
	if err != nil {
		t.Fatalf("storing the same bytes again: %v", err)
	}
	if f1 != f2 {
		t.Fatalf("second Put = %+v, first %+v", f2, f1)
	}
	info2, err := os.Stat(srv.File(f1.Path))
	if err != nil {
		t.Fatal(err)
	}
	if !info2.ModTime().Equal(info1.ModTime()) {
		t.Fatal("the object was written again")
	}
	if names := walk(t, b); len(names) != 1 {
		t.Fatalf("Walk = %v, want one object", names)
	}
	// A second Bucket on the same server (another process) sees it too.
	if _, err := open(t, srv, nil).Put(ctx, data, "png"); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedObjectFailsVerify(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	b := open(t, srv, nil)
	data := []byte("%PDF-1.7 original evidence")
	f, err := b.Put(ctx, data, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	// Damage the object behind the server's back, keeping its size.
	damaged := bytes.Clone(data)
	damaged[len(damaged)-1] ^= 1
	if err := os.WriteFile(srv.File(f.Path), damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(ctx, f); !errors.Is(err, evidence.ErrCorrupt) {
		t.Fatalf("Verify of a damaged object = %v, want ErrCorrupt", err)
	}
	if _, err := b.ReadFile(ctx, f.Path); !errors.Is(err, evidence.ErrCorrupt) {
		t.Fatalf("ReadFile of a damaged object = %v, want ErrCorrupt", err)
	}
	// Storing the same evidence again reports the damage and replaces
	// nothing.
	if _, err := b.Put(ctx, data, "pdf"); !errors.Is(err, evidence.ErrCorrupt) {
		t.Fatalf("Put over a damaged object = %v, want ErrCorrupt", err)
	}
	if got, _ := os.ReadFile(srv.File(f.Path)); !bytes.Equal(got, damaged) {
		t.Fatal("Put replaced the damaged object")
	}
}

func TestServerRefusesWrongChecksum(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	sum := sha256.Sum256([]byte("other bytes"))
	_, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(srv.Bucket), Key: aws.String("ab/x.pdf"), Body: bytes.NewReader([]byte("these bytes")),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BadDigest" {
		t.Fatalf("PUT with a wrong x-amz-checksum-sha256 = %v; want the server's BadDigest", err)
	}
	if _, err := os.Stat(srv.File("ab/x.pdf")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the refused object is on the server: %v", err)
	}
}

// TestObjectLock: in a bucket with Object Lock (versioned, as S3 makes
// it), each object uppsikt writes is locked in COMPLIANCE mode; the server
// refuses to delete the locked version, to shorten its lock, or to lift it
// with a governance bypass. An overwrite or a plain delete only adds a
// newer version or a delete marker: the locked version stays intact, and
// Verify reports the damage and names the intact version.
func TestObjectLock(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{ObjectLock: true})
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	b := open(t, srv, func(o *s3store.Options) {
		o.RetentionDays = 3650
		o.Now = func() time.Time { return now }
	})
	st, err := b.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.ObjectLock {
		t.Fatal("Check does not see the bucket's Object Lock")
	}
	data := []byte("%PDF-1.7 locked evidence")
	f, err := b.Put(ctx, data, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	bucket, key := aws.String(srv.Bucket), aws.String(f.Path)
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, Prefix: key})
	if err != nil || len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) == "" {
		t.Fatalf("versions of the object: %+v, %v; want one", vs, err)
	}
	version := vs.Versions[0].VersionId
	ret, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: key, VersionId: version})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Retention == nil || ret.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(now.AddDate(0, 0, 3650)) {
		t.Fatalf("retention = %+v, want COMPLIANCE until %v", ret.Retention, now.AddDate(0, 0, 3650))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key, VersionId: version}); err == nil {
		t.Error("the server deleted the locked version")
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key, VersionId: version, BypassGovernanceRetention: aws.Bool(true)}); err == nil {
		t.Error("the server deleted the locked version with a governance bypass")
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: key, VersionId: version,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(now.AddDate(0, 0, 1))}}); err == nil {
		t.Error("the server shortened a COMPLIANCE retention")
	}
	if err := b.Verify(ctx, f); err != nil {
		t.Fatalf("the locked object after the attempts: %v", err)
	}
	// Someone with write access puts other bytes under the name.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader([]byte("forged"))}); err != nil {
		t.Fatalf("an overwrite in a versioned bucket adds a version: %v", err)
	}
	err = b.Verify(ctx, f)
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), aws.ToString(version)) {
		t.Fatalf("Verify after an overwrite = %v; want ErrCorrupt naming the intact version %s", err, aws.ToString(version))
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, VersionId: version})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, data) {
		t.Fatalf("the locked version holds %q after the overwrite", body)
	}
}

// TestLockedEvidenceHiddenByDeleteMarker: a plain delete in a versioned
// bucket adds a delete marker; Verify reports the evidence missing and
// names the locked version that still holds it.
func TestLockedEvidenceHiddenByDeleteMarker(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{ObjectLock: true})
	b := open(t, srv, func(o *s3store.Options) { o.RetentionDays = 1 })
	f, err := b.Put(ctx, []byte("%PDF-1.7 evidence"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(f.Path)}); err != nil {
		t.Fatalf("a delete without a version id adds a delete marker: %v", err)
	}
	err = b.Verify(ctx, f)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "holds the evidence intact") {
		t.Fatalf("Verify behind a delete marker = %v; want not-exist naming the intact version", err)
	}
}

func TestOutage(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	b := open(t, srv, nil)
	if _, err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := b.Put(ctx, []byte("during the outage"), "pdf"); err == nil {
		t.Fatal("Put succeeded while the server was down")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	f, err := b.Put(ctx, []byte("during the outage"), "pdf")
	if err != nil {
		t.Fatalf("Put after the server is back: %v", err)
	}
	if err := b.Verify(ctx, f); err != nil {
		t.Fatal(err)
	}
}

func TestCopyBetweenFolderAndBucket(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	b := open(t, srv, nil)
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	var files []evidence.File
	for _, s := range []string{"one", "two", "three"} {
		f, err := b.Put(ctx, []byte(s), "pdf")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// A backup of the bucket into a folder, twice: the second copies
	// nothing.
	stats, err := evidence.Copy(ctx, b, dir)
	if err != nil || stats.Copied != 3 || stats.Present != 0 {
		t.Fatalf("Copy bucket→folder = %+v, %v", stats, err)
	}
	for _, f := range files {
		if err := dir.Verify(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if stats, err := evidence.Copy(ctx, b, dir); err != nil || stats.Copied != 0 || stats.Present != 3 {
		t.Fatalf("second Copy = %+v, %v", stats, err)
	}
	// A damaged object is not copied, and said so.
	bad, err := b.Put(ctx, []byte("four"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(srv.File(bad.Path), []byte("fovr"), 0o644); err != nil {
		t.Fatal(err)
	}
	if stats, err := evidence.Copy(ctx, b, dir); err != nil || stats.Copied != 0 || !slices.Equal(stats.Corrupt, []string{bad.Path}) {
		t.Fatalf("Copy with a damaged object = %+v, %v", stats, err)
	}
	// A restore of the folder into an empty bucket (another prefix).
	b2 := open(t, srv, func(o *s3store.Options) { o.Prefix = "restored/" })
	if stats, err := evidence.Copy(ctx, dir, b2); err != nil || stats.Copied != 3 {
		t.Fatalf("Copy folder→bucket = %+v, %v", stats, err)
	}
	for _, f := range files {
		if err := b2.Verify(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTLSAndKeys: over https the server's certificate is checked against
// CAFile (and the system's roots, which do not know the test's CA); wrong
// keys are refused, and the error does not carry the secret key.
func TestTLSAndKeys(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{TLS: true})
	b := open(t, srv, nil)
	if _, err := b.Check(ctx); err != nil {
		t.Fatalf("https with the CA file: %v", err)
	}
	f, err := b.Put(ctx, []byte("over https"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, srv, func(o *s3store.Options) { o.CAFile = "" }).Check(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("https without the CA file = %v, want a certificate error", err)
	}
	const wrong = "wrong-secret-6d1f0a"
	_, err = open(t, srv, func(o *s3store.Options) { o.SecretKey = wrong }).Put(ctx, []byte("x"), "pdf")
	if err == nil {
		t.Fatal("a wrong secret key was accepted")
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), srv.SecretKey) {
		t.Fatalf("the error carries a secret key: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := s3store.New(s3store.Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, AccessKey: "a", SecretKey: "s", CAFile: bad}); err == nil {
		t.Fatal("a CA file without a certificate was accepted")
	}
}

// TestServerWithoutConditionalPut: a server that does not implement
// If-None-Match (it answers 501) is asked with a HEAD before each PUT, and
// an object already there is checked, not written again.
func TestServerWithoutConditionalPut(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Start(t, s3test.Options{})
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var conditional, puts, heads atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.Header.Get("If-None-Match") != "":
			conditional.Add(1)
			w.WriteHeader(http.StatusNotImplemented)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>conditional writes are not implemented</Message></Error>`)
			return
		case r.Method == http.MethodPut:
			puts.Add(1)
		case r.Method == http.MethodHead:
			heads.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	b := open(t, srv, func(o *s3store.Options) { o.Endpoint = front.URL })
	data := []byte("%PDF-1.7 evidence")
	f, err := b.Put(ctx, data, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(ctx, f); err != nil {
		t.Fatal(err)
	}
	if conditional.Load() != 1 || puts.Load() != 1 {
		t.Fatalf("%d conditional PUTs, %d plain PUTs; want 1 refused and 1 plain", conditional.Load(), puts.Load())
	}
	if _, err := b.Put(ctx, data, "pdf"); err != nil {
		t.Fatal(err)
	}
	if conditional.Load() != 1 || puts.Load() != 1 || heads.Load() < 2 {
		t.Fatalf("the second Put: %d conditional PUTs, %d plain PUTs, %d HEADs; want no PUT after a HEAD that finds the object", conditional.Load(), puts.Load(), heads.Load())
	}
}

// BenchmarkPut stores 1 MiB evidence files (distinct content) in a bucket
// with Object Lock on versitygw over loopback, and reads each back.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	srv := s3test.Start(b, s3test.Options{ObjectLock: true})
	o := srv.Options()
	o.RetentionDays = 1
	bucket, err := s3store.New(o)
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		data[0], data[1], data[2], data[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		f, err := bucket.Put(ctx, data, "pdf")
		if err != nil {
			b.Fatal(err)
		}
		if err := bucket.Verify(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}
