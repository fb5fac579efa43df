package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/uppsikt/uppsikt/archive/evidence"
)

// Options configure a Bucket.
type Options struct {
	Endpoint  string // the server's URL, "https://s3.example.se" (path-style addressing)
	Bucket    string
	Region    string // default "us-east-1"
	Prefix    string // key prefix, e.g. "uppsikt/evidence/"; a missing final "/" is added
	AccessKey string
	SecretKey string
	// CAFile is a PEM bundle of CAs that may sign the server's
	// certificate, in addition to the system's roots.
	CAFile string
	// RetentionDays is how long each object is locked (COMPLIANCE mode)
	// when the bucket has Object Lock; 0 writes no retention of its own
	// (the bucket's default retention, if any, applies).
	RetentionDays int
	// Now is the clock for retain-until dates; time.Now if nil.
	Now func() time.Time
	// HTTPClient replaces the client built from CAFile (tests).
	HTTPClient *http.Client
}

// Bucket is an evidence store in an S3-compatible bucket. It is safe for
// concurrent use.
type Bucket struct {
	c      *s3.Client
	bucket string
	prefix string
	days   int
	now    func() time.Time

	mu      sync.Mutex
	checked bool // lock was detected
	lock    bool // the bucket has Object Lock enabled
	noCond  bool // the server refused If-None-Match: HEAD before PUT
}

var _ evidence.Store = (*Bucket)(nil)

// New returns the bucket o names. It makes no request: a server that is
// down makes Put fail, with the cause, until it is back, and Check says
// how the bucket is set up.
func New(o Options) (*Bucket, error) {
	switch {
	case o.Endpoint == "":
		return nil, errors.New("s3store: no endpoint")
	case o.Bucket == "":
		return nil, errors.New("s3store: no bucket")
	case o.AccessKey == "" || o.SecretKey == "":
		return nil, errors.New("s3store: no access key or secret key")
	case o.RetentionDays < 0:
		return nil, errors.New("s3store: negative retention")
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	hc := o.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if o.CAFile != "" {
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("s3store: CA file: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("s3store: CA file %s holds no PEM certificate", o.CAFile)
			}
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		hc = &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	}
	prefix := strings.TrimPrefix(o.Prefix, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	c := s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(o.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, ""),
		HTTPClient:   hc,
		// uppsikt sends its own SHA-256 with every PUT and hashes what
		// it reads back itself: a damaged object is then ErrCorrupt, not
		// a transport error.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &Bucket{c: c, bucket: o.Bucket, prefix: prefix, days: o.RetentionDays, now: now}, nil
}

// String is "s3://bucket/prefix".
func (b *Bucket) String() string { return "s3://" + b.bucket + "/" + b.prefix }

// Status is what Check found.
type Status struct {
	ObjectLock bool // the bucket has Object Lock enabled
	// DefaultMode and DefaultDays are the bucket's default retention, if
	// it has one.
	DefaultMode string
	DefaultDays int
}

// Check reaches the bucket and reports whether it has Object Lock.
func (b *Bucket) Check(ctx context.Context) (Status, error) {
	if _, err := b.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
		return Status{}, fmt.Errorf("s3store: bucket %s: %w", b.bucket, err)
	}
	var st Status
	out, err := b.c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(b.bucket)})
	switch {
	case err == nil:
		if out.ObjectLockConfiguration != nil && out.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled {
			st.ObjectLock = true
			if r := out.ObjectLockConfiguration.Rule; r != nil && r.DefaultRetention != nil {
				st.DefaultMode = string(r.DefaultRetention.Mode)
				st.DefaultDays = int(aws.ToInt32(r.DefaultRetention.Days))
			}
		}
	case isCode(err, "ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration", "NotImplemented"):
	default:
		return Status{}, fmt.Errorf("s3store: object lock of bucket %s: %w", b.bucket, err)
	}
	b.mu.Lock()
	b.checked, b.lock = true, st.ObjectLock
	b.mu.Unlock()
	return st, nil
}

