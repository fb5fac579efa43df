// Package s3store keeps uppsikt's evidence files in an S3-compatible bucket,
// for a service whose evidence outgrows one disk or must not depend on one.
//
// It stores the same content-addressed names as the evidence folder
// ("ab/abcdef….pdf", under an optional key prefix) with the same promises
// (evidence.Store): an object is written once, with a conditional PUT
// (If-None-Match: *) so that an existing object is never replaced, and
// with its SHA-256 as the x-amz-checksum-sha256 header, which the server
// checks before it accepts the object. An object that is already there is
// read back and checked, and then counts as stored. Put returns only when
// the server has answered that the object is stored, so the rule "evidence
// before removal" holds: no hide or delete is sent before that answer.
//
// When the bucket has S3 Object Lock (detected with
// GetObjectLockConfiguration), every object is written in COMPLIANCE mode
// with a retain-until date RetentionDays ahead: nobody, not even the
// bucket's owner, can delete or overwrite it before then. Verify and
// ReadFile read the object back and hash it.
//
// The client is the AWS SDK for Go v2 (service/s3), with path-style
// addressing and a configured endpoint, so that it reaches any
// S3-compatible server (Ceph RGW, Garage, versitygw, a cloud provider's).
package s3store
