package snapshot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// yearlyStore is a store with three accounts: "fb" and "ig" active (one
// post each in 2025), "gammal" closed.
func yearlyStore(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "uppsikt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, a := range []moderation.Account{
		{Key: "fb", Platform: moderation.Facebook, PlatformID: "1094810000000001", Name: "Gruvbergs kommun", Status: moderation.AccountActive},
		{Key: "ig", Platform: moderation.Instagram, PlatformID: "1784100000000001", Name: "Gruvbergs bibliotek", Status: moderation.AccountActive},
		{Key: "gammal", Platform: moderation.Facebook, PlatformID: "1094810000000009", Name: "Gruvbergs fritidsgård", Status: moderation.AccountActive},
	} {
		if err := st.UpsertAccount(ctx, a); err != nil {
			t.Fatalf("UpsertAccount: %v", err)
		}
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: a.Key, PlatformID: a.Key + "_1", Message: "Välkommen till " + a.Name,
			CreatedAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), Author: moderation.Author{ID: a.PlatformID, Name: a.Name}}); err != nil {
			t.Fatalf("SavePost: %v", err)
		}
	}
	if err := st.SetAccountStatus(ctx, "gammal", moderation.AccountClosed, "nedlagt"); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	return st, filepath.Join(dir, "snapshots")
}

// clock is an injected clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// yearlies lists the yearly snapshot records in the store, "<account> <year>".
func yearlies(t *testing.T, st *sqlite.Store, loc *time.Location) []string {
	t.Helper()
	var out []string
	for _, key := range []string{"fb", "ig", "gammal"} {
		recs, err := st.Snapshots(context.Background(), key)
		if err != nil {
			t.Fatalf("Snapshots: %v", err)
		}
		for _, r := range recs {
			if r.Kind == moderation.SnapshotYearly {
				out = append(out, key+" "+r.From.In(loc).Format("2006"))
			}
		}
	}
	sort.Strings(out)
	return out
}

func pdfs(t *testing.T, folder string) []string {
	t.Helper()
	es, err := os.ReadDir(folder)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func snapshotAudits(t *testing.T, st *sqlite.Store) []string {
	t.Helper()
	es, err := st.AuditLog(context.Background(), 0, 1000)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	var out []string
	for _, e := range es {
		if e.Action != "snapshot" {
			continue
		}
		var d struct {
			Kind, Path string
		}
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatalf("audit detail %s: %v", e.Detail, err)
		}
		out = append(out, e.Subject+" "+d.Kind+" "+filepath.Base(d.Path))
	}
	sort.Strings(out)
	return out
}

func TestYearlyOncePerAccountAndYear(t *testing.T) {
	testenv.NeedTools(t, "gs")
	ctx := context.Background()
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	st, folder := yearlyStore(t)
	clk := &clock{}
	newYearly := func() *Yearly {
		return NewYearly(YearlyOptions{Store: st, Schedule: Schedule{Month: time.January, Day: 15, Location: sto},
			Folder: folder, Now: clk.Now})
	}
	y := newYearly()
	check := func(y *Yearly, at time.Time, wantWritten int) {
		t.Helper()
		clk.set(at)
		n, err := y.Check(ctx)
		if err != nil {
			t.Fatalf("Check at %v: %v", at, err)
		}
		if n != wantWritten {
			t.Errorf("Check at %v: got %d written, want %d", at, n, wantWritten)
		}
	}
	eq := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}

	// Before the due day (14 January, 23:59 in Stockholm): nothing.
	check(y, time.Date(2026, 1, 14, 22, 59, 0, 0, time.UTC), 0)
	eq("records before the day", yearlies(t, st, sto), nil)
	eq("files before the day", pdfs(t, folder), nil)

	// On the due day: one snapshot of 2025 for each active account, none
	// for the closed one.
	check(y, time.Date(2026, 1, 14, 23, 0, 0, 0, time.UTC), 2)
	want := []string{"fb 2025", "ig 2025"}
	eq("records on the day", yearlies(t, st, sto), want)
	eq("files on the day", pdfs(t, folder), []string{"fb-2025.pdf", "ig-2025.pdf"})
	eq("audit on the day", snapshotAudits(t, st), []string{"fb yearly fb-2025.pdf", "ig yearly ig-2025.pdf"})
	b, err := os.ReadFile(filepath.Join(folder, "fb-2025.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("fb-2025.pdf: got %q at the start, want a PDF", b[:min(8, len(b))])
	}

	// A later wake the same day, and a restart (a new Yearly over the same
	// store) later in the year: nothing twice.
	check(y, time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), 0)
	check(newYearly(), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 0)
	eq("records after a restart", yearlies(t, st, sto), want)
	eq("audit after a restart", snapshotAudits(t, st), []string{"fb yearly fb-2025.pdf", "ig yearly ig-2025.pdf"})

	// The next year's day brings 2026, again once.
	check(newYearly(), time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC), 2)
	check(newYearly(), time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC), 0)
	eq("records of two years", yearlies(t, st, sto), []string{"fb 2025", "fb 2026", "ig 2025", "ig 2026"})
	eq("files of two years", pdfs(t, folder), []string{"fb-2025.pdf", "fb-2026.pdf", "ig-2025.pdf", "ig-2026.pdf"})
}

