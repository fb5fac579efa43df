package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/evidence/s3store"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// evidenceCheckTimeout bounds the check of the evidence bucket at start.
const evidenceCheckTimeout = 15 * time.Second

// openEvidenceStore opens the configured evidence store: the folder
// paths.evidence (created if needed) or the bucket evidence.s3. A bucket
// is reached once, to say in the log whether it has Object Lock; a bucket
// that cannot be reached is logged and the store returned all the same,
// for the service to run on (evidence and removals wait until it is back).
func openEvidenceStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (evidence.Store, error) {
	if cfg.Evidence.Backend != "s3" {
		return evidence.Open(cfg.Paths.Evidence)
	}
	b, err := newBucket(cfg)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, evidenceCheckTimeout)
	defer cancel()
	st, err := b.Check(cctx)
	days := cfg.Evidence.S3.RetentionDays
	switch {
	case err != nil:
		log.Error("evidence bucket unavailable: evidence and removals wait until it is back", "bucket", b.String(), "error", err)
	case st.ObjectLock && days > 0:
		log.Info("evidence in S3: Object Lock on, each object locked in COMPLIANCE mode", "bucket", b.String(), "retention_days", days)
	case st.ObjectLock && st.DefaultMode == "":
		log.Warn("evidence in S3: Object Lock is on but neither evidence.s3.retention_days nor a default retention of the bucket locks the objects", "bucket", b.String())
	case st.ObjectLock:
		log.Info("evidence in S3: Object Lock on, the bucket's default retention applies (evidence.s3.retention_days is 0)", "bucket", b.String(), "default_mode", st.DefaultMode, "default_days", st.DefaultDays)
	default:
		log.Warn("evidence in S3: Object Lock is off for the bucket: anyone with its keys can delete or replace evidence (create the bucket with Object Lock; docs/operations.md)", "bucket", b.String(), "retention_days", days)
	}
	return b, nil
}

// newBucket is the evidence bucket of the configuration, unreached.
func newBucket(cfg *config.Config) (*s3store.Bucket, error) {
	s := cfg.Evidence.S3
	b, err := s3store.New(s3store.Options{
		Endpoint: s.Endpoint, Bucket: s.Bucket, Region: s.Region, Prefix: s.Prefix,
		AccessKey: s.AccessKey.Value(), SecretKey: s.SecretKey.Value(), CAFile: s.CAFile, RetentionDays: s.RetentionDays,
	})
	if err != nil {
		return nil, fmt.Errorf("evidence.s3: %w", err)
	}
	return b, nil
}
