// Package pgtest starts a throwaway PostgreSQL server for uppsikt's tests and
// gives each test a fresh, empty database on it.
//
// The server is started once per test process, on first use: initdb into a
// temporary folder, then postgres listening on a free loopback port and on a
// unix socket in that folder, with fsync, synchronous commit and full-page
// writes off (nothing in it needs to survive a crash). Each call of DSN
// gives a new database (CREATE DATABASE … STRATEGY FILE_COPY, from a
// template; the next one is made in the background while the test runs)
// and drops it when the test ends. A package that uses pgtest
// stops the server at the end with a TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without that the server is stopped when the test process exits
// (it is started with a parent-death signal), but its folder stays behind.
//
// The PostgreSQL programs (initdb, postgres) are looked up in $UPPSIKT_PG_BIN,
// then in /usr/lib/postgresql/<newest>/bin (Debian's postgresql package,
// which scripts/install-deps.sh installs), then on $PATH. When they are
// missing a test fails if the environment variable CI is set, and is
// skipped with a message saying what to install otherwise.
//
// initdb refuses to run as root: when the tests run as root, the cluster's
// folder is given to the user nobody and both programs run as that user.
package pgtest