// TestYearlyRunRetriesAndStops runs the scheduler as the service does: a
// failing snapshot is logged and tried again at the next wake, and Run
// returns when its context ends.
func TestYearlyRunRetriesAndStops(t *testing.T) {
	testenv.NeedTools(t, "gs")
	st, folder := yearlyStore(t)
	clk := &clock{now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	w := New(Options{Store: st, Now: clk.Now})
	var mu sync.Mutex
	attempts := map[string]int{}
	y := NewYearly(YearlyOptions{Store: st, Folder: folder, Now: clk.Now, Every: 20 * time.Millisecond,
		Write: func(ctx context.Context, a moderation.Account, req Request) (Result, error) {
			mu.Lock()
			attempts[a.Key]++
			n := attempts[a.Key]
			mu.Unlock()
			if a.Key == "fb" && n == 1 {
				return Result{}, os.ErrDeadlineExceeded // the first attempt fails
			}
			req.ContentOnly = true
			return w.Write(ctx, req)
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { y.Run(ctx); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for len(yearlies(t, st, time.UTC)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if got, want := strings.Join(yearlies(t, st, time.UTC), ", "), "fb 2025, ig 2025"; got != want {
		t.Errorf("records: got %q, want %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := attempts["fb"], 2; got != want {
		t.Errorf("attempts for fb: got %d, want %d (one failure, one retry)", got, want)
	}
	if got, want := attempts["ig"], 1; got != want {
		t.Errorf("attempts for ig: got %d, want %d", got, want)
	}
	if got := attempts["gammal"]; got != 0 {
		t.Errorf("attempts for the closed account: got %d, want 0", got)
	}
}

// TestYearlyAbandonedOnShutdown stops the service while a snapshot is being
// converted to PDF/A: nothing is recorded, no file is left behind, and the
// snapshot is taken at the next start.
func TestYearlyAbandonedOnShutdown(t *testing.T) {
	testenv.NeedTools(t, "gs")
	st, folder := yearlyStore(t)
	clk := &clock{now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := New(Options{Store: st, Now: clk.Now, Progress: func(p Progress) {
		if p.Phase == "pdf/a" {
			cancel() // shutdown begins as the conversion starts
		}
	}})
	y := NewYearly(YearlyOptions{Store: st, Folder: folder, Now: clk.Now,
		Write: func(ctx context.Context, _ moderation.Account, req Request) (Result, error) {
			req.ContentOnly = true
			return w.Write(ctx, req)
		}})
	if n, err := y.Check(ctx); err == nil || n != 0 {
		t.Errorf("Check stopped by shutdown: got %d, %v; want 0 and an error", n, err)
	}
	if ctx.Err() == nil {
		t.Fatal("the snapshot never reached the PDF/A conversion")
	}
	if got := yearlies(t, st, time.UTC); len(got) != 0 {
		t.Errorf("records after shutdown: got %q, want none", got)
	}
	if got := pdfs(t, folder); len(got) != 0 {
		t.Errorf("files after shutdown: got %q, want none", got)
	}
	if got := snapshotAudits(t, st); len(got) != 0 {
		t.Errorf("audit after shutdown: got %q, want none", got)
	}
	restarted := NewYearly(YearlyOptions{Store: st, Folder: folder, Now: clk.Now})
	if n, err := restarted.Check(context.Background()); err != nil || n != 2 {
		t.Errorf("Check at the next start: got %d, %v; want 2, nil", n, err)
	}
}
