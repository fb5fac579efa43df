package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/uppsikt/uppsikt/rules"
)

// errExamples is returned when a pack's examples fail.
var errExamples = errors.New("rule examples failed")

// runRules checks rule packs: "uppsikt rules test [DIR...]" compiles the
// embedded packs and the packs in each DIR and runs every rule's examples.
func runRules(_ context.Context, env *environment, args []string) error {
	flags := newFlagSet(env, "rules", "test [DIR...]")
	if err := parseFlags(flags, args, true); err != nil {
		return err
	}
	if flags.NArg() == 0 || flags.Arg(0) != "test" {
		flags.Usage()
		return fmt.Errorf("%w: expected \"test\"", errUsage)
	}
	dirs := flags.Args()[1:]
	opts := rules.Options{Today: time.Now()}
	var eng *rules.Engine
	var err error
	if len(dirs) == 0 {
		eng, err = rules.LoadDefault(opts)
	} else {
		fsys := make([]fs.FS, 0, len(dirs))
		for _, d := range dirs {
			if st, serr := os.Stat(d); serr != nil || !st.IsDir() {
				return fmt.Errorf("%w: %q is not a folder", errUsage, d)
			}
			fsys = append(fsys, os.DirFS(d))
		}
		eng, err = rules.LoadWithExtra(opts, fsys...)
	}
	if err != nil {
		return err
	}
	res := eng.TestExamples()
	for _, f := range res.Failures {
		fmt.Fprintf(env.stdout, "FAIL %s (%s:%d): %s\n", f.Rule, f.File, f.Line, f.Message)
	}
	fmt.Fprintf(env.stdout, "%d rules, %d examples: %d passed, %d failed\n", res.Rules, res.Examples, res.Examples-len(res.Failures), len(res.Failures))
	if len(res.Failures) > 0 {
		return errExamples
	}
	return nil
}
