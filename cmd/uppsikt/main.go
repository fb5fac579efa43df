// Command uppsikt supervises and archives the social media accounts of a
// municipality. Run "uppsikt help" for its subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. run parses its own flags from args with a
// flag.FlagSet named after it, using stdout and stderr from env.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what main hands to a subcommand: its streams and the
// process environment, injected so that tests can run subcommands in process.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// errUsage is returned (wrapped) when the command line is wrong; main exits 2.
var errUsage = errors.New("usage")

func commands() []command {
	return []command{
		{"serve", "run the service: poller, pipeline and web page (-config FILE)", runServe},
		{"demo", "run the platform emulator and the service together, on embedded defaults", runDemo},
		{"emulator", "run the Graph API platform emulator alone", runEmulator},
		{"config", "check a configuration file: uppsikt config check -config FILE", runConfig},
		{"poll", "read every account once and exit: -config FILE -once [-reconcile] [-account KEY]", runPoll},
		{"backfill", "load an account's history: -config FILE -account KEY -since 2025-01-01", runBackfill},
		{"crisis", "poll an account often for a while: crisis on|off -config FILE -account KEY [-interval 1m -until T]", runCrisis},
		{"classify", "classify JSON Lines comments from stdin: uppsikt classify [-packs DIR]", runClassify},
		{"rules", "run the rule packs' examples: uppsikt rules test [sv|da|en|DIR|FILE...]", runRules},
		{"user", "add a web page user: uppsikt user add -config FILE -role moderator NAME (password on stdin)", runUser},
		{"capture", "document one stored comment now: -config FILE -comment ID -out FILE.pdf", runCapture},
		{"verify", "re-hash every evidence file and the audit chain, report the first break: -config FILE", runVerify},
		{"register", "the records register: register list -config FILE [-year 2026]", runRegister},
		{"snapshot", "a year of an account as PDF/A: -config FILE -account KEY -year 2025 [-out FILE.pdf]", runSnapshot},
		{"account", "close an account after its closing snapshot: account close -config FILE KEY; store a token sealed: account token set|clear -config FILE -account KEY", runAccount},
		{"retention", "retention plan, legal holds, own posts past their age: retention run -config FILE (-by NAME | -dry-run) | hold | release | holds | log | posts | approve | deletions | resume", runRetention},
		{"objection", "an objection to a photo in an own post: objection add | approve | refuse | confirm | list | show -config FILE", runObjection},
		{"export", "an E-ARK archive package of a year: -config FILE -account KEY -year 2025 -out DIR | export verify DIR", runExport},
		{"person", "what uppsikt holds about one commenter: person export -config FILE -author ID -out DIR | person erase -config FILE -author ID -by NAME [-dry-run]", runPerson},
		{"report", "the monthly report as PDF/A: -config FILE [-month 2026-11] [-out FILE.pdf] [-lang sv|da|en]", runReport},
		{"accounts", "the account register and each account's health (read-only): -config FILE [-json]", runAccounts},
		{"version", "the module version and VCS revision of this binary", runVersion},
		{"backup", "a verified copy of the database and the evidence: -config FILE -out DIR", runBackup},
		{"restore", "a backup into an empty data folder, verified: -config FILE -from DIR [-force]", runRestore},
		{"migrate-store", "copy a SQLite installation into PostgreSQL and S3, verified and audited: -config NEW.yaml -by NAME [-from-database OLD.db] [-from-evidence DIR] [-dry-run]", runMigrateStore},
		{"help", "list the subcommands", nil},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code:
// 0 on success, 2 for a usage error, 1 for anything else.
func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(env.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] || c.run == nil {
			continue
		}
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(env.stderr, "uppsikt %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(env.stderr, "uppsikt: unknown subcommand %q\n\n", args[0])
	usage(env.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "uppsikt supervises and archives a municipality's social media accounts.")
	fmt.Fprintln(w, "\nUsage: uppsikt <subcommand> [flags]   (each subcommand has -h)")
	fmt.Fprintln(w, "\nSubcommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// newFlagSet returns a FlagSet for a subcommand that reports errors instead of
// exiting, prints its usage to env.stderr, and is parsed by parseFlags.
func newFlagSet(env *environment, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("uppsikt "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: uppsikt %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and maps a bad flag to errUsage (exit 2) and -h to
// flag.ErrHelp (exit 0). Positional arguments are refused unless allowed.
func parseFlags(fs *flag.FlagSet, args []string, positional bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if !positional && fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// groupUsage answers a subcommand that has forms ("account close",
// "retention run", ...) when no known form is given: it prints usage, the
// form's usage lines, then where each form's flags are. Asked with -h it is
// help (exit 0); otherwise a usage error naming why (exit 2).
func groupUsage(env *environment, name, usage string, args []string, why string) error {
	fmt.Fprintln(env.stderr, usage)
	fmt.Fprintf(env.stderr, "\nFlags:\n  each form has its own: uppsikt %s FORM -h\n", name)
	if len(args) > 0 && isHelp(args[0]) {
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: %s", errUsage, why)
}
