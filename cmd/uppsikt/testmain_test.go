package main

import (
	"os"
	"testing"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
)

// TestMain stops the throwaway PostgreSQL server of the tests that use one
// (pgtest), if any started, when the package's tests are done.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
