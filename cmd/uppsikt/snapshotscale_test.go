package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var snapshotScale = flag.String("snapshot-scale", "", "run TestSnapshotScale on the demo account (demo) or a generated year of 100,000 comments (100k); `make bench-snapshot`")

// scaleScenario is a year of 5,000 posts with 20 comments each.
const scaleScenario = `
name: Gruvbergs kommun
language: sv
seed: 5
days: 330
user_token: EMU-sv-user-scale
accounts:
  - {key: fb, platform: facebook, id: "1094810000000999", name: Gruvbergs kommun, token: EMU-scale-fb, posts: 5000,
     comments_per_post: [20, 20], reply_percent: 0}
authors: [Anna Lindqvist, Per Eriksson, Åsa Öberg, Lars Berg, Karin Holm]
posts:
  - text: "Biblioteket har nya öppettider – välkomna!"
  - text: "Snöröjningen är igång på alla gator"
  - text: "Nu öppnar vi anmälan till sommarlovets aktiviteter"
comments:
  - "Tack till personalen på biblioteket!"
  - "När öppnar badhuset igen efter renoveringen?"
  - "Bra initiativ, fortsätt så."
page_replies: ["Hej! Vi har skickat frågan vidare."]
replies: ["Håller med!"]
`

// TestSnapshotScale measures "uppsikt snapshot" of this year of an account
// served by the emulator — the demo's Facebook page (-snapshot-scale=demo)
// or 5,000 posts with 100,000 comments (-snapshot-scale=100k) — run as a
// process of its own: wall time, the peak memory of its whole process tree
// (uppsikt, Chromium's processes, Ghostscript), sampled from /proc every
// 200 ms as the sum of the processes' RSS and of their PSS (which counts
// pages shared between Chromium's processes once), and the layout images
// in the PDF (pdfimages -list). It fails when the snapshot has no layout
// or the peak PSS passes 500 MB. `make bench-snapshot` runs both.
func TestSnapshotScale(t *testing.T) {
	var sc *emulator.Scenario
	var err error
	switch *snapshotScale {
	case "":
		t.Skip("a snapshot at scale takes minutes: run with -snapshot-scale=demo or -snapshot-scale=100k (make bench-snapshot)")
	case "demo":
		sc, err = emulator.LoadScenario("sv")
	case "100k":
		sc, err = emulator.ParseScenario("scale.yaml", []byte(scaleScenario))
	default:
		t.Fatalf("-snapshot-scale: want demo or 100k, got %q", *snapshotScale)
	}
	if err != nil {
		t.Fatal(err)
	}
	testenv.NeedTools(t, "gs", "pdfimages")
	chromium(t)
	r := newSupRig(t, sc)
	key := ""
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			key = k
		}
	}
	start := time.Now()
	if code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)); code != 0 {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("backfilled %s in %s", key, time.Since(start).Round(time.Second))

	out := filepath.Join(r.dir, "scale.pdf")
	cmd := exec.Command(os.Args[0], "snapshot", "-config", r.cfgPath, "-account", key, "-year", strconv.Itoa(time.Now().Year()), "-out", out, "-no-platform")
	cmd.Env = append(os.Environ(), "UPPSIKT_TEST_MAIN=1")
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := sampleTree(cmd.Process.Pid, 200*time.Millisecond)
	err = cmd.Wait()
	wall := time.Since(start)
	mem := peak()
	if err != nil {
		t.Fatalf("snapshot: %v\n%s%s", err, stdout.String(), tail(stderr.String(), 3000))
	}
	images := 0
	list, err := exec.Command("pdfimages", "-list", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(list), "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[2] == "image" {
			images++
		}
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", strings.TrimSpace(stdout.String()))
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() // with the browser and Ghostscript, which uppsikt waited for
	t.Logf("wall %s, CPU %s; %d layout images (pdfimages -list); PDF %.1f MB", wall.Round(time.Second), cpu.Round(time.Second), images, float64(fi.Size())/1e6)
	t.Logf("peak of the process tree: RSS sum %.0f MB, PSS sum %.0f MB at %s (%d processes at most); largest RSS: %s",
		float64(mem.rss)/1e6, float64(mem.pss)/1e6, mem.at, mem.procs, mem.largest())
	t.Logf("PSS sum of the process tree in MB: %s", strings.Join(mem.timeline, ", "))
	if m := regexp.MustCompile(`(\d+) screenshots`).FindStringSubmatch(stdout.String()); m == nil || m[1] == "0" || images == 0 {
		t.Errorf("the snapshot has no layout: %d images, summary %q", images, stdout.String())
	}
	if mem.pss > 500_000_000 {
		t.Errorf("peak PSS of the process tree %.0f MB, want under 500 MB", float64(mem.pss)/1e6)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// treePeak is the peak memory of a process tree.
type treePeak struct {
	rss, pss uint64            // the largest sums seen in one sample
	procs    int               // the most processes in one sample
	byName   map[string]uint64 // the largest RSS of one process, by command name
	pssName  map[string]uint64 // the largest PSS sum of the processes of a command name
	at       time.Duration     // when the PSS sum peaked, from the start
	timeline []string          // the PSS sum every 5 s
}

func (p treePeak) largest() string {
	var parts []string
	for name, v := range p.byName {
		if true {
			parts = append(parts, fmt.Sprintf("%s %.0f MB (PSS of all %[1]s processes %.0[3]f MB)", name, float64(v)/1e6, float64(p.pssName[name])/1e6))
		}
	}
	return strings.Join(parts, ", ")
}

// sampleTree samples the memory of the process pid and its descendants
// every interval until the returned function is called, which returns the
// peaks.
func sampleTree(pid int, interval time.Duration) func() treePeak {
	peak := treePeak{byName: map[string]uint64{}, pssName: map[string]uint64{}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		next := start
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			var rss, pss uint64
			procs := treePIDs(pid)
			names := map[string]uint64{}
			for _, p := range procs {
				name, r, s := procMemory(p)
				rss += r
				pss += s
				names[name] += s
				peak.byName[name] = max(peak.byName[name], r)
			}
			for name, v := range names {
				peak.pssName[name] = max(peak.pssName[name], v)
			}
			if pss > peak.pss {
				peak.at = time.Since(start).Round(time.Second)
			}
			if time.Now().After(next) {
				peak.timeline = append(peak.timeline, fmt.Sprintf("%s %.0f", time.Since(start).Round(time.Second), float64(pss)/1e6))
				next = next.Add(5 * time.Second)
			}
			peak.rss, peak.pss, peak.procs = max(peak.rss, rss), max(peak.pss, pss), max(peak.procs, len(procs))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() treePeak {
		close(done)
		wg.Wait()
		return peak
	}
}

// treePIDs lists pid and its descendants, from the parent of every process
// in /proc.
func treePIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		f := strings.Fields(string(rest))
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			children[pp] = append(children[pp], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// procMemory is a process's command name, RSS and PSS in bytes (0 when it
// is gone).
func procMemory(pid int) (name string, rss, pss uint64) {
	dir := "/proc/" + strconv.Itoa(pid)
	if comm, err := os.ReadFile(dir + "/comm"); err == nil {
		name = strings.TrimSpace(string(comm))
	}
	kb := func(file, key string) uint64 {
		f, err := os.Open(dir + "/" + file)
		if err != nil {
			return 0
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
				n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return n * 1000
			}
		}
		return 0
	}
	return name, kb("status", "VmRSS"), kb("smaps_rollup", "Pss")
}
