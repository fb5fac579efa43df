package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// runServe is "uppsikt serve -config FILE", the service a municipality runs.
func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "-config FILE")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	cfg, err := config.Load(*path, env.getenv)
	if err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) {
			fmt.Fprintln(env.stderr, cerr.Error())
			return fmt.Errorf("not started: %s is not valid (uppsikt config check -config %s)", *path, *path)
		}
		return err
	}
	log := newLogger(env.stderr, cfg.Log)
	svc, err := openService(ctx, cfg, log)
	if err != nil {
		return err
	}
	return svc.run(ctx)
}
