package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// runRetention is "uppsikt retention run|hold|release|holds|log|posts":
// the retention plan (gallring), legal holds and the disposal log.
func runRetention(ctx context.Context, env *environment, args []string) error {
	const usage = "Usage: uppsikt retention run -config FILE [-dry-run] [-account KEY]\n" +
		"       uppsikt retention hold -config FILE -account KEY [-case ID] -reason TEXT -by NAME\n" +
		"       uppsikt retention release -config FILE -id ID -by NAME\n" +
		"       uppsikt retention holds|log -config FILE\n" +
		"       uppsikt retention posts -config FILE -account KEY   (own posts past their age)"
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, usage)
		return fmt.Errorf("%w: want a retention subcommand", errUsage)
	}
	sub := args[0]
	fs := newFlagSet(env, "retention "+sub, "-config FILE ...")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	dry := fs.Bool("dry-run", false, "count what would be disposed; change nothing")
	key := fs.String("account", "", "the account")
	caseID := fs.Int64("case", 0, "the review case a hold is placed on")
	reason := fs.String("reason", "", "why the hold is placed")
	by := fs.String("by", "", "who places or releases the hold, or runs the disposal")
	id := fs.Int64("id", 0, "the hold to release")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	switch sub {
	case "run", "hold", "release", "holds", "log", "posts":
	default:
		fmt.Fprintln(env.stderr, usage)
		return fmt.Errorf("%w: unknown retention subcommand %q", errUsage, sub)
	}
	cfg, err := loadConfig(env, *path)
	if err != nil {
		return err
	}
	log := newLogger(env.stderr, cfg.Log)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	plan := retentionPlan(cfg)
	now := time.Now()
	actor := *by
	if actor == "" {
		actor = "cli"
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	defer tw.Flush()
	switch sub {
	case "run":
		ds, err := retention.Run(ctx, st, plan, now, *key, *dry, actor)
		if err != nil {
			return err
		}
		what := "disposed"
		if *dry {
			what = "would dispose (dry run)"
		}
		fmt.Fprintf(tw, "account\t%s\tcomments\trule\tcutoff\n", what)
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%d texts\t%d\t%s\t%s\n", d.AccountKey, d.Items, d.Comments, d.Rule, d.Cutoff.Format(time.DateOnly))
			if !*dry && d.Items > 0 {
				detail, _ := json.Marshal(map[string]any{"disposal": d.ID, "kind": d.Kind, "rule": d.Rule, "items": d.Items, "cutoff": d.Cutoff})
				if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: actor, Action: "disposal", Subject: d.AccountKey, Detail: detail}); err != nil {
					return err
				}
			}
		}
		log.Info("retention run", "dry_run", *dry, "accounts", len(ds))
	case "hold":
		if *key == "" || *reason == "" || *by == "" {
			return fmt.Errorf("%w: -account, -reason and -by are required", errUsage)
		}
		h, err := st.PlaceLegalHold(ctx, moderation.LegalHold{AccountKey: *key, CaseID: *caseID, Reason: *reason, PlacedBy: *by, PlacedAt: now})
		if err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"hold": h.ID, "case": h.CaseID})
		if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: *by, Action: "legal_hold", Subject: *key, Detail: detail}); err != nil {
			return err
		}
		fmt.Fprintf(tw, "legal hold %d placed on %s\n", h.ID, holdSubject(h))
	case "release":
		if *id == 0 || *by == "" {
			return fmt.Errorf("%w: -id and -by are required", errUsage)
		}
		if err := st.ReleaseLegalHold(ctx, *id, *by, now); err != nil {
			return err
		}
		if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: *by, Action: "legal_hold_released", Subject: strconv.FormatInt(*id, 10)}); err != nil {
			return err
		}
		fmt.Fprintf(tw, "legal hold %d released\n", *id)
	case "holds":
		hs, err := st.LegalHolds(ctx, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "id\ton\treason\tplaced\treleased\n")
		for _, h := range hs {
			rel := "in force"
			if !h.ReleasedAt.IsZero() {
				rel = h.ReleasedAt.Format(time.DateOnly) + " by " + h.ReleasedBy
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s by %s\t%s\n", h.ID, holdSubject(h), h.Reason, h.PlacedAt.Format(time.DateOnly), h.PlacedBy, rel)
		}
	case "log":
		ds, err := st.Disposals(ctx, *key)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "at\taccount\tkind\titems\tcomments\trule\tcutoff\tby\n")
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.At.Format("2006-01-02 15:04"), d.AccountKey, d.Kind, d.Items, d.Comments,
				d.Rule, d.Cutoff.Format(time.DateOnly), d.By)
		}
	case "posts":
		if *key == "" {
			return fmt.Errorf("%w: -account is required", errUsage)
		}
		list, err := retention.OverduePosts(ctx, st, plan, *key, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "post\tcreated\tkind\tdue since\tsnapshot\n")
		for _, o := range list {
			kind, snap := "post", "none: take the snapshot of its year before deleting"
			if o.Album {
				kind = "album"
			}
			if o.Snapshot != nil {
				snap = o.Snapshot.Path
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Post.PlatformID, o.Post.CreatedAt.Format(time.DateOnly), kind, o.DueSince.Format(time.DateOnly), snap)
		}
	}
	return nil
}

func holdSubject(h moderation.LegalHold) string {
	if h.CaseID != 0 {
		return fmt.Sprintf("%s, case %d", h.AccountKey, h.CaseID)
	}
	return "account " + h.AccountKey
}

func retentionPlan(cfg *config.Config) retention.Plan {
	r := cfg.Archive.Retention
	return retention.Plan{Rule: r.Rule, CommentTextMonths: r.CommentTextMonths, OwnPostMonths: r.OwnPostMonths, OwnAlbumMonths: r.OwnAlbumMonths}
}
