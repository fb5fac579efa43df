package main

import (
	"context"
	"encoding/json"
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
		return groupUsage(env, "account", "Usage: uppsikt account close -config FILE [-no-browser] [-no-platform] KEY\n"+
			"       uppsikt account token set|clear -config FILE -account KEY [-by NAME]", args, "want account close or account token")
	}
	fs := newFlagSet(env, "account close", "-config FILE [-no-browser] [-no-platform] KEY")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	noBrowser := fs.Bool("no-browser", false, "take no screenshots of the account's page")
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
	a, err := st.Account(ctx, key)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if a.Status == moderation.AccountClosed {
		return fmt.Errorf("account %s: %w", key, errClosed)
	}
	loc, err := pt.Location()
	if err != nil {
		return err
	}
	now := time.Now()
	// The closing snapshot covers what no yearly snapshot covers yet: this
	// year, and last year too when its yearly snapshot is still to be taken.
	snaps, err := st.Snapshots(ctx, key)
	if err != nil {
		return err
	}
	from, _ := snapshot.Year(now.In(loc).Year(), loc)
	if last, ok := lastYearly(snaps, now.In(loc).Year()-1, loc); !ok {
		from = last
	}
	out := filepath.Join(pt.cfg.Archive.Snapshots, fmt.Sprintf("%s-closing-%s.pdf", key, now.In(loc).Format("2006-01-02")))
	res, err := takeSnapshot(ctx, env, pt, snapshotJob{key: key, kind: moderation.SnapshotClosing, from: from, to: now,
		out: out, browser: !*noBrowser, platform: !*noPlatform})
	if err != nil {
		return fmt.Errorf("closing snapshot of %s: %w (the account stays open)", key, err)
	}
	printSnapshot(env.stdout, res)
	note := fmt.Sprintf("closed %s after the closing snapshot %s (sha256 %s)", now.UTC().Format(time.DateOnly), res.Record.Path, res.Record.SHA256)
	if err := st.SetAccountStatus(ctx, key, moderation.AccountClosed, note); err != nil {
		return err
	}
	actor := *by
	if actor == "" {
		actor = "cli"
	}
	detail, _ := json.Marshal(map[string]any{"snapshot": res.Record.ID, "sha256": res.Record.SHA256})
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: actor, Action: "account_closed", Subject: key, Detail: detail}); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "account %s closed\n", key)
	return nil
}

// lastYearly returns the start of year when a yearly snapshot of it exists
// (ok true), else the start of that year to cover it in the closing
// snapshot (ok false).
func lastYearly(snaps []moderation.SnapshotRecord, year int, loc *time.Location) (time.Time, bool) {
	from, to := snapshot.Year(year, loc)
	for _, s := range snaps {
		if s.Kind == moderation.SnapshotYearly && !s.From.After(from) && !s.To.Before(to) {
			return from, true
		}
	}
	return from, false
}
