package main

import (
	"context"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/bot/poller"
)

// runBackfill is "uppsikt backfill -config FILE -account KEY -since DATE":
// it loads an account's history (every post since the date with every
// comment and reply) into the store.
func runBackfill(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "backfill", "-config FILE -account KEY -since 2025-01-01")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account to load")
	sinceFlag := fs.String("since", "", "load posts created on or after this date (YYYY-MM-DD, in the municipality's time zone)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *key == "" || *sinceFlag == "" {
		fs.Usage()
		return fmt.Errorf("%w: -account and -since are required", errUsage)
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	loc := pt.loc
	since, err := time.ParseInLocation(time.DateOnly, *sinceFlag, loc)
	if err != nil {
		return fmt.Errorf("%w: -since %q: want a date like 2025-01-01", errUsage, *sinceFlag)
	}
	sup, err := pt.Supervision(ctx, supervisionOptions{})
	if err != nil {
		return err
	}
	found := false
	for _, k := range sup.keys {
		found = found || k == *key
	}
	if !found {
		return fmt.Errorf("%w: no account %q in %s", errUsage, *key, *path)
	}
	rep, err := sup.poller.Backfill(ctx, *key, since)
	printReports(env.stdout, []poller.Report{rep})
	return err
}
