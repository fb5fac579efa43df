package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Memory is the memory of the browser's processes, read from /proc.
type Memory struct {
	Processes int
	RSS       int64 // bytes, summed over the processes (shared pages counted in each)
	PSS       int64 // bytes, proportional set size: shared pages divided among the processes; 0 when unknown
}

// Memory returns the memory of the running browser and all its child
// processes (renderers, GPU and utility processes). It works on Linux; it
// returns an error when no browser runs.
func (b *Browser) Memory() (Memory, error) {
	pid := b.Stats().PID
	if pid == 0 {
		return Memory{}, errors.New("capture: no browser running")
	}
	return TreeMemory(pid)
}

// Process is one process of a tree read from /proc.
type Process struct {
	PID, Parent int
	Name        string // the command name, as /proc/PID/stat gives it
}

// Descendants lists the processes below root (children, their children
// and so on), breadth first, from one read of /proc. It works on Linux.
func Descendants(root int) ([]Process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("capture: read /proc: %w", err)
	}
	children := map[int][]Process{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ...; comm can hold spaces and parentheses.
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(string(stat[end+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		children[ppid] = append(children[ppid], Process{PID: pid, Parent: ppid, Name: string(stat[open+1 : end])})
	}
	var out []Process
	for queue := children[root]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0].PID]...)
	}
	return out, nil
}

// TreeMemory is the memory of the process root and every process below it.
func TreeMemory(root int) (Memory, error) {
	below, err := Descendants(root)
	if err != nil {
		return Memory{}, err
	}
	pids := []int{root}
	for _, p := range below {
		pids = append(pids, p.PID)
	}
	var m Memory
	for _, pid := range pids {
		rss, ok := statusKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
		if !ok {
			continue
		}
		m.Processes++
		m.RSS += rss * 1024
		if pss, ok := statusKB(fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:"); ok {
			m.PSS += pss * 1024
		}
	}
	if m.Processes == 0 {
		return Memory{}, fmt.Errorf("capture: browser process %d not found", root)
	}
	return m, nil
}

// statusKB reads a "Key:   123 kB" line of a /proc file.
func statusKB(path, key string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, key) {
			continue
		}
		fields := strings.Fields(line[len(key):])
		if len(fields) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		return n, err == nil
	}
	return 0, false
}
