package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/rules"
)

// errExamples is returned when a pack's examples fail.
var errExamples = errors.New("rule examples failed")

// runRules checks rule packs: "uppsikt rules test [PACK...]" compiles the
// packs and runs every rule's examples. A PACK is the name of an embedded
// pack (sv, da, en, common), a folder of packs or a pack file. Without
// names every embedded pack is compiled, with the folders and files given;
// naming embedded packs compiles those (and "common") only. A pack read from
// a file takes the place of the embedded pack of the same name, so that an
// edited copy of sv.yaml can be tested before it is built in.
func runRules(_ context.Context, env *environment, args []string) error {
	flags := newFlagSet(env, "rules", "test [PACK...]   (PACK: an embedded pack name such as sv, da or en, a folder of packs, or a pack file)")
	if err := parseFlags(flags, args, true); err != nil {
		return err
	}
	if flags.NArg() == 0 || flags.Arg(0) != "test" {
		flags.Usage()
		return fmt.Errorf("%w: expected \"test\"", errUsage)
	}
	if flags.NArg() > 1 && isHelp(flags.Arg(1)) {
		flags.Usage()
		return flag.ErrHelp
	}
	packs, err := rules.SelectPacks(flags.Args()[1:]...)
	if errors.Is(err, rules.ErrOptions) {
		fmt.Fprintln(flags.Output(), err)
		flags.Usage()
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	eng, err := rules.Compile(packs, rules.Options{Today: time.Now()})
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
