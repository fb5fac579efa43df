// Package s3test runs a real S3 server for uppsikt's tests: versitygw
// (Apache-2.0) serving a temporary folder on a free loopback port, so that
// the S3 evidence store is tested against the wire protocol, Object Lock
// and all, and a test can damage an object by writing its file directly.
//
// The binary is bin/versitygw at the module's root ("make versitygw", which
// "make test" runs), $UPPSIKT_VERSITYGW, or versitygw on the PATH. A test
// whose binary is missing skips, and fails when CI is set.
package s3test
