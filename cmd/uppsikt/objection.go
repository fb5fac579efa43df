package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/objection"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// runObjection is "uppsikt objection add|approve|refuse|confirm|list": a
// person's objection to a photo of them in one of the account's own posts.
func runObjection(ctx context.Context, env *environment, args []string) error {
	const usage = "Usage: uppsikt objection add -config FILE -account KEY -post ID -by NAME -reason TEXT [-contact TEXT] [-lang sv|da] [-recorded-by NAME]\n" +
		"       uppsikt objection approve -config FILE -id N -by NAME   (removes the post once its evidence is stored)\n" +
		"       uppsikt objection refuse -config FILE -id N -by NAME -reason TEXT\n" +
		"       uppsikt objection confirm -config FILE -id N [-by NAME]   (re-reads the post; records that it is gone)\n" +
		"       uppsikt objection list -config FILE [-account KEY]\n" +
		"       uppsikt objection show -config FILE -id N   (with the confirmation text to send)"
	if len(args) == 0 || isHelp(args[0]) {
		return groupUsage(env, "objection", usage, args, "want an objection subcommand")
	}
	sub := args[0]
	fs := newFlagSet(env, "objection "+sub, "-config FILE ...")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account")
	post := fs.String("post", "", "the platform's id of the post")
	by := fs.String("by", "", "add: who objects; approve, refuse, confirm: who decides")
	reason := fs.String("reason", "", "add: what the person objects to; refuse: why it is refused")
	contact := fs.String("contact", "", "how to reach the person who objects")
	lang := fs.String("lang", "", "language of the confirmation: sv or da (default: the municipality's)")
	recordedBy := fs.String("recorded-by", "", "the uppsikt user who records the objection")
	id := fs.Int64("id", 0, "the objection")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	switch sub {
	case "add":
		if *key == "" || *post == "" || *by == "" || *reason == "" {
			return fmt.Errorf("%w: -account, -post, -by and -reason are required", errUsage)
		}
	case "approve", "show":
		if *id == 0 || (sub == "approve" && *by == "") {
			return fmt.Errorf("%w: -id and -by are required", errUsage)
		}
	case "refuse":
		if *id == 0 || *by == "" || *reason == "" {
			return fmt.Errorf("%w: -id, -by and -reason are required", errUsage)
		}
	case "confirm":
		if *id == 0 {
			return fmt.Errorf("%w: -id is required", errUsage)
		}
	case "list":
	default:
		fmt.Fprintln(env.stderr, usage)
		return fmt.Errorf("%w: unknown objection subcommand %q", errUsage, sub)
	}
	mode := readWrite
	if sub == "list" || sub == "show" {
		mode = readOnly
	}
	pt, st, err := openParts(ctx, env, *path, mode)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	if mode == readOnly {
		return listObjections(ctx, env, pt, st, *key, *id)
	}
	svc, err := newObjectionService(ctx, pt, sub == "add" || sub == "approve")
	if err != nil {
		return err
	}
	var o moderation.Objection
	switch sub {
	case "add":
		if *lang == "" {
			*lang = "sv"
			if cfg.Municipality.Country == "dk" {
				*lang = "da"
			}
		}
		actor := *recordedBy
		if actor == "" {
			actor = "cli"
		}
		o, err = svc.Add(ctx, moderation.Objection{AccountKey: *key, PostID: *post, Person: *by, Contact: *contact,
			Reason: *reason, Language: *lang, RecordedBy: actor})
		if o.ID != 0 {
			fmt.Fprintf(env.stdout, "objection %d recorded: register %s, evidence %s (%s, sha256 %s)\n",
				o.ID, o.RegisterNumber, o.EvidencePath, o.EvidenceKind, o.EvidenceSHA256)
		}
	case "approve":
		o, err = svc.Approve(ctx, *id, *by)
		if err == nil && o.State == moderation.ObjectionApproved && o.DeletionID != 0 {
			if del, derr := st.PostDeletion(ctx, o.DeletionID); derr == nil && del.State == moderation.DeletionManual {
				fmt.Fprintf(env.stdout, "objection %d approved; the post must be removed by hand: %s\n"+
					"then run: uppsikt objection confirm -config %s -id %d\n", o.ID, del.Note, *path, o.ID)
				return nil
			}
		}
	case "refuse":
		o, err = svc.Refuse(ctx, *id, *by, *reason)
	case "confirm":
		o, err = svc.Confirm(ctx, *id, *by)
	}
	if err != nil {
		return err
	}
	if sub != "add" {
		fmt.Fprintf(env.stdout, "objection %d is %s\n", o.ID, o.State)
	}
	if o.Confirmation != "" {
		fmt.Fprintf(env.stdout, "\nConfirmation to send to %s (%s):\n\n%s", o.Person, contactOrNone(o.Contact), o.Confirmation)
	}
	return nil
}

