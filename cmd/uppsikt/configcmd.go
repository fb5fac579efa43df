package main

import (
	"context"
	"fmt"
)

// runConfig is "uppsikt config check -config FILE": it reports every problem
// with its field and line, and exits non-zero when there is one.
func runConfig(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return groupUsage(env, "config", "Usage: uppsikt config check -config FILE", args, `want "config check"`)
	}
	fs := newFlagSet(env, "config check", "-config FILE")
	path := fs.String("config", "uppsikt.yaml", "the configuration file to check")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	cfg, err := loadConfig(env, *path)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: ok — %d account(s), database %s\n", *path, len(cfg.Accounts), cfg.Paths.Database)
	return nil
}
