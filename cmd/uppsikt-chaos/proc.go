package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
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
		syscall.Kill(p.PID, syscall.SIGKILL)
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

// descendants returns the processes below pid, none when /proc cannot be
// read.
func descendants(pid int) []capture.Process {
	ps, _ := capture.Descendants(pid)
	return ps
}

// browsers returns the Chromium browser processes serve started, among the
// processes tree below it: the chromium processes directly under serve
// (their renderers and helpers are below them).
func browsers(servePID int, tree []capture.Process) []int {
	var out []int
	for _, p := range tree {
		if p.Parent == servePID && strings.HasPrefix(p.Name, "chrom") {
			out = append(out, p.PID)
		}
	}
	return out
}

// renderers counts the Chromium processes of tree other than the browsers
// themselves: tabs open for captures.
func renderers(servePID int, tree []capture.Process) int {
	n := 0
	for _, p := range tree {
		if p.Parent != servePID && strings.HasPrefix(p.Name, "chrom") {
			n++
		}
	}
	return n
}
