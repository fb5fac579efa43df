package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/moderation"
)

// flagAll flags every comment that says "flagga".
type flagAll struct{}

func (flagAll) Classify(text, lang string) moderation.Verdict {
	if strings.Contains(text, "flagga") {
		return moderation.Verdict{Categories: []string{moderation.CatPersonalID}}
	}
	return moderation.Verdict{}
}

// slowEvidence documents a comment in 200 ms and records how many run at
// once, overall and per comment.
type slowEvidence struct {
	mu        sync.Mutex
	running   int
	maxAll    int
	perCom    map[int64]int
	maxPerCom int
	documents map[int64][]time.Time
}

func (e *slowEvidence) Committed(ctx context.Context, commentID int64, since time.Time) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, at := range e.documents[commentID] {
		if !at.Before(since) {
			return true, nil
		}
	}
	return false, nil
}

func (e *slowEvidence) Document(ctx context.Context, commentID, caseID int64, number string) error {
	e.mu.Lock()
	e.running++
	e.perCom[commentID]++
	e.maxAll = max(e.maxAll, e.running)
	e.maxPerCom = max(e.maxPerCom, e.perCom[commentID])
	e.mu.Unlock()
	select {
	case <-time.After(200 * time.Millisecond):
	case <-ctx.Done():
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.running--
	e.perCom[commentID]--
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e.documents[commentID] = append(e.documents[commentID], time.Now())
	return nil
}

// burst stores six flagged comments, one of them edited (two versions,
// both flagged), and two harmless ones; the edit is seen after the first
// version would be documented, so it needs evidence of its own.
func burst(t *testing.T) (*sqlite.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	seen := time.Now().Add(-time.Hour)
	add := func(id, msg string, at time.Time) {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: id,
			Author: moderation.Author{ID: "u", Name: "Besökare"}, Message: msg, CreatedAt: seen, Raw: json.RawMessage(`{}`),
			Source: moderation.SourcePoll, SeenAt: at})
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = r.CommentID
	}
	for i := range 6 {
		add(fmt.Sprintf("c%d", i), "flagga mig", seen)
	}
	add("edited", "flagga mig", seen)
	add("edited", "flagga mig igen", time.Now().Add(time.Hour))
	add("ok1", "tack", seen)
	add("ok2", "bra", seen)
	return st, ids
}

// TestPipelineDocumentsTwoAtOnceAndEachOnce drains a burst of flagged
// comments through the pipeline on SQLite: evidence is made for two
// comments at once, never twice at once for one comment, and once for each
// flagged version that needs it.
func TestPipelineDocumentsTwoAtOnceAndEachOnce(t *testing.T) {
	st, ids := burst(t)
	ev := &slowEvidence{perCom: map[int64]int{}, documents: map[int64][]time.Time{}}
	p := pipeline.New(pipeline.Options{Store: st, Classifier: flagAll{}, Evidence: ev})
	n, err := p.Drain(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, 10; got != want {
		t.Errorf("completed items: got %d, want %d", got, want)
	}
	if got, want := ev.maxAll, 2; got != want {
		t.Errorf("evidence at once: got %d, want %d", got, want)
	}
	if got, want := ev.maxPerCom, 1; got != want {
		t.Errorf("evidence of one comment at once: got %d, want %d", got, want)
	}
	for name, id := range ids {
		want := 0
		switch {
		case name == "edited":
			want = 2 // each flagged version seen after the last evidence
		case strings.HasPrefix(name, "c"):
			want = 1
		}
		if got := len(ev.documents[id]); got != want {
			t.Errorf("comment %s documented %d times, want %d", name, got, want)
		}
	}
	if left, err := st.PendingWork(context.Background(), time.Time{}, 100); err != nil || len(left) != 0 {
		t.Errorf("queue after the drain: %d items (%v), want none", len(left), err)
	}
	// A second drain finds nothing and documents nothing again.
	if n, err := p.Drain(context.Background(), nil); n != 0 || err != nil {
		t.Errorf("second drain: %d items, %v; want 0, nil", n, err)
	}
}

// TestPipelineStopReplaysUnfinished stops a drain part way: the next drain
// finishes the rest, and no comment is documented twice.
func TestPipelineStopReplaysUnfinished(t *testing.T) {
	st, ids := burst(t)
	ev := &slowEvidence{perCom: map[int64]int{}, documents: map[int64][]time.Time{}}
	p := pipeline.New(pipeline.Options{Store: st, Classifier: flagAll{}, Evidence: ev})
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	first, err := p.Drain(context.Background(), stop)
	if err != nil {
		t.Fatal(err)
	}
	if first >= 10 {
		t.Fatalf("first drain completed %d items, want it stopped early", first)
	}
	// The next start replays the rest; every flagged comment ends with its
	// evidence, none twice.
	second, err := p.Drain(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := first+second, 10; got != want {
		t.Errorf("items completed over both drains: got %d, want %d", got, want)
	}
	for name, id := range ids {
		want := 0
		switch {
		case name == "edited":
			want = 2
		case strings.HasPrefix(name, "c"):
			want = 1
		}
		if got := len(ev.documents[id]); got != want {
			t.Errorf("comment %s documented %d times, want %d", name, got, want)
		}
	}
}

// brokenEvidence fails to document the comments in broken (an evidence
// folder that cannot be written, a capture that keeps failing) and
// documents the others at once.
type brokenEvidence struct {
	mu         sync.Mutex
	broken     map[int64]bool
	documented map[int64]bool
}

func (e *brokenEvidence) Committed(ctx context.Context, commentID int64, since time.Time) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.documented[commentID], nil
}

func (e *brokenEvidence) Document(ctx context.Context, commentID, caseID int64, number string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.broken[commentID] {
		return fmt.Errorf("evidence of comment %d: mkdir data/evidence/ab: not a directory", commentID)
	}
	e.documented[commentID] = true
	return nil
}

// flaggedComments stores n flagged comments, oldest first, and returns
// their ids.
func flaggedComments(t *testing.T, st *sqlite.Store, n int, prefix string) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		r, err := st.RecordComment(context.Background(), moderation.CommentObservation{AccountKey: "fb", PostID: "1_1",
			PlatformID: fmt.Sprintf("%s%d", prefix, i), Author: moderation.Author{ID: "u", Name: "Besökare"},
			Message: "flagga " + prefix, Raw: json.RawMessage(`{}`), Source: moderation.SourcePoll})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.CommentID)
	}
	return ids
}

func emptyStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestQueueFlowsPastExhaustedItems is the stall found after an evidence
// outage: the 50 oldest queued items have used up their attempts (five, the
// old limit) and still fail. The 10 newer items are processed, the 50 are
// set aside for an administrator instead of blocking the head of the queue
// for good, and an administrator's retry, once the cause is fixed, brings
// them through.
func TestQueueFlowsPastExhaustedItems(t *testing.T) {
	ctx := context.Background()
	st := emptyStore(t)
	old := flaggedComments(t, st, 50, "gammal")
	fresh := flaggedComments(t, st, 10, "ny")
	items, err := st.PendingWork(ctx, time.Time{}, 0)
	if err != nil || len(items) != 60 {
		t.Fatalf("queue: %d items, %v, want 60", len(items), err)
	}
	for _, it := range items[:50] {
		for range 5 {
			if err := st.FailWork(ctx, it.ID, "mkdir data/evidence/ab: not a directory", time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ev := &brokenEvidence{broken: map[int64]bool{}, documented: map[int64]bool{}}
	for _, id := range old {
		ev.broken[id] = true
	}
	p := pipeline.New(pipeline.Options{Store: st, Classifier: flagAll{}, Evidence: ev, MaxAttempts: 6})
	n, err := p.Drain(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("drain: completed %d items, want the 10 newer ones", n)
	}
	for _, id := range fresh {
		if !ev.documented[id] {
			t.Errorf("comment %d: not documented, want it processed past the exhausted items", id)
		}
	}
	dead, err := st.DeadWork(ctx, 0)
	if err != nil || len(dead) != 50 {
		t.Fatalf("set aside: got %d, %v, want the 50 exhausted items", len(dead), err)
	}
	if left, err := st.PendingWork(ctx, time.Time{}, 0); err != nil || len(left) != 0 {
		t.Errorf("queue: %d items waiting (%v), want none", len(left), err)
	}
	stats, err := st.Stats(ctx)
	if err != nil || stats.Dead != 50 || stats.Pending != 0 {
		t.Errorf("stats: got %+v, %v, want 50 dead and none pending", stats, err)
	}

	// The folder is fixed; an administrator retries what was set aside.
	clear(ev.broken)
	for _, w := range dead {
		if err := st.RetryWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := p.Drain(ctx, nil); err != nil || n != 50 {
		t.Errorf("drain after the retry: completed %d, %v, want 50", n, err)
	}
	if dead, _ := st.DeadWork(ctx, 0); len(dead) != 0 {
		t.Errorf("set aside after the retry: %d, want none", len(dead))
	}
}

// TestFailedItemBacksOff fails one item's evidence again and again: a wake
// before its retry time does not try it again, the waits grow, and with the
// default limits the item is set aside only after its 20 attempts have
// spanned more than six hours, so a night's outage does not use them up.
func TestFailedItemBacksOff(t *testing.T) {
	ctx := context.Background()
	st := emptyStore(t)
	ids := flaggedComments(t, st, 1, "c")
	ev := &brokenEvidence{broken: map[int64]bool{ids[0]: true}, documented: map[int64]bool{}}
	clock := &testClock{now: time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)}
	p := pipeline.New(pipeline.Options{Store: st, Classifier: flagAll{}, Evidence: ev, Now: clock.Now})
	start := clock.Now()
	var waits []time.Duration
	for attempt := 1; ; attempt++ {
		if _, err := p.Drain(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if dead, _ := st.DeadWork(ctx, 0); len(dead) == 1 {
			if dead[0].Attempts != 20 || attempt != 20 {
				t.Errorf("set aside after %d drains with %d attempts, want 20", attempt, dead[0].Attempts)
			}
			break
		}
		items, err := st.PendingWork(ctx, time.Time{}, 0)
		if err != nil || len(items) != 1 || items[0].Attempts != attempt {
			t.Fatalf("after drain %d: got %+v, %v, want the item with %d attempts", attempt, items, err, attempt)
		}
		// Woken again at once: the item is not due, nothing is tried.
		if n, err := p.Drain(ctx, nil); n != 0 || err != nil {
			t.Fatalf("wake before the retry time: %d, %v", n, err)
		}
		if again, _ := st.PendingWork(ctx, time.Time{}, 0); again[0].Attempts != attempt {
			t.Fatalf("wake before the retry time: attempts went from %d to %d", attempt, again[0].Attempts)
		}
		wait := items[0].NextAttemptAt.Sub(clock.Now())
		waits = append(waits, wait)
		clock.Advance(wait)
	}
	if elapsed := clock.Now().Sub(start); elapsed < 6*time.Hour {
		t.Errorf("attempts spanned %v, want more than 6h", elapsed)
	}
	if first, last := waits[0], waits[len(waits)-1]; first < 10*time.Second || first > 12*time.Second || last < 30*time.Minute || last > 36*time.Minute {
		t.Errorf("waits %v: want from 10s (plus up to a fifth) to 30m (plus up to a fifth)", waits)
	}
}
