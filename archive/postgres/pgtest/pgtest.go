package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrMissing means the PostgreSQL programs were not found.
var ErrMissing = errors.New("the PostgreSQL programs (initdb, postgres) are missing: install Debian's postgresql package (scripts/install-deps.sh) or set UPPSIKT_PG_BIN")

// process is the one server of this test process.
var process struct {
	once sync.Once
	c    *cluster
	err  error
}

// Main runs the tests of a package that uses pgtest and stops the server,
// if one was started, when they are done. Use it in TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if process.c != nil {
		if err := process.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// DSN returns the connection string of a new, empty database on the test
// server, dropped when t ends. The first call starts the server. When the
// PostgreSQL programs are missing, t fails if CI is set and is skipped
// otherwise.
func DSN(t testing.TB) string {
	t.Helper()
	return Prepared(t, "", nil)
}

// Prepared returns the connection string of a new database copied from a
// template that prepare fills once per test process: the first call with a
// given key creates the template database and calls prepare with its
// connection string (prepare must close every connection it opened); later
// calls with the same key only copy it. This saves running the same
// migrations for every test. An empty key (or a nil prepare) gives an empty
// database, as DSN does.
func Prepared(t testing.TB, key string, prepare func(ctx context.Context, dsn string) error) string {
	t.Helper()
	c := server(t)
	if prepare == nil {
		key = ""
	}
	dsn, err := c.newDatabase(key, prepare)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.drop(dsn); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dsn
}

// server starts the test process's server on first use.
func server(t testing.TB) *cluster {
	t.Helper()
	process.once.Do(func() { process.c, process.err = start() })
	if errors.Is(process.err, ErrMissing) {
		if os.Getenv("CI") != "" {
			t.Fatalf("pgtest: %v (CI is set, so this fails rather than skips)", process.err)
		}
		t.Skipf("pgtest: %v", process.err)
	}
	if process.err != nil {
		t.Fatalf("pgtest: %v", process.err)
	}
	return process.c
}

// cluster is a running throwaway server.
type cluster struct {
	dir  string // the temporary folder: data/, the socket, the log
	port int
	cmd  *exec.Cmd
	exit chan error // the server's exit, once

	mu        sync.Mutex
	admin     *pgx.Conn
	n         int
	templates map[string]*template
	spare     map[string]string // a database made ahead, by its source
	stopped   bool
}

type template struct {
	name string
	err  error
}

// Bin finds the folder holding initdb and postgres.
func Bin() (string, error) {
	if d := os.Getenv("UPPSIKT_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err != nil {
			return "", fmt.Errorf("UPPSIKT_PG_BIN=%s: %w", d, ErrMissing)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	return "", ErrMissing
}

// version is the major version in /usr/lib/postgresql/<v>/bin.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// start makes a cluster in a temporary folder and starts its server.
func start() (*cluster, error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	base := ""
	if os.Geteuid() == 0 {
		// initdb refuses root: the cluster belongs to nobody.
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the user nobody: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		base = "/tmp" // nobody must reach it; $TMPDIR may lie under root's home
	}
	dir, err := os.MkdirTemp(base, "uppsikt-pg-")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = procAttr(cred)
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %w: %s", err, tail(out)))
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return fail(err)
	}
	defer logf.Close()
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB",
		"-c", "max_pred_locks_per_transaction=256")
	srv.SysProcAttr = procAttr(cred)
	srv.Stdout, srv.Stderr = logf, logf
	srv.Dir = dir
	if err := srv.Start(); err != nil {
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	c := &cluster{dir: dir, port: port, cmd: srv, exit: make(chan error, 1), templates: map[string]*template{}, spare: map[string]string{}}
	go func() { c.exit <- srv.Wait() }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.dsn("postgres"))
		cancel()
		if err == nil {
			c.admin = conn
			return c, nil
		}
		select {
		case werr := <-c.exit:
			log, _ := os.ReadFile(logPath)
			os.RemoveAll(dir)
			return nil, fmt.Errorf("postgres exited: %v: %s", werr, tail(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("postgres did not accept connections within 60 s: %w", err)
		}
	}
}

// dsn is the connection string of database name, over the unix socket.
func (c *cluster) dsn(name string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable", c.dir, c.port, name)
}

// newDatabase creates a database, from the template key when key is set.
func (c *cluster) newDatabase(key string, prepare func(ctx context.Context, dsn string) error) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx := context.Background()
	from := "template0"
	if key != "" {
		tpl, ok := c.templates[key]
		if !ok {
			c.n++
			tpl = &template{name: fmt.Sprintf("tpl_%d", c.n)}
			c.templates[key] = tpl
			if _, err := c.admin.Exec(ctx, "CREATE DATABASE "+tpl.name+" TEMPLATE template0 STRATEGY FILE_COPY"); err != nil {
				tpl.err = fmt.Errorf("create template %s: %w", key, err)
			} else if err := prepare(ctx, c.dsn(tpl.name)); err != nil {
				tpl.err = fmt.Errorf("prepare template %s: %w", key, err)
			}
		}
		if tpl.err != nil {
			return "", tpl.err
		}
		from = tpl.name
	}
	name := c.spare[from]
	delete(c.spare, from)
	if name == "" {
		var err error
		if name, err = c.create(from); err != nil {
			return "", err
		}
	}
	// The next test's database is made while this one runs.
	go c.makeSpare(from)
	return c.dsn(name), nil
}

// create copies database from into a new database and returns its name.
// c.mu is held.
func (c *cluster) create(from string) (string, error) {
	c.n++
	name := fmt.Sprintf("test_%d", c.n)
	if _, err := c.admin.Exec(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+from+" STRATEGY FILE_COPY"); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return name, nil
}

// makeSpare makes a copy of from ready for the next call, unless there is
// one. A failure is left for that call to meet and report.
func (c *cluster) makeSpare(from string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped || c.spare[from] != "" {
		return
	}
	if name, err := c.create(from); err == nil {
		c.spare[from] = name
	}
}

// drop drops the database of dsn, closing any connection left to it.
func (c *cluster) drop(dsn string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	_, name, _ := strings.Cut(dsn, "dbname=")
	name, _, _ = strings.Cut(name, " ")
	if _, err := c.admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// stop shuts the server down (fast shutdown, then kill) and removes its
// folder.
func (c *cluster) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	if c.admin != nil {
		c.admin.Close(context.Background())
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exit:
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		<-c.exit
	}
	return os.RemoveAll(c.dir)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is the end of a program's output, for an error message.
func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
