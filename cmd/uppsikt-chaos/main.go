// Command uppsikt-chaos runs uppsikt's service through a chaos campaign and
// checks that it kept its promises:
//
//	uppsikt-chaos -bin bin/uppsikt -kills 30 [-seed N] [-timeout 15m]
//
// It starts the Graph API emulator in this process (loopback only) in live
// mode — new comments, edits and authors' deletions — and "uppsikt serve" as
// a child process in its own process group, with webhooks registered and a
// moderator approving removals through the web page. During the chaos phase
// it SIGKILLs serve (with the Chromium it started) at -kills random moments
// and restarts it each time, and meanwhile makes the platform fail: 5xx and
// HTML error pages, closed connections, rate limits (codes 4, 17, 32, 613,
// 80001, 80002) with a known regain time, a revoked token (190) that Meta
// later accepts again, slow answers, and duplicated, reordered and dropped
// webhook deliveries. It also makes the evidence folder unwritable for a
// while (it renames the folder away and puts a file in its place: chmod
// does nothing for root) and kills Chromium mid-capture, by the pids of the
// browser processes under serve.
//
// Then it lets the service settle — faults cleared, live mode stopped, the
// longest rate limit waited out, a reconcile pass ("uppsikt poll -once
// -reconcile") and serve again until its /healthz shows nothing pending —
// and compares the emulator's state with the store (package cmd/chaos) and
// runs "uppsikt verify". It prints what it found, then exactly one line
//
//	chaos: kills=N faults=N lost=0 versions_lost=0 duplicate_actions=0 before_evidence=0 stalled=0 verify=ok
//
// and exits 1 when any count is not zero or verify failed, 2 when the
// campaign itself could not run. The run stops by itself within -timeout
// (at most 15 minutes). The work folder (configuration, store, evidence,
// logs) is removed unless -keep is given or the run failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	bin      string
	kills    int
	seed     int64
	timeout  time.Duration
	rate     float64
	scenario string
	dir      string
	keep     bool
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/uppsikt", "the uppsikt binary")
	flag.IntVar(&o.kills, "kills", 30, "how many times serve is SIGKILLed during the chaos phase")
	flag.Int64Var(&o.seed, "seed", 0, "seed of the fault schedule and of the emulator's live mode (0: from the clock)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "the whole run's limit (at most 15m)")
	flag.Float64Var(&o.rate, "live-rate", 12, "new comments, edits and deletions a minute on the emulated pages")
	flag.StringVar(&o.scenario, "scenario", "sv", "the emulator's scenario: sv, da or a file")
	flag.StringVar(&o.dir, "dir", "", "the work folder (default: a new temporary folder)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder")
	flag.Parse()
	if o.timeout <= 0 || o.timeout > 15*time.Minute {
		o.timeout = 15 * time.Minute
	}
	if o.kills < 0 {
		o.kills = 0
	}
	if o.seed == 0 {
		o.seed = time.Now().UnixNano()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, o))
}

func run(ctx context.Context, o options) int {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	h, err := newHarness(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "uppsikt-chaos:", err)
		if h != nil {
			h.close(false)
		}
		return 2
	}
	res, err := h.campaign(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "uppsikt-chaos:", err)
		h.close(false)
		fmt.Fprintf(os.Stderr, "uppsikt-chaos: work folder kept: %s\n", h.dir)
		return 2
	}
	const most = 60
	for i, d := range res.report.Details {
		if i == most {
			fmt.Printf("… and %d more\n", len(res.report.Details)-most)
			break
		}
		fmt.Println(d)
	}
	fmt.Printf("checked %d comments, %d stored versions, %d platform actions, %d webhook deliveries; %d approvals, %d chromium kills, %d evidence outages, %d unplanned serve exits; seed %d, %s\n",
		res.report.Comments, res.report.Versions, res.report.Actions, res.deliveries, res.approvals, res.chromiumKills,
		res.evidenceOutages, res.unplanned, o.seed, res.took.Round(time.Second))
	verify := "ok"
	if !res.verifyOK {
		verify = "failed"
	}
	r := res.report
	ok := r.Failures() == 0 && res.verifyOK
	h.close(ok && !o.keep)
	if !ok || o.keep {
		fmt.Printf("work folder (configuration, store, evidence, logs, details.txt): %s\n", h.dir)
	}
	fmt.Printf("chaos: kills=%d faults=%d lost=%d versions_lost=%d duplicate_actions=%d before_evidence=%d stalled=%d verify=%s\n",
		res.kills, res.faults, r.Lost, r.VersionsLost, r.DuplicateActions, r.BeforeEvidence, r.Stalled, verify)
	if !ok {
		return 1
	}
	return 0
}

// errf wraps with the step that failed.
func errf(step string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: the run's time limit passed", step)
	}
	return fmt.Errorf("%s: %w", step, err)
}
