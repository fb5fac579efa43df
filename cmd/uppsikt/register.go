package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"
)

// runRegister is "uppsikt register list -config FILE [-year 2026]": the
// register entries of a year with their delivery.
func runRegister(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return groupUsage(env, "register", "Usage: uppsikt register list -config FILE [-year 2026]", args, `want "register list"`)
	}
	fs := newFlagSet(env, "register list", "-config FILE [-year 2026]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	year := fs.Int("year", time.Now().Year(), "the year")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	pt, st, err := openParts(ctx, env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	loc := pt.loc
	entries, err := st.RegisterEntries(ctx, *year)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tCREATED\tDELIVERED\tACCOUNT\tCOMMENT OR POST\tREASON")
	for _, e := range entries {
		acct, cid := "", ""
		if e.ObjectionID != 0 {
			if o, err := st.Objection(ctx, e.ObjectionID); err == nil {
				acct, cid = o.AccountKey, "post "+o.PostID+" (objection "+strconv.FormatInt(o.ID, 10)+")"
			}
		} else if c, err := st.Comment(ctx, e.CommentID); err == nil {
			acct, cid = c.AccountKey, c.PlatformID
		}
		delivered := "not yet"
		if !e.Delivered.IsZero() {
			delivered = e.Delivered.In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Number, e.CreatedAt.In(loc).Format("2006-01-02 15:04"), delivered, acct, cid, e.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d entries in %d\n", len(entries), *year)
	return nil
}
