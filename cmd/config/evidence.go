package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Evidence says where uppsikt keeps its evidence files.
type Evidence struct {
	// Backend is dir (the default: the folder paths.evidence) or s3 (the
	// bucket evidence.s3 names).
	Backend string     `yaml:"backend"`
	S3      EvidenceS3 `yaml:"s3"`
}

// EvidenceS3 is an S3-compatible bucket for evidence (docs/operations.md,
// "Evidence in S3").
type EvidenceS3 struct {
	Endpoint string `yaml:"endpoint"` // the server's URL, https://s3.example.se (path-style addressing)
	Bucket   string `yaml:"bucket"`
	Region   string `yaml:"region"` // default us-east-1
	Prefix   string `yaml:"prefix"` // key prefix, e.g. gruvberg/evidence/
	// AccessKey and SecretKey are the bucket's credentials: give them as
	// access_key_file and secret_key_file (or ${ENV_NAME}), never inline.
	AccessKey     Secret `yaml:"access_key"`
	AccessKeyFile string `yaml:"access_key_file"`
	SecretKey     Secret `yaml:"secret_key"`
	SecretKeyFile string `yaml:"secret_key_file"`
	// CAFile is a PEM bundle of CAs that may sign the server's
	// certificate, beside the system's roots.
	CAFile string `yaml:"ca_file"`
	// RetentionDays is how long every evidence object is locked (S3
	// Object Lock, COMPLIANCE mode) when the bucket has Object Lock; 0:
	// the bucket's default retention alone.
	RetentionDays int `yaml:"retention_days"`
}

// MaxRetentionDays bounds evidence.s3.retention_days: a COMPLIANCE lock
// cannot be shortened, so a typo must not lock objects for centuries.
const MaxRetentionDays = 100 * 366

var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func (c *Config) evidenceDefaults() {
	if c.Evidence.Backend == "" {
		c.Evidence.Backend = "dir"
	}
	if c.Evidence.S3.CAFile != "" {
		c.Evidence.S3.CAFile = c.abs(c.Evidence.S3.CAFile)
	}
}

// resolveEvidenceSecrets resolves the bucket's keys (resolveSecrets).
func (c *Config) resolveEvidenceSecrets(resolve func(field string, s *Secret, file string, required bool)) {
	s3 := &c.Evidence.S3
	on := c.Evidence.Backend == "s3"
	resolve("evidence.s3.access_key", &s3.AccessKey, s3.AccessKeyFile, on)
	resolve("evidence.s3.secret_key", &s3.SecretKey, s3.SecretKeyFile, on)
}

// validateEvidence checks the evidence backend and its bucket.
func (c *Config) validateEvidence(loc *locator, cerr *Error) {
	e := &c.Evidence
	switch e.Backend {
	case "dir":
		if e.S3 != (EvidenceS3{}) {
			cerr.add(loc, "evidence.s3", "evidence.backend is dir: set backend: s3 to keep evidence in the bucket, or leave out evidence.s3")
		}
		return
	case "s3":
	default:
		cerr.add(loc, "evidence.backend", fmt.Sprintf("%q: write dir or s3", e.Backend))
		return
	}
	s3 := &e.S3
	if s3.Endpoint == "" {
		cerr.add(loc, "evidence.s3.endpoint", "missing: the S3 server's URL, e.g. https://s3.example.se")
	} else if u, err := url.Parse(s3.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		cerr.add(loc, "evidence.s3.endpoint", fmt.Sprintf("%q is not an http(s) URL (and keys go in access_key_file and secret_key_file, not the URL)", s3.Endpoint))
	} else if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		cerr.warn(loc, "evidence.s3.endpoint", fmt.Sprintf("%q is plain http: evidence and signed requests cross the network unencrypted; use https", s3.Endpoint))
	}
	if !bucketRE.MatchString(s3.Bucket) || strings.Contains(s3.Bucket, "..") {
		cerr.add(loc, "evidence.s3.bucket", fmt.Sprintf("%q is not a bucket name (3–63 lower-case letters, digits, dots and hyphens)", s3.Bucket))
	}
	if p := s3.Prefix; strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, "..") || strings.ContainsAny(p, "\\\n\r") {
		cerr.add(loc, "evidence.s3.prefix", fmt.Sprintf("%q: write a key prefix such as gruvberg/evidence/ (no leading /, no .. or //)", p))
	}
	for _, k := range []struct {
		field string
		s     Secret
	}{{"evidence.s3.access_key", s3.AccessKey}, {"evidence.s3.secret_key", s3.SecretKey}} {
		if k.s.raw != "" && !envRef.MatchString(k.s.raw) {
			cerr.add(loc, k.field, "write the key as ${ENV_NAME} or use "+lastName(k.field)+"_file, not inline")
		}
	}
	if s3.CAFile != "" {
		if st, err := os.Stat(s3.CAFile); err != nil || st.IsDir() {
			cerr.add(loc, "evidence.s3.ca_file", fmt.Sprintf("%q is not a readable file", s3.CAFile))
		}
	}
	if d := s3.RetentionDays; d < 0 || d > MaxRetentionDays {
		cerr.add(loc, "evidence.s3.retention_days", fmt.Sprintf("%d: write the days each object stays locked, 0 to %d (0: the bucket's default retention)", d, MaxRetentionDays))
	}
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "127.")
}
