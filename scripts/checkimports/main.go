// Command checkimports enforces uppsikt's folder boundaries: a package in one
// of the top-level folders (bot, rules, archive, moderation) may import the
// project's own packages only from its own folder and from moderation, the
// shared vocabulary. Only cmd wires folders together. Test files are held to
// the same rule. It prints every forbidden edge and exits 1 if there is one.
//
// Run it as "make check-imports" (or go run ./scripts/checkimports).
package main

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	violations, err := check(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check-imports:", err)
		os.Exit(2)
	}
	for _, v := range violations {
		fmt.Println(v)
	}
	if len(violations) > 0 {
		fmt.Fprintf(os.Stderr, "check-imports: %d forbidden import(s); only cmd may import across folders\n", len(violations))
		os.Exit(1)
	}
}

func modulePath(root string) (string, error) {
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.TrimSpace(m), nil
		}
	}
	return "", fmt.Errorf("no module line in go.mod")
}

// allowed reports whether a file in folder from may import the project's
// package in folder to.
func allowed(from, to string) bool {
	switch {
	case from == "cmd":
		return true
	case from == to, to == "moderation":
		return from != "scripts"
	}
	return false
}

func check(root string) ([]string, error) {
	mod, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var out []string
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "data" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		from := strings.Split(filepath.ToSlash(rel), "/")[0]
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			sub, ok := strings.CutPrefix(p, mod+"/")
			if !ok {
				continue
			}
			to := strings.Split(sub, "/")[0]
			if !allowed(from, to) {
				out = append(out, fmt.Sprintf("%s:%d: %s imports %s", rel, fset.Position(imp.Pos()).Line, from, sub))
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
