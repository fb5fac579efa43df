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
	if left, err := st.PendingWork(context.Background(), 100); err != nil || len(left) != 0 {
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
