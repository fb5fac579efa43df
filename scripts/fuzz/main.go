// Command fuzz runs every fuzz target of the module, one after the other,
// each for a bounded time: "make fuzz" (FUZZTIME=20s by default) or
//
//	go run ./scripts/fuzz -time 60s [-run REGEXP] [-parallel N] [-list]
//
// It finds the targets itself, every func FuzzXxx(*testing.F) in a _test.go
// file under the module, so a new one is run without being listed
// anywhere. Each runs as
//
//	go test -run='^$' -fuzz='^FuzzXxx$' -fuzztime=T -fuzzminimizetime=M ./pkg
//
// in its package. An input that fails is written by go test to the
// package's testdata/fuzz/FuzzXxx/ folder, where every later "go test" runs
// it as a regression test: fix the code, keep the file. The command prints
// one line per target and exits 1 when any target failed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

// target is one fuzz function in one package folder.
type target struct {
	dir  string // relative to the module root, "./bot/webhook"
	name string // FuzzHandler
}

func main() {
	fuzzTime := flag.Duration("time", 20*time.Second, "how long each target runs")
	minimize := flag.Duration("minimize", 5*time.Second, "how long a new input is minimized (go test -fuzzminimizetime)")
	run := flag.String("run", "", "run only the targets whose name or package matches this regular expression")
	parallel := flag.Int("parallel", 0, "fuzzing workers per target (0: go test's default, GOMAXPROCS)")
	list := flag.Bool("list", false, "list the targets and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	targets, err := find(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fuzz:", err)
		os.Exit(2)
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fuzz: -run:", err)
			os.Exit(2)
		}
		targets = filter(targets, func(t target) bool { return re.MatchString(t.name) || re.MatchString(t.dir) })
	}
	if len(targets) == 0 {
		fmt.Fprintln(os.Stderr, "fuzz: no fuzz targets found")
		os.Exit(1)
	}
	if *list {
		for _, t := range targets {
			fmt.Printf("%s %s\n", t.dir, t.name)
		}
		return
	}
	var failed []string
	races := 0
	start := time.Now()
	for _, t := range targets {
		args := []string{"test", "-run=^$", "-fuzz=^" + t.name + "$",
			"-fuzztime=" + fuzzTime.String(), "-fuzzminimizetime=" + minimize.String()}
		if *parallel > 0 {
			args = append(args, fmt.Sprintf("-parallel=%d", *parallel))
		}
		args = append(args, t.dir)
		cmd := exec.CommandContext(ctx, "go", args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		began := time.Now()
		err := cmd.Run()
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "fuzz: interrupted")
			os.Exit(1)
		}
		status := "ok"
		switch {
		case err != nil && coordinatorRace(out.String()):
			// Go's fuzz coordinator before 1.27 can report its own
			// -fuzztime deadline as a failure (go.dev/issue/75804): no
			// input failed and none was written. Said, not counted.
			status = "race"
			races++
		case err != nil:
			status = "FAIL"
			failed = append(failed, t.dir+" "+t.name)
		}
		fmt.Printf("%-4s %-28s %-24s %s%s\n", status, t.dir, t.name, time.Since(began).Round(time.Second), lastExecs(out.String()))
		if status == "FAIL" {
			os.Stdout.Write(out.Bytes())
		}
	}
	fmt.Printf("fuzz: %d targets, %s each, %d failed, %s in all\n", len(targets), fuzzTime, len(failed), time.Since(start).Round(time.Second))
	if races > 0 {
		fmt.Printf("fuzz: %d targets ended on the fuzz coordinator's deadline race (go.dev/issue/75804, fixed in Go 1.27) with no failing input; run them again\n", races)
	}
	if len(failed) > 0 {
		fmt.Println("failing inputs are in each package's testdata/fuzz/; go test runs them from now on:")
		for _, f := range failed {
			fmt.Println("  " + f)
		}
		os.Exit(1)
	}
}

// coordinatorRace reports a fuzz run that failed only with the
// coordinator's own "context deadline exceeded" and wrote no failing input.
func coordinatorRace(out string) bool {
	// The whole failure report of the race: the target failed with nothing
	// but "context deadline exceeded".
	race := regexp.MustCompile(`--- FAIL: Fuzz\w+ \([0-9.]+s\)\n\s+context deadline exceeded\n(FAIL\n|exit status)`)
	return race.MatchString(out) && !strings.Contains(out, "Failing input written")
}

// find lists the fuzz targets of the module rooted at root, by package
// folder and name.
func find(root string) ([]target, error) {
	var out []target
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") || !takesF(fn) {
				continue
			}
			out = append(out, target{dir: "./" + filepath.ToSlash(filepath.Dir(path)), name: fn.Name.Name})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].dir != out[j].dir {
			return out[i].dir < out[j].dir
		}
		return out[i].name < out[j].name
	})
	return out, err
}

// takesF reports whether fn has the one parameter *testing.F.
func takesF(fn *ast.FuncDecl) bool {
	ps := fn.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) > 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F"
}

func filter(ts []target, keep func(target) bool) []target {
	var out []target
	for _, t := range ts {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// lastExecs is ", N execs" from go test's last progress line, or "".
func lastExecs(out string) string {
	re := regexp.MustCompile(`execs: (\d+)`)
	m := re.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return ""
	}
	return ", " + m[len(m)-1][1] + " execs"
}
