package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// maxExposure is the highest "systemd-analyze security" exposure the unit
// may have (issue 18: 3.0 where Chromium allows).
const maxExposure = 3.0

// unitCredentials writes a file for every LoadCredential= of the systemd
// unit at unitPath into a new folder, as systemd does before it starts the
// service, and returns the folder (the service's $CREDENTIALS_DIRECTORY).
func unitCredentials(t *testing.T, unitPath string) string {
	t.Helper()
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for _, v := range unitValues(string(unit), "LoadCredential") {
		id, _, _ := strings.Cut(v, ":")
		if err := os.WriteFile(filepath.Join(dir, id), []byte("credential-"+id+"\n"), 0o400); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("%s has no LoadCredential= line", unitPath)
	}
	return dir
}

// unitValues returns the values of every line "key=value" of a unit file.
func unitValues(unit, key string) []string {
	var vals []string
	for line := range strings.Lines(unit) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			vals = append(vals, v)
		}
	}
	return vals
}

// TestDebianPackage builds the .deb with nfpm from packaging/nfpm.yaml,
// installs it with dpkg into a temporary root (dpkg --root, the maintainer
// scripts run with DPKG_ROOT instead of in a chroot; see
// docs/operations.md for why not into /), and checks the installed files,
// their modes and owners, the user uppsikt, "uppsikt version", the unit's
// own ExecStartPre config check with the unit's credentials,
// "systemd-analyze verify", the unit's security exposure, and that a
// changed configuration survives a reinstall.
func TestDebianPackage(t *testing.T) {
	testenv.NeedTools(t, "dpkg", "dpkg-deb", "useradd", "systemd-analyze")
	if os.Geteuid() != 0 {
		testenv.Missing(t, "installing the package with dpkg --root needs root (its postinst creates the user uppsikt and chowns /var/lib/uppsikt)")
	}
	nfpm := filepath.Join("..", "..", "bin", "nfpm")
	if _, err := os.Stat(nfpm); err != nil {
		if nfpm, err = exec.LookPath("nfpm"); err != nil {
			testenv.Missing(t, "nfpm is not installed: run `make nfpm` (go install github.com/goreleaser/nfpm/v2/cmd/nfpm into bin/)")
		}
	}
	nfpm, _ = filepath.Abs(nfpm)

	// The staging folder has the repository's layout with the files the
	// package takes.
	stage := t.TempDir()
	for _, f := range []string{"packaging/nfpm.yaml", "packaging/postinst.sh", "packaging/postrm.sh",
		"examples/uppsikt.service", "examples/uppsikt.yaml", "docs/operations.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(f, ".sh") {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Join(stage, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stage, f), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	const stamp = "v1.2.3-4-gabcdef0 abcdef0123456789abcdef0123456789abcdef01"
	runCmd(t, "", nil, "go", "build", "-ldflags", "-X 'main.buildStamp="+stamp+"'", "-o", filepath.Join(stage, "bin", "uppsikt"), ".")
	if err := os.Mkdir(filepath.Join(stage, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	runCmd(t, stage, []string{"UPPSIKT_VERSION=1.2.3+4+gabcdef0", "GOARCH=" + runtime.GOARCH},
		nfpm, "package", "-f", "packaging/nfpm.yaml", "-p", "deb", "-t", "out/")
	debs, _ := filepath.Glob(filepath.Join(stage, "out", "*.deb"))
	if len(debs) != 1 {
		t.Fatalf("nfpm made %v, want one .deb", debs)
	}
	deb := debs[0]

	// A temporary root: an empty dpkg database and a passwd with root.
	root := t.TempDir()
	for _, d := range []string{"etc", "var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range map[string]string{
		"etc/passwd":          "root:x:0:0:root:/root:/bin/sh\n",
		"etc/group":           "root:x:0:\n",
		"etc/shadow":          "root:*:20000:0:99999:7:::\n",
		"etc/gshadow":         "root:*::\n",
		"var/lib/dpkg/status": "",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	install := func() {
		t.Helper()
		// --force-depends: the temporary root has no libc6 or ghostscript
		// package of its own.
		runCmd(t, "", nil, "dpkg", "--root="+root, "--force-script-chrootless", "--force-depends",
			"--log="+filepath.Join(root, "dpkg.log"), "-i", deb)
	}
	install()

	passwd, err := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^uppsikt:x:(\d+):(\d+):[^:]*:/var/lib/uppsikt:/usr/sbin/nologin$`).FindSubmatch(passwd)
	if m == nil {
		t.Fatalf("no system user uppsikt in the root's /etc/passwd:\n%s", passwd)
	}
	uid, _ := strconv.Atoi(string(m[1]))
	gid, _ := strconv.Atoi(string(m[2]))
	if uid == 0 || uid >= 1000 {
		t.Errorf("user uppsikt has uid %d, want a system uid (1-999)", uid)
	}

	tests := []struct {
		path     string
		mode     fs.FileMode
		uid, gid int
	}{
		{"usr/bin/uppsikt", 0o755, 0, 0},
		{"usr/lib/systemd/system/uppsikt.service", 0o644, 0, 0},
		{"etc/uppsikt/uppsikt.yaml", 0o644, 0, 0},
		{"etc/uppsikt/credentials", fs.ModeDir | 0o700, 0, 0},
		{"var/lib/uppsikt", fs.ModeDir | 0o750, uid, gid},
		{"usr/share/doc/uppsikt/operations.md", 0o644, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			fi, err := os.Lstat(filepath.Join(root, tt.path))
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if got := fi.Mode(); got != tt.mode {
				t.Errorf("mode: got %v, want %v", got, tt.mode)
			}
			if int(st.Uid) != tt.uid || int(st.Gid) != tt.gid {
				t.Errorf("owner: got %d:%d, want %d:%d", st.Uid, st.Gid, tt.uid, tt.gid)
			}
		})
	}
	conffiles, err := os.ReadFile(filepath.Join(root, "var", "lib", "dpkg", "info", "uppsikt.conffiles"))
	if err != nil || strings.TrimSpace(string(conffiles)) != "/etc/uppsikt/uppsikt.yaml" {
		t.Errorf("conffiles: got %q (%v), want /etc/uppsikt/uppsikt.yaml", conffiles, err)
	}

	bin := filepath.Join(root, "usr", "bin", "uppsikt")
	if out := runCmd(t, "", nil, bin, "version"); !strings.Contains(out, "uppsikt v1.2.3-4-gabcdef0\n") || !strings.Contains(out, "revision abcdef0123456789abcdef0123456789abcdef01\n") {
		t.Errorf("uppsikt version of the installed binary:\n%s\nwant the stamped version and revision", out)
	}

	// The unit's own ExecStartPre (the config check), run under the root
	// with the unit's credentials, as systemd would run it.
	unitPath := filepath.Join(root, "usr", "lib", "systemd", "system", "uppsikt.service")
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	pre := unitValues(string(unit), "ExecStartPre")
	if len(pre) != 1 {
		t.Fatalf("ExecStartPre: %q, want one", pre)
	}
	args := strings.Fields(pre[0])
	for i, a := range args {
		if strings.HasPrefix(a, "/") {
			args[i] = filepath.Join(root, a)
		}
	}
	creds := unitCredentials(t, unitPath)
	if out := runCmd(t, "", []string{"CREDENTIALS_DIRECTORY=" + creds}, args[0], args[1:]...); !strings.Contains(out, ": ok — 3 account(s), database /var/lib/uppsikt/uppsikt.db") {
		t.Errorf("the unit's config check: %s", out)
	}

	// systemd-analyze verify resolves the unit's default dependencies
	// (sysinit.target, ...) in the root: it gets the host's targets.
	targets, _ := filepath.Glob("/usr/lib/systemd/system/*.target")
	if len(targets) == 0 {
		testenv.Missing(t, "no systemd targets in /usr/lib/systemd/system: install systemd")
	}
	for _, tg := range targets {
		data, err := os.ReadFile(tg)
		if err != nil {
			continue // a dangling link
		}
		if err := os.WriteFile(filepath.Join(root, "usr", "lib", "systemd", "system", filepath.Base(tg)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out := runCmd(t, "", nil, "systemd-analyze", "verify", "--root="+root, "uppsikt.service"); strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %s", out)
	}
	sec, _ := exec.Command("systemd-analyze", "security", "--offline=true", "--no-pager", unitPath).CombinedOutput()
	em := regexp.MustCompile(`Overall exposure level for uppsikt.service: (\d+\.\d+)`).FindSubmatch(sec)
	if em == nil {
		t.Fatalf("systemd-analyze security: no exposure level in:\n%s", sec)
	}
	exposure, _ := strconv.ParseFloat(string(em[1]), 64)
	t.Logf("systemd-analyze security --offline=true: exposure %.1f", exposure)
	if exposure > maxExposure {
		t.Errorf("systemd-analyze security: exposure %.1f, want at most %.1f", exposure, maxExposure)
	}

	// A reinstall keeps a changed configuration (config|noreplace) and the
	// one user.
	cfgPath := filepath.Join(root, "etc", "uppsikt", "uppsikt.yaml")
	changed := append(mustRead(t, cfgPath), "# changed by the municipality\n"...)
	if err := os.WriteFile(cfgPath, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	install()
	if got := mustRead(t, cfgPath); !bytes.Equal(got, changed) {
		t.Error("a reinstall replaced the changed configuration")
	}
	if got := bytes.Count(mustRead(t, filepath.Join(root, "etc", "passwd")), []byte("\nuppsikt:")); got != 1 {
		t.Errorf("after a reinstall /etc/passwd has %d users uppsikt, want 1", got)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// runCmd runs a program in dir (the package's folder if empty) with env
// added to the environment and returns its combined output; a failure
// fails the test.
func runCmd(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return fmt.Sprint(string(out))
}
