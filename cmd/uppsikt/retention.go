package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// runRetention is "uppsikt retention
// run|hold|release|holds|log|posts|approve|deletions|resume": the retention
// plan (gallring), legal holds, the disposal log, and the deletion of own
// posts past their age on approval.
func runRetention(ctx context.Context, env *environment, args []string) error {
	const usage = "Usage: uppsikt retention run -config FILE (-by NAME | -dry-run) [-account KEY]\n" +
		"       uppsikt retention hold -config FILE -account KEY [-case ID] -reason TEXT -by NAME\n" +
		"       uppsikt retention release -config FILE -id ID -by NAME\n" +
		"       uppsikt retention holds|log -config FILE\n" +
		"       uppsikt retention posts -config FILE -account KEY   (own posts past their age)\n" +
		"       uppsikt retention approve -config FILE -account KEY (-post ID | -all-due) -by NAME   (deletes them on the platform)\n" +
		"       uppsikt retention deletions -config FILE [-account KEY]\n" +
		"       uppsikt retention resume -config FILE   (carries out approved deletions left pending; confirms manual removals)"
	if len(args) == 0 || isHelp(args[0]) {
		return groupUsage(env, "retention", usage, args, "want a retention subcommand")
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
	post := fs.String("post", "", "the own post whose deletion is approved")
	allDue := fs.Bool("all-due", false, "approve every own post past its age that a snapshot covers")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	if sub == "run" && !*dry && *by == "" {
		// The service's daily run records the retention plan as who decided;
		// a disposal run by hand records the person who decided it.
		fmt.Fprintln(env.stderr, "uppsikt retention run: -by NAME is required: who decided the disposal (or -dry-run to count)")
		return fmt.Errorf("%w: -by is required", errUsage)
	}
	switch sub {
	case "run", "hold", "release", "holds", "log", "posts", "deletions", "resume":
	case "approve":
		if *key == "" || *by == "" || (*post == "") == !*allDue {
			return fmt.Errorf("%w: -account, -by and one of -post or -all-due are required", errUsage)
		}
	default:
		fmt.Fprintln(env.stderr, usage)
		return fmt.Errorf("%w: unknown retention subcommand %q", errUsage, sub)
	}
	mode := readWrite
	if sub == "holds" || sub == "log" {
		mode = readOnly
	}
	pt, st, err := openParts(ctx, env, *path, mode)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg, log := pt.cfg, pt.log
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
		ds, err := retention.Apply(ctx, st, plan, now, *key, *dry, actor)
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
		dels, err := st.PostDeletions(ctx, *key)
		if err != nil {
			return err
		}
		state := map[string]moderation.PostDeletionState{}
		for _, d := range dels {
			state[d.PostID] = d.State
		}
		fmt.Fprintf(tw, "post\tcreated\tkind\tdue since\tsnapshot\tdeletion\n")
		for _, o := range list {
			kind, snap := "post", "none: take the snapshot of its year before deleting"
			if o.Album {
				kind = "album"
			}
			if o.Snapshot != nil {
				snap = o.Snapshot.Path
			}
			del := string(state[o.Post.PlatformID])
			if del == "" {
				del = "not approved"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.Post.PlatformID, o.Post.CreatedAt.Format(time.DateOnly), kind, o.DueSince.Format(time.DateOnly), snap, del)
		}
	case "approve", "resume":
		return runPostDeletions(ctx, env, pt, st, sub, *key, *post, *allDue, *by)
	case "deletions":
		dels, err := st.PostDeletions(ctx, *key)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "id\taccount\tpost\treason\tapproved\tstate\tattempts\tnote\n")
		for _, d := range dels {
			note := d.Note
			if note == "" {
				note = d.LastError
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s by %s\t%s\t%d\t%s\n", d.ID, d.AccountKey, d.PostID, d.Reason,
				d.ApprovedAt.Format(time.DateOnly), d.ApprovedBy, d.State, d.Attempts, note)
		}
	}
	return nil
}

// runPostDeletions approves the deletion of own posts (one, or every one
// due that a snapshot covers) and carries out every pending deletion,
// including those a crash left behind.
func runPostDeletions(ctx context.Context, env *environment, pt *parts, st store, sub, key, post string, allDue bool, by string) error {
	d, err := pt.PostDeleter(ctx)
	if err != nil {
		return err
	}
	// Deletions for objections are carried out by "uppsikt objection
	// approve", which holds their guard; here they stay pending.
	if sub == "approve" {
		switch {
		case allDue:
			approved, skipped, err := d.ApproveAllDue(ctx, key, by)
			if err != nil {
				return err
			}
			for _, o := range skipped {
				fmt.Fprintf(env.stdout, "not approved: %s is in no snapshot yet (uppsikt snapshot -account %s -year %d)\n",
					o.Post.PlatformID, key, o.Post.CreatedAt.Year())
			}
			fmt.Fprintf(env.stdout, "%d own posts past their age and in a snapshot are approved for deletion\n", len(approved))
		default:
			if _, err := d.Approve(ctx, key, post, by); err != nil {
				return err
			}
		}
	}
	var errs []error
	if sub == "resume" {
		confirmed, err := d.ConfirmManual(ctx, key)
		for _, del := range confirmed {
			fmt.Fprintln(env.stdout, deletionSummary(del)+" (removed by hand)")
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	done, objections, err := d.CarryOutRetention(ctx)
	for _, del := range done {
		fmt.Fprintln(env.stdout, deletionSummary(del))
	}
	for _, p := range objections {
		fmt.Fprintf(env.stdout, "pending objection deletion %d: run uppsikt objection approve -id %d to carry it out\n", p.ID, p.ObjectionID)
	}
	return errors.Join(append(errs, err)...)
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
