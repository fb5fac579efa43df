package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

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
		rep, err := export.Verify(ctx, fs.Arg(0), export.Options{})
		if err != nil {
			return err
		}
		failed := 0
		for _, c := range rep.Checks {
			state := "pass"
			if len(c.Problems) > 0 {
				state = "FAIL"
				failed++
			}
			fmt.Fprintf(env.stdout, "%-4s  %-10s  %s\n", state, c.Req, c.Text)
			for _, p := range c.Problems {
				fmt.Fprintf(env.stdout, "      %s: %s\n", p.Path, p.Message)
			}
		}
		if n := len(rep.Problems()); n > 0 {
			return fmt.Errorf("%s: %d of %d checks fail, %d problem(s): %w", fs.Arg(0), failed, len(rep.Checks), n, errVerify)
		}
		fmt.Fprintf(env.stdout, "%s: intact; all %d checks pass\n", fs.Arg(0), len(rep.Checks))
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
	bi, ok := debug.ReadBuildInfo()
	req := export.Request{AccountKey: *key, Year: *year, Location: loc, Out: *out, Snapshot: *snap,
		EvidenceDir: cfg.Paths.Evidence, Municipality: cfg.Municipality.Name, OrgID: cfg.Municipality.OrgID,
		Language: cfg.Municipality.Language, Software: "uppsikt", Version: readVersion(buildStamp, bi, ok).Version, SchemaDir: cfg.Paths.Schemas}
	if cfg.Evidence.Backend == "s3" {
		if req.Evidence, err = pt.EvidenceStore(ctx); err != nil {
			return err
		}
	}
	sum, err := export.Write(ctx, st, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "package %s: %d files, %d bytes; %d posts, %d comment versions, %d register entries, %d evidence files, %d PREMIS events\n",
		*out, sum.Files, sum.Bytes, sum.Posts, sum.Versions, sum.Register, sum.Evidence, sum.Events)
	// A package is written with the official schemas paths.schemas holds:
	// municipal servers often have no internet access, and the records
	// should not wait for a schema file. Those missing are named here, and
	// export verify fails CSIP113 and XSD for their namespaces.
	if missing := export.MissingSchemas(cfg.Paths.Schemas); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = m.File
		}
		fmt.Fprintf(env.stdout, "warning: the package lacks the official schemas %s (not in paths.schemas, %s): export verify fails CSIP113 and XSD for them, and the XML of their namespaces is not validated; "+
			"put them there (scripts/fetch-schemas.sh %s fetches them; without internet access copy them from an E-ARK reference package's schemas/ folder) and export again\n",
			strings.Join(names, ", "), cfg.Paths.Schemas, cfg.Paths.Schemas)
	}
	return nil
}
