package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// buildStamp is set by the Makefile with -ldflags "-X 'main.buildStamp=...'"
// to "DESCRIBE REVISION" from git describe and git rev-parse, because the
// Makefile builds with -buildvcs=false, which leaves no VCS stamp in the
// build information. It is the one variable of package main, written by the
// linker only.
var buildStamp string

// versionInfo is what "uppsikt version" prints.
type versionInfo struct {
	Module    string // module path
	Version   string // module version ("(devel)" for a build in the repository), or git describe
	Revision  string // VCS revision; "" when unknown
	Modified  bool   // built from a tree with uncommitted changes
	GoVersion string
}

// readVersion combines the linker stamp (preferred) with the build
// information the Go toolchain records: a "go install module@version" build
// has the module version, a plain "go build" in a git checkout has vcs.*.
func readVersion(stamp string, bi *debug.BuildInfo, ok bool) versionInfo {
	v := versionInfo{Module: "github.com/uppsikt/uppsikt", Version: "unknown"}
	if ok && bi != nil {
		v.GoVersion = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module = bi.Main.Path
		}
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if f := strings.Fields(stamp); len(f) > 0 {
		v.Version = f[0]
		v.Modified = strings.HasSuffix(f[0], "-dirty")
		if len(f) > 1 {
			v.Revision = f[1]
		}
	}
	return v
}

func (v versionInfo) write(w io.Writer) {
	rev := v.Revision
	if rev == "" {
		rev = "unknown (built without VCS information; make build stamps it)"
	} else if v.Modified {
		rev += " (modified)"
	}
	fmt.Fprintf(w, "uppsikt %s\nmodule   %s\nrevision %s\ngo       %s\n", v.Version, v.Module, rev, v.GoVersion)
}

// runVersion is "uppsikt version": the module version and VCS revision.
func runVersion(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	readVersion(buildStamp, bi, ok).write(env.stdout)
	return nil
}

// creator is "uppsikt" and the version of this binary: how the documents
// uppsikt writes name the program that made them.
func creator() string {
	bi, ok := debug.ReadBuildInfo()
	return "uppsikt " + readVersion(buildStamp, bi, ok).Version
}
