package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/archive/person"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// runPerson is "uppsikt person export|erase": the data protection
// officer's answers to a commenter's request for access and for erasure.
func runPerson(ctx context.Context, env *environment, args []string) error {
	const synopsis = "export -config FILE -author ID -out DIR [-lang sv|da|en] | erase -config FILE -author ID -by NAME [-dry-run]"
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return groupUsage(env, "person", "Usage: uppsikt person "+synopsis, args, `want "person export" or "person erase"`)
	}
	if args[0] == "export" {
		return runPersonExport(ctx, env, args[1:])
	}
	return runPersonErase(ctx, env, args[1:])
}

// runPersonExport writes everything uppsikt holds about one commenter to
// DIR as person-<id>.json and a readable person-<id>.pdf (PDF/A-3b with the
// JSON attached).
func runPersonExport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "person export", "-config FILE -author ID -out DIR [-lang sv|da|en]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	author := fs.String("author", "", "the commenter's user id on the platform")
	out := fs.String("out", "", "the folder to write the export to (created, readable by its owner only)")
	lang := fs.String("lang", "", "the language of the answer: sv, da or en (default: the municipality's)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *author == "" || *out == "" {
		fs.Usage()
		return fmt.Errorf("%w: -author and -out are required", errUsage)
	}
	pt, err := loadParts(env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	if *lang == "" {
		*lang = cfg.Municipality.Language
	}
	if *lang != "sv" && *lang != "da" && *lang != "en" {
		return fmt.Errorf("%w: -lang %q: write sv, da or en", errUsage, *lang)
	}
	loc := pt.loc
	st, err := pt.Store(ctx)
	if err != nil {
		return err
	}
	recs, err := st.PersonRecords(ctx, *author)
	if err != nil {
		return err
	}
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	byKey := map[string]moderation.Account{}
	for _, a := range accounts {
		byKey[a.Key] = a
	}
	e := person.Export{Records: recs, Municipality: cfg.Municipality.Name, Accounts: byKey, Language: *lang,
		Recipients: recipients(cfg), Retention: retentionText(cfg, *lang), Generated: time.Now(), Location: loc}
	data, err := person.JSON(e)
	if err != nil {
		return err
	}
	doc, failure, err := person.PDF(ctx, e, pdf.Options{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return fmt.Errorf("person export: %w", err)
	}
	name := "person-" + safeName(*author)
	jsonPath, pdfPath := filepath.Join(*out, name+".json"), filepath.Join(*out, name+".pdf")
	if err := os.WriteFile(jsonPath, data, 0o600); err != nil {
		return fmt.Errorf("person export: %w", err)
	}
	if err := os.WriteFile(pdfPath, doc, 0o600); err != nil {
		return fmt.Errorf("person export: %w", err)
	}
	if failure != "" {
		fmt.Fprintf(env.stderr, "the PDF is not PDF/A (the conversion failed: %s)\n", failure)
	}
	sum := sha256.Sum256([]byte(*author))
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: "uppsikt", Action: "person.exported",
		Subject: "person sha256:" + hex.EncodeToString(sum[:]),
		Detail:  []byte(fmt.Sprintf(`{"comments":%d,"posts":%d}`, len(recs.Comments), len(recs.Posts)))}); err != nil {
		return err
	}
	kept := 0
	for _, c := range recs.Comments {
		if len(c.Keep) > 0 {
			kept++
		}
	}
	fmt.Fprintf(env.stdout, "%d comments (%d kept on erasure), %d posts, %d webhook deliveries\n%s\n%s\n",
		len(recs.Comments), kept, len(recs.Posts), recs.WebhookDeliveries, jsonPath, pdfPath)
	return nil
}

// runPersonErase erases what may be erased of one commenter and lists what
// is kept as a public record and why.
func runPersonErase(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "person erase", "-config FILE -author ID -by NAME [-dry-run]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	author := fs.String("author", "", "the commenter's user id on the platform")
	by := fs.String("by", "", "who carries out the erasure (for the audit log)")
	dry := fs.Bool("dry-run", false, "list what would be erased and kept; change nothing")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *author == "" || *by == "" {
		fs.Usage()
		return fmt.Errorf("%w: -author and -by are required", errUsage)
	}
	pt, st, err := openParts(ctx, env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	er, err := st.ErasePerson(ctx, moderation.ErasureRequest{AuthorID: *author, By: *by, DryRun: *dry})
	if err != nil {
		return err
	}
	verb := "erased"
	if er.DryRun {
		verb = "would erase"
	}
	fmt.Fprintf(env.stdout, "%s the text of %d comments (%d versions) and %d webhook deliveries\n", verb, er.Comments, er.Versions, er.Deliveries)
	if er.Pending > 0 {
		fmt.Fprintf(env.stdout, "%d webhook deliveries naming the person are not yet processed: run the erasure again later\n", er.Pending)
	}
	if len(er.Kept) > 0 {
		fmt.Fprintf(env.stdout, "kept as public records (%d comments):\n", len(er.Kept))
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tCOMMENT\tKEPT BECAUSE")
		for _, c := range er.Kept {
			var why []string
			for _, k := range c.Keep {
				why = append(why, k.Kind+" "+k.Ref+": "+person.KeepReason("en", k.Kind))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.AccountKey, c.PlatformID, strings.Join(why, "; "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, s := range er.Snapshots {
		fmt.Fprintf(env.stdout, "unchanged archive record holding an erased text: %s snapshot %s (%s)\n", s.Kind, s.Path, s.SHA256)
	}
	if !er.DryRun {
		fmt.Fprintf(env.stdout, "audit entry %d (%s, person sha256:%s)\n", er.AuditSeq, moderation.AuditPersonErased, er.AuthorIDSHA256)
	}
	return nil
}

// recipients are who may read a person's data in uppsikt, as an export
// states them.
func recipients(cfg *config.Config) []string {
	out := []string{"the municipality's staff signed in to uppsikt (viewer, archivist, moderator and admin roles)"}
	owners := map[string]bool{}
	for _, a := range cfg.Accounts {
		for _, o := range a.Owners {
			owners[o] = true
		}
	}
	if len(owners) > 0 {
		out = append(out, "the accounts' owners: "+strings.Join(slices.Sorted(maps.Keys(owners)), ", "))
	}
	for _, c := range cfg.Review.Channels {
		if c.Kind == "slack" {
			out = append(out, "the review channel "+c.Name+" in Slack ("+c.SlackChannel+")")
		}
	}
	for _, o := range cfg.Register.Outlets {
		out = append(out, "the registrar (records register, "+o.Kind+")")
	}
	return out
}

func retentionText(cfg *config.Config, lang string) string {
	r := cfg.Archive.Retention
	switch lang {
	case "da":
		return fmt.Sprintf("Kommentarernes tekst slettes efter %d måneder efter reglen %q; det der hører til en sag, dokumentation eller en journaliseret akt bevares.", r.CommentTextMonths, r.Rule)
	case "en":
		return fmt.Sprintf("The text of comments is disposed of after %d months under the rule %q; what belongs to a case, evidence or a registered record is kept.", r.CommentTextMonths, r.Rule)
	}
	return fmt.Sprintf("Kommentarernas text gallras efter %d månader enligt regeln %q; det som hör till ett ärende, ett bevis eller en diarieförd handling bevaras.", r.CommentTextMonths, r.Rule)
}

// safeName keeps the letters, digits, dashes and underscores of an id for a
// file name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}
