package main

import (
	"context"
	"fmt"
)

// runServe is "uppsikt serve -config FILE", the service a municipality runs.
func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "-config FILE")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return fmt.Errorf("not started: %w", err)
	}
	svc, err := openServiceParts(ctx, pt)
	if err != nil {
		return err
	}
	return svc.run(ctx)
}
