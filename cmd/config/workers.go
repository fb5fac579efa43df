package config

import (
	"fmt"
	"time"
)

// Store chooses where uppsikt keeps what it knows.
type Store struct {
	// Driver is sqlite (the default: one file, paths.database) or postgres
	// (a PostgreSQL database at DSN, which several workers on several
	// machines can share).
	Driver string `yaml:"driver"`
	// DSN is the PostgreSQL connection string
	// ("postgres://uppsikt@db.example/uppsikt?sslmode=verify-full"); it may
	// hold a password, so give it as ${ENV_NAME} or dsn_file. Unused with
	// sqlite.
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
}

// The store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Workers configures how several `uppsikt serve` processes share one
// store (docs/operations.md, "Several workers").
type Workers struct {
	// ID names this process among the workers; default the host name. Give
	// every worker on one host its own.
	ID string `yaml:"id"`
	// LeaseTTL is how long a worker's heartbeat, its accounts' leases and
	// its claims on queued work last without renewal (default 30s): a
	// worker that dies loses its accounts to the others after this long.
	// They are renewed every LeaseTTL/3.
	LeaseTTL Duration `yaml:"lease_ttl"`
}

// DefaultLeaseTTL is workers.lease_ttl's default.
const DefaultLeaseTTL = 30 * time.Second

func (c *Config) workersDefaults() {
	if c.Store.Driver == "" {
		c.Store.Driver = DriverSQLite
	}
	if c.Workers.LeaseTTL == 0 {
		c.Workers.LeaseTTL = Duration(DefaultLeaseTTL)
	}
}

func (c *Config) validateWorkers(loc *locator, cerr *Error) {
	switch c.Store.Driver {
	case DriverSQLite:
		if c.Store.DSN.raw != "" || c.Store.DSNFile != "" {
			cerr.add(loc, "store.dsn", "the sqlite driver keeps its file at paths.database: remove store.dsn, or write driver: postgres")
		}
	case DriverPostgres:
		if c.Store.DSN.Value() == "" {
			cerr.add(loc, "store.dsn", "missing: the postgres driver needs a connection string, as ${ENV_NAME} or dsn_file")
		}
	default:
		cerr.add(loc, "store.driver", fmt.Sprintf("%q: write sqlite or postgres", c.Store.Driver))
	}
	if c.Workers.ID != "" && !keyRE.MatchString(c.Workers.ID) {
		cerr.add(loc, "workers.id", fmt.Sprintf("%q: write lower-case letters, digits, - and _ (at most 63)", c.Workers.ID))
	}
	if ttl := c.Workers.LeaseTTL.D(); ttl < 3*time.Second || ttl > 10*time.Minute {
		cerr.add(loc, "workers.lease_ttl", fmt.Sprintf("%s: write between 3s and 10m", ttl))
	}
}