// lockOn reports whether objects are to be locked, checking the bucket
// once.
func (b *Bucket) lockOn(ctx context.Context) (bool, error) {
	b.mu.Lock()
	checked, lock := b.checked, b.lock
	b.mu.Unlock()
	if checked {
		return lock, nil
	}
	st, err := b.Check(ctx)
	if err != nil {
		return false, err
	}
	return st.ObjectLock, nil
}

func (b *Bucket) key(rel string) (string, error) {
	if err := evidence.CheckName(rel); err != nil {
		return "", err
	}
	return b.prefix + strings.TrimPrefix(rel, "./"), nil
}

// Put stores data under its SHA-256 with the extension ext and returns
// when the server has stored (and, with Object Lock, locked) it. An object
// already stored under the name is read back and checked instead.
func (b *Bucket) Put(ctx context.Context, data []byte, ext string) (evidence.File, error) {
	if err := ctx.Err(); err != nil {
		return evidence.File{}, err
	}
	f, err := evidence.Name(data, ext)
	if err != nil {
		return evidence.File{}, err
	}
	key, err := b.key(f.Path)
	if err != nil {
		return evidence.File{}, err
	}
	lock, err := b.lockOn(ctx)
	if err != nil {
		return evidence.File{}, err
	}
	b.mu.Lock()
	noCond := b.noCond
	b.mu.Unlock()
	if noCond {
		if has, err := b.Has(ctx, f.Path); err != nil {
			return evidence.File{}, err
		} else if has {
			return f, b.Verify(ctx, f)
		}
	}
	sum, _ := hex.DecodeString(f.SHA256)
	in := &s3.PutObjectInput{
		Bucket:            aws.String(b.bucket),
		Key:               aws.String(key),
		Body:              bytes.NewReader(data),
		ContentLength:     aws.Int64(f.Size),
		ContentType:       aws.String(contentType(ext)),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(base64.StdEncoding.EncodeToString(sum)),
	}
	if !noCond {
		in.IfNoneMatch = aws.String("*")
	}
	if lock && b.days > 0 {
		in.ObjectLockMode = types.ObjectLockModeCompliance
		in.ObjectLockRetainUntilDate = aws.Time(b.now().UTC().AddDate(0, 0, b.days).Truncate(time.Second))
	}
	_, err = b.c.PutObject(ctx, in)
	switch {
	case err == nil:
		return f, nil
	case !noCond && (httpStatus(err) == http.StatusPreconditionFailed || isCode(err, "PreconditionFailed")):
		// Already stored: the same name means the same bytes, if they
		// are intact.
		return f, b.Verify(ctx, f)
	case !noCond && (httpStatus(err) == http.StatusNotImplemented || isCode(err, "NotImplemented")):
		b.mu.Lock()
		b.noCond = true
		b.mu.Unlock()
		return b.Put(ctx, data, ext)
	case isCode(err, "BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest"):
		return evidence.File{}, fmt.Errorf("s3store: put %s: the server received other bytes than were sent: %w", key, err)
	default:
		return evidence.File{}, fmt.Errorf("s3store: put %s: %w", key, err)
	}
}

// Verify reads the object back and checks its hash, size and name. When
// the object is damaged or missing in a versioned bucket (every bucket
// with Object Lock is), an earlier version that still holds the evidence
// intact — a locked version hidden by a newer version or a delete
// marker — is named in the error, for the operator to restore.
func (b *Bucket) Verify(ctx context.Context, f evidence.File) error {
	if len(f.SHA256) != 64 || evidence.HashFromName(f.Path) != f.SHA256 {
		return fmt.Errorf("evidence: %s: name does not carry hash %q: %w", f.Path, f.SHA256, evidence.ErrCorrupt)
	}
	err := b.verify(ctx, f, "")
	if err == nil || !errors.Is(err, evidence.ErrCorrupt) && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if v := b.intactVersion(ctx, f); v != "" {
		return fmt.Errorf("%w; the earlier version %s of the object holds the evidence intact: make it the current version again (docs/operations.md)", err, v)
	}
	return err
}

