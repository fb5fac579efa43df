package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/uppsikt/uppsikt/archive/snapshot"
	"github.com/uppsikt/uppsikt/moderation"
)

// runAccount is "uppsikt account close -config FILE KEY": it takes the
// closing snapshot of the account, then marks the account closed; and
// "uppsikt account token set|clear" (runAccountToken).
func runAccount(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && args[0] == "token" {
		return runAccountToken(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "close" {
		return groupUsage(env, "account", "Usage: uppsikt account close -config FILE [-content-only] [-no-platform] KEY\n"+
			"       uppsikt account token set|clear -config FILE -account KEY [-by NAME]", args, "want account close or account token")
	}
	fs := newFlagSet(env, "account close", "-config FILE [-content-only] [-no-platform] KEY")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	contentOnly := fs.Bool("content-only", false, "leave the layout (screenshots of the account's page) out of the closing snapshot; without it a snapshot whose layout cannot be captured fails and the account stays open")
	noBrowser := fs.Bool("no-browser", false, "the same as -content-only")
	noPlatform := fs.Bool("no-platform", false, "take every text from uppsikt's store without asking the platform")
	by := fs.String("by", "", "who closes the account, for the audit log")
	if err := parseFlags(fs, args[1:], true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give the account's key", errUsage)
	}
	key := fs.Arg(0)
	pt, st, err := openParts(ctx, env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	loc := pt.loc
	now := time.Now()
	closing := snapshot.Closing{Store: st, Location: loc,
		Take: func(ctx context.Context, a moderation.Account, from, to time.Time) (snapshot.Result, error) {
			out := filepath.Join(pt.cfg.Archive.Snapshots, fmt.Sprintf("%s-closing-%s.pdf", a.Key, now.In(loc).Format("2006-01-02")))
			return takeSnapshot(ctx, env, pt, snapshotJob{key: a.Key, kind: moderation.SnapshotClosing, from: from, to: to,
				out: out, contentOnly: contentOnlyFlag(*contentOnly, *noBrowser), platform: !*noPlatform})
		}}
	res, err := closing.Close(ctx, key, *by, now)
	switch {
	case errors.Is(err, moderation.ErrNotFound):
		return fmt.Errorf("%w: %w", errUsage, err)
	case err != nil:
		return err
	}
	printSnapshot(env.stdout, res)
	fmt.Fprintf(env.stdout, "account %s closed\n", key)
	return nil
}
