package main

import (
	"context"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/bot/poller"
)

// runCrisis is "uppsikt crisis on -config FILE -account KEY -interval 1m
// -until 2026-12-01T18:00" and "uppsikt crisis off -config FILE -account KEY".
// Crisis mode is kept in the store with the account's schedule, so a
// running service picks it up at its next tick.
func runCrisis(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
		return groupUsage(env, "crisis", "Usage: uppsikt crisis on -config FILE -account KEY -interval 1m -until 2026-12-01T18:00\n       uppsikt crisis off -config FILE -account KEY",
			args, "want crisis on or crisis off")
	}
	on := args[0] == "on"
	fs := newFlagSet(env, "crisis "+args[0], "-config FILE -account KEY [-interval 1m -until 2026-12-01T18:00]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account")
	interval := fs.Duration("interval", time.Minute, "poll interval during the crisis")
	untilFlag := fs.String("until", "", "when crisis mode ends (YYYY-MM-DDTHH:MM in the municipality's time zone)")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	if *key == "" || (on && *untilFlag == "") {
		fs.Usage()
		return fmt.Errorf("%w: -account (and -until for on) are required", errUsage)
	}
	if on && *interval < 10*time.Second {
		return fmt.Errorf("%w: -interval %v: at least 10s", errUsage, *interval)
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	loc := pt.loc
	var until time.Time
	now := time.Now()
	if on {
		if until, err = time.ParseInLocation("2006-01-02T15:04", *untilFlag, loc); err != nil {
			return fmt.Errorf("%w: -until %q: want a time like 2026-12-01T18:00", errUsage, *untilFlag)
		}
		if !until.After(now) {
			return fmt.Errorf("%w: -until %s is in the past", errUsage, *untilFlag)
		}
	}
	st, err := pt.Store(ctx)
	if err != nil {
		return err
	}
	if err := poller.SetCrisis(ctx, st, *key, *interval, until, now); err != nil {
		return err
	}
	if on {
		fmt.Fprintf(env.stdout, "crisis mode on for %s: polled every %v until %s\n", *key, *interval, until.In(loc).Format("2006-01-02 15:04 MST"))
	} else {
		fmt.Fprintf(env.stdout, "crisis mode off for %s\n", *key)
	}
	return nil
}
