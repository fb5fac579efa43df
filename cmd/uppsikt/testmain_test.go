package main

import (
	"os"
	"testing"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
)

// TestMain lets the test binary run as uppsikt itself when
// UPPSIKT_TEST_MAIN=1, so that TestSnapshotScale measures "uppsikt
// snapshot" as a process of its own, with its browser and Ghostscript;
// otherwise it runs the tests and stops the throwaway PostgreSQL server of
// those that used one (pgtest), if any started.
func TestMain(m *testing.M) {
	if os.Getenv("UPPSIKT_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}
