package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is "uppsikt serve" running in a process group of its own, so that
// it and everything it started (Chromium) can be killed together.
type child struct {
	bin, cfg string
	log      io.Writer

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when the running process has exited
	exits   int           // exits nobody asked for
	stopped bool          // kill or stop asked for the last exit
}

// start starts serve unless it runs.
func (c *child) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runningLocked() {
		return nil
	}
	cmd := exec.Command(c.bin, "serve", "-config", c.cfg)
	cmd.Stdout, cmd.Stderr = c.log, c.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start serve: %w", err)
	}
	done := make(chan struct{})
	c.cmd, c.done, c.stopped = cmd, done, false
	go func() {
		cmd.Wait()
		c.mu.Lock()
		if !c.stopped {
			c.exits++
		}
		c.mu.Unlock()
		close(done)
	}()
	return nil
}

func (c *child) runningLocked() bool {
	if c.cmd == nil {
		return false
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// running reports whether serve runs, and its pid.
func (c *child) running() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.runningLocked() {
		return 0, false
	}
	return c.cmd.Process.Pid, true
}

// kill SIGKILLs serve's process group and every process of its tree, and
// waits for serve to exit. It reports whether serve was running.
func (c *child) kill() bool {
	c.mu.Lock()
	if !c.runningLocked() {
		c.mu.Unlock()
		return false
	}
	c.stopped = true
	pid, done := c.cmd.Process.Pid, c.done
	c.mu.Unlock()
	tree := descendants(pid)
	syscall.Kill(-pid, syscall.SIGKILL)
	<-done
	// Processes that left the group (none should) are killed by pid.
	for _, p := range tree {
		syscall.Kill(p.pid, syscall.SIGKILL)
	}
	return true
}

// stop sends SIGTERM and waits up to grace for serve to shut down, then
// kills what is left.
func (c *child) stop(grace time.Duration) error {
	c.mu.Lock()
	if !c.runningLocked() {
		c.mu.Unlock()
		return nil
	}
	c.stopped = true
	pid, done := c.cmd.Process.Pid, c.done
	c.mu.Unlock()
	syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-done:
		// Chromium may outlive serve for a moment: its group goes too.
		syscall.Kill(-pid, syscall.SIGKILL)
		return nil
	case <-time.After(grace):
		c.kill()
		return errors.New("serve did not stop within " + grace.String() + " of SIGTERM")
	}
}

// unplannedExits counts the exits of serve that nobody asked for.
func (c *child) unplannedExits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exits
}

// proc is a process of the tree under serve.
type proc struct {
	pid, ppid int
	name      string
}

// processes reads every process's pid, parent and name from /proc.
func processes() []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || end+2 > len(s) {
			continue
		}
		fields := strings.Fields(s[end+2:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		out = append(out, proc{pid: pid, ppid: ppid, name: s[open+1 : end]})
	}
	return out
}

// descendants returns the processes below pid.
func descendants(pid int) []proc {
	all := processes()
	children := map[int][]proc{}
	for _, p := range all {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []proc
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			out = append(out, c)
			walk(c.pid)
		}
	}
	walk(pid)
	return out
}

// browsers returns the Chromium browser processes serve started: the
// chromium processes directly under serve (their renderers and helpers are
// below them).
func browsers(servePID int) []int {
	var out []int
	for _, p := range descendants(servePID) {
		if p.ppid == servePID && strings.HasPrefix(p.name, "chrom") {
			out = append(out, p.pid)
		}
	}
	return out
}

// renderers counts the Chromium processes under serve other than the
// browsers themselves: tabs open for captures.
func renderers(servePID int) int {
	n := 0
	for _, p := range descendants(servePID) {
		if p.ppid != servePID && strings.HasPrefix(p.name, "chrom") {
			n++
		}
	}
	return n
}