// intactVersion returns the id of an earlier version of f's object whose
// content is f; "" if there is none (or versions cannot be listed).
func (b *Bucket) intactVersion(ctx context.Context, f evidence.File) string {
	key, err := b.key(f.Path)
	if err != nil {
		return ""
	}
	out, err := b.c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b.bucket), Prefix: aws.String(key)})
	if err != nil {
		return ""
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) != key || aws.ToBool(v.IsLatest) || aws.ToString(v.VersionId) == "" {
			continue
		}
		if b.verify(ctx, f, aws.ToString(v.VersionId)) == nil {
			return aws.ToString(v.VersionId)
		}
	}
	return ""
}

// verify checks the version (the current one if "") of f's object.
func (b *Bucket) verify(ctx context.Context, f evidence.File, version string) error {
	r, err := b.get(ctx, f.Path, version)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("s3store: read %s: %w", f.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("evidence: %s in %s: content hash %s, want %s: %w", f.Path, b, got, f.SHA256, evidence.ErrCorrupt)
	}
	if n != f.Size {
		return fmt.Errorf("evidence: %s in %s: size %d, want %d: %w", f.Path, b, n, f.Size, evidence.ErrCorrupt)
	}
	return nil
}

// ReadFile returns the object's content after checking it against the
// hash in its name.
func (b *Bucket) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	r, err := b.Get(ctx, rel)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("s3store: read %s: %w", rel, err)
	}
	sum := sha256.Sum256(data)
	if want := evidence.HashFromName(rel); want != hex.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("evidence: %s in %s: content does not match its name: %w", rel, b, evidence.ErrCorrupt)
	}
	return data, nil
}

// Get opens the object at rel for reading; a missing object is an error
// wrapping fs.ErrNotExist.
func (b *Bucket) Get(ctx context.Context, rel string) (io.ReadCloser, error) {
	return b.get(ctx, rel, "")
}

func (b *Bucket) get(ctx context.Context, rel, version string) (io.ReadCloser, error) {
	key, err := b.key(rel)
	if err != nil {
		return nil, err
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := b.c.GetObject(ctx, in)
	if err != nil {
		if notFound(err) {
			return nil, fmt.Errorf("s3store: %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("s3store: get %s: %w", key, err)
	}
	return out.Body, nil
}

// Has reports whether an object is stored at rel.
func (b *Bucket) Has(ctx context.Context, rel string) (bool, error) {
	key, err := b.key(rel)
	if err != nil {
		return false, err
	}
	_, err = b.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err == nil {
		return true, nil
	}
	if notFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("s3store: head %s: %w", key, err)
}

// Walk calls fn with the name of every evidence object under the prefix;
// other objects there are skipped.
func (b *Bucket) Walk(ctx context.Context, fn func(rel string) error) error {
	p := s3.NewListObjectsV2Paginator(b.c, &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket), Prefix: aws.String(b.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3store: list %s: %w", b, err)
		}
		for _, o := range page.Contents {
			rel := strings.TrimPrefix(aws.ToString(o.Key), b.prefix)
			if evidence.CheckName(rel) != nil {
				continue
			}
			if err := fn(rel); err != nil {
				return err
			}
		}
	}
	return nil
}

func contentType(ext string) string {
	switch strings.TrimPrefix(ext, ".") {
	case "pdf":
		return "application/pdf"
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "json":
		return "application/json"
	case "html":
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// notFound reports a missing object (not a missing bucket, which is an
// error of the configuration or the server).
func notFound(err error) bool {
	if isCode(err, "NoSuchBucket") {
		return false
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	return errors.As(err, &nsk) || errors.As(err, &nf) || httpStatus(err) == http.StatusNotFound
}
