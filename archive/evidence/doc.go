// Package evidence keeps uppsikt's evidence files: the evidence PDFs,
// screenshots and raw platform answers that document a comment before it is
// hidden or deleted.
//
// Files are content addressed: a file's name is the SHA-256 of its bytes,
// under a folder named by the first two hex digits ("ab/abcdef….pdf"), so the
// name alone proves what the file should contain. A file is written to a
// temporary file in the same folder, synced to disk, renamed into place, and
// the folder is synced, so that a crash leaves either the whole file or none
// of it. A file is never overwritten: storing the same bytes again reuses the
// existing file, and finding other bytes under a name is reported as
// corruption. Verify re-hashes a file, for `uppsikt verify` and for audits.
//
// The pipeline records the returned File (hash, relative path, size) in the
// store before it sends any hide or delete to a platform.
//
// Store is what uppsikt's parts need of a place for evidence: Dir is the
// folder, and package s3store keeps the same names with the same promises
// in an S3-compatible bucket (package s3test runs a real S3 server for its
// tests). Copy copies between any two stores, for backup and restore.
package evidence
