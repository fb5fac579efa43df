package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// runConfig is "uppsikt config check -config FILE [-strict]": it reports
// every problem with its field and line, and exits non-zero when there is
// one. Warnings (a secret written in the file, a secret file others may
// read) go to stderr too, with field and line, and fail the check only
// with -strict.
func runConfig(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return groupUsage(env, "config", "Usage: uppsikt config check -config FILE [-strict]", args, `want "config check"`)
	}
	fs := newFlagSet(env, "config check", "-config FILE [-strict]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file to check")
	strict := fs.Bool("strict", false, "fail on warnings too")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	cfg, err := config.Load(*path, env.getenv)
	var cerr *config.Error
	if errors.As(err, &cerr) {
		printWarnings(env, *path, cerr.Warnings)
		fmt.Fprintln(env.stderr, cerr.Error())
		return fmt.Errorf("%s is not valid", *path)
	}
	if err != nil {
		return err
	}
	printWarnings(env, *path, cfg.Warnings())
	if n := len(cfg.Warnings()); n > 0 && *strict {
		return fmt.Errorf("%s: %d warning(s), and -strict", *path, n)
	}
	database := cfg.Paths.Database
	if cfg.Store.Driver == config.DriverPostgres {
		database = "on PostgreSQL (store.dsn)" // the DSN may hold a password: never printed
	}
	fmt.Fprintf(env.stdout, "%s: ok — %d account(s), database %s\n", *path, len(cfg.Accounts), database)
	return nil
}

func printWarnings(env *environment, path string, warnings []config.Problem) {
	for _, w := range warnings {
		fmt.Fprintf(env.stderr, "%s: warning: %s\n", path, w)
	}
}
