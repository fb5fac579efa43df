package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/uppsikt/uppsikt/archive/export"
	"github.com/uppsikt/uppsikt/archive/snapshot"
)

// errVerify is returned when a package fails verification (exit 1).
var errVerify = errors.New("the package is not intact")

// runExport is "uppsikt export -config FILE -account KEY -year 2025 -out
// DIR" and "uppsikt export verify DIR".
func runExport(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		fs := newFlagSet(env, "export verify", "DIR")
		if err := parseFlags(fs, args[1:], true); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			fs.Usage()
			return fmt.Errorf("%w: give the package folder", errUsage)
		}
		probs, err := export.Verify(fs.Arg(0))
		if err != nil {
			return err
		}
		for _, p := range probs {
			fmt.Fprintln(env.stdout, p.String())
		}
		if len(probs) > 0 {
			return fmt.Errorf("%s: %d problem(s): %w", fs.Arg(0), len(probs), errVerify)
		}
		fmt.Fprintf(env.stdout, "%s: intact\n", fs.Arg(0))
		return nil
	}
	fs := newFlagSet(env, "export", "-config FILE -account KEY -year 2025 -out DIR [-snapshot FILE.pdf]  |  export verify DIR")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account")
	year := fs.Int("year", 0, "the calendar year")
	out := fs.String("out", "", "the package folder to write")
	snap := fs.String("snapshot", "", "the snapshot PDF of the year (default: the latest recorded snapshot that covers the year)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *key == "" || *year == 0 || *out == "" {
		fs.Usage()
		return fmt.Errorf("%w: -account, -year and -out are required", errUsage)
	}
	pt, st, err := openParts(ctx, env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	loc := pt.loc
	if *snap == "" {
		from, to := snapshot.Year(*year, loc)
		recs, err := st.Snapshots(ctx, *key)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if !r.From.After(from) && !r.To.Before(to) {
				if _, err := os.Stat(r.Path); err == nil {
					*snap = r.Path
				}
			}
		}
		if *snap == "" {
			return fmt.Errorf("no snapshot of %s covers %d: take it first with uppsikt snapshot -account %s -year %d", *key, *year, *key, *year)
		}
	}
	req := export.Request{AccountKey: *key, Year: *year, Location: loc, Out: *out, Snapshot: *snap,
		EvidenceDir: cfg.Paths.Evidence, Producer: cfg.Municipality.Name}
	if cfg.Evidence.Backend == "s3" {
		if req.Evidence, err = pt.EvidenceStore(ctx); err != nil {
			return err
		}
	}
	sum, err := export.Write(ctx, st, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "package %s: %d files, %d bytes; %d posts, %d comment versions, %d register entries, %d evidence PDFs\n",
		*out, sum.Files, sum.Bytes, sum.Posts, sum.Versions, sum.Register, sum.Evidence)
	return nil
}