func contactOrNone(c string) string {
	if c == "" {
		return "no contact recorded"
	}
	return c
}

func listObjections(ctx context.Context, env *environment, pt *parts, st store, key string, id int64) error {
	if id != 0 {
		o, err := st.Objection(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "objection %d (%s), register %s\naccount %s, post %s\nfrom %s (%s): %s\nreceived %s, state %s\n",
			o.ID, o.Language, o.RegisterNumber, o.AccountKey, o.PostID, o.Person, contactOrNone(o.Contact), o.Reason,
			o.ReceivedAt.Format(time.RFC3339), o.State)
		var broken error
		if o.EvidenceSHA256 != "" {
			dir, err := pt.EvidenceStore(ctx)
			if err != nil {
				return err
			}
			broken = dir.Verify(ctx, evidence.File{SHA256: o.EvidenceSHA256, Path: o.EvidencePath, Size: o.EvidenceSize})
			state := "intact"
			if broken != nil {
				state = "BROKEN: " + broken.Error()
			}
			fmt.Fprintf(env.stdout, "evidence %s (%s, sha256 %s): %s\n", o.EvidencePath, o.EvidenceKind, o.EvidenceSHA256, state)
		}
		if o.DecidedBy != "" {
			fmt.Fprintf(env.stdout, "decided by %s at %s %s\n", o.DecidedBy, o.DecidedAt.Format(time.RFC3339), o.DecisionReason)
		}
		if o.Confirmation != "" {
			fmt.Fprintf(env.stdout, "\nConfirmation to send:\n\n%s", o.Confirmation)
		}
		if broken != nil {
			return fmt.Errorf("objection %d: %w", o.ID, broken)
		}
		return nil
	}
	list, err := st.Objections(ctx, key)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "id\tregister\taccount\tpost\tfrom\treceived\tstate\tevidence\n")
	for _, o := range list {
		ev := "none"
		if o.EvidenceSHA256 != "" {
			ev = o.EvidenceKind + " " + o.EvidenceSHA256[:12]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.RegisterNumber, o.AccountKey, o.PostID, o.Person,
			o.ReceivedAt.Format(time.DateOnly), o.State, ev)
	}
	return nil
}

// newPostDeleter builds the Deleter of own posts with the Graph API
// connectors of the configured accounts, through client and gate (the service's
// own, or one with knownTokens for a command).
func newPostDeleter(cfg *config.Config, st store, client *facebook.Client, gate *removal.Gate, log *slog.Logger) *retention.Deleter {
	return &retention.Deleter{
		Store: st, Plan: retentionPlan(cfg), Logger: log.With("part", "retention"),
		Gate: gate,
		Platforms: map[moderation.Platform]moderation.PostChecker{
			moderation.Facebook:  facebook.New(facebook.Options{Client: client, Logger: log.With("part", "facebook")}),
			moderation.Instagram: instagram.New(instagram.Options{Client: client}),
		},
	}
}

// newObjectionService builds the objection workflow from the parts; with
// browser, a Chromium for the evidence screenshot unless capture is
// disabled, stopped when the parts are closed.
func newObjectionService(ctx context.Context, pt *parts, browser bool) (*objection.Service, error) {
	st, err := pt.Store(ctx)
	if err != nil {
		return nil, err
	}
	loc := pt.loc
	dir, err := pt.EvidenceStore(ctx)
	if err != nil {
		return nil, err
	}
	deleter, err := pt.PostDeleter(ctx)
	if err != nil {
		return nil, err
	}
	cfg := pt.cfg
	opts := objection.Options{
		Store: st, Deleter: deleter, Evidence: dir, Municipality: cfg.Municipality.Name,
		Location: loc, RegisterNumber: cfg.Register.FormatRegisterNumber, Logger: pt.log.With("part", "objection"),
	}
	if browser {
		br, err := pt.Browser(allowedHosts(cfg), 0)
		if err != nil {
			return nil, err
		}
		if br != nil {
			opts.Browser = br
		}
	}
	return objection.New(opts), nil
}

// deletionSummary is one line about a deletion for the retention commands.
func deletionSummary(d moderation.PostDeletion) string {
	s := fmt.Sprintf("deletion %d of %s/%s (%s): %s", d.ID, d.AccountKey, d.PostID, d.Reason, d.State)
	switch {
	case d.State == moderation.DeletionManual:
		s += ": " + d.Note
	case d.LastError != "":
		s += ": " + strings.TrimSpace(d.LastError)
	}
	return s
}
