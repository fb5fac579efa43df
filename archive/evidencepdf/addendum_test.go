package evidencepdf

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// addendumClock is the follower's clock, moved on by the test.
type addendumClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *addendumClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *addendumClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

// decide records decisions on the case, the last one moving it to state
// to, and its register entry.
func decideCase(t *testing.T, f *fixture, c moderation.Case, to moderation.CaseState, number string, ds ...moderation.Decision) moderation.RegisterEntry {
	t.Helper()
	ctx := context.Background()
	for i, d := range ds {
		d.CaseID = c.ID
		from, state := []moderation.CaseState{moderation.CaseOpen}, moderation.CaseEscalated
		if i > 0 {
			from = []moderation.CaseState{moderation.CaseEscalated}
		}
		if i == len(ds)-1 {
			state = to
		}
		if _, err := f.st.RecordDecision(ctx, d, from, state); err != nil {
			t.Fatalf("RecordDecision: %v", err)
		}
	}
	e, err := f.st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: c.CommentID, CaseID: c.ID, Reason: "r", CreatedAt: ds[0].At},
		func(int, int) string { return number })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestAddendaChainTheRecords decides two cases on one comment: each gets
// one decision addendum, in the municipality's language, naming the
// register number, the decision in words, who made it and when in the
// municipality's time zone, and the SHA-256 of the evidence PDF it
// completes; the second names the first.
func TestAddendaChainTheRecords(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	for _, tt := range []struct {
		lang                                                    string
		register, registered, removed, earlier, tzone, reopened string
		keptAfter                                               string
	}{
		{"sv", "Diarienummer", "Endast diarieföring", "Borttagning godkänd", "Första godkännandet", "Europe/Stockholm",
			"Återöppnat", "Kommentaren behålls"},
		{"da", "Journalnummer", "Kun journalisering", "Sletning godkendt", "Første godkendelse", "Europe/Copenhagen",
			"Genåbnet", "Kommentaren bevares"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, "https://www.facebook.com/100_1?comment_id=100_1_2")
			loc, err := time.LoadLocation(tt.tzone)
			if err != nil {
				t.Fatal(err)
			}
			clock := &addendumClock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			m := New(Options{Store: f.st, Dir: f.dir, Municipality: "Gruvbergs kommun", Location: loc, Language: tt.lang, Now: clock.Now,
				PDF: pdf.Options{Ghostscript: filepath.Join(t.TempDir(), "no-gs")}})
			made := 0
			follow := NewAddenda(m, AddendaOptions{Store: f.st, Now: clock.Now, Made: func() { made++ }})

			// A case decided before its comment has an evidence PDF waits.
			c1, _, err := f.st.OpenCase(ctx, moderation.Case{CommentID: f.commentID, Version: 2, AccountKey: "fb", State: moderation.CaseOpen,
				Categories: []string{moderation.CatPersonalID}, OpenedAt: clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			decideCase(t, f, c1, moderation.CaseRegistered, "KS 2026/0041",
				moderation.Decision{Kind: moderation.DecideRegister, By: "cecilia", Surface: "web", Reason: "allmän handling", At: clock.Now()})
			if n, err := follow.Follow(ctx); n != 0 || !errors.Is(err, ErrNoEvidencePDF) {
				t.Fatalf("without an evidence PDF: made %d, %v; want 0 and ErrNoEvidencePDF", n, err)
			}
			// The evidence PDF (plain: no Ghostscript for it here).
			ev, err := m.Make(ctx, Request{CommentID: f.commentID, CaseID: c1.ID})
			if err != nil {
				t.Fatal(err)
			}
			// The failed case waits its backoff, then is made once.
			if n, err := follow.Follow(ctx); n != 0 || err != nil {
				t.Fatalf("within the backoff: made %d, %v; want 0, nil", n, err)
			}
			clock.Advance(time.Minute)
			m.opts.PDF = pdf.Options{} // Ghostscript for the addendum
			if n, err := follow.Follow(ctx); n != 1 || err != nil || made != 1 {
				t.Fatalf("after the backoff: made %d (%d rounds told), %v; want 1, nil", n, made, err)
			}
			if n, err := follow.Follow(ctx); n != 0 || err != nil {
				t.Fatalf("again: made %d, %v; want nothing more", n, err)
			}

			// A second case on the comment, removed by two reviewers.
			clock.Advance(time.Hour)
			c2, _, err := f.st.OpenCase(ctx, moderation.Case{CommentID: f.commentID, Version: 2, AccountKey: "fb", State: moderation.CaseOpen,
				Categories: []string{moderation.CatPersonalID, moderation.CatHarassment}, OpenedAt: clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			decideCase(t, f, c2, moderation.CaseApproved, "KS 2026/0042",
				moderation.Decision{Kind: moderation.DecideRemove, By: "anna", Surface: "slack", At: clock.Now()},
				moderation.Decision{Kind: moderation.DecideRemove, By: "bo", Surface: "web", Reason: "personnummer i klartext", At: clock.Now().Add(time.Minute)})
			if n, err := follow.Follow(ctx); n != 1 || err != nil {
				t.Fatalf("second case: made %d, %v; want 1, nil", n, err)
			}
			// The platform refuses the removal: the case is reopened, and
			// kept. The new decision gets an addendum of its own.
			clock.Advance(time.Hour)
			if _, err := f.st.RecordDecision(ctx, moderation.Decision{CaseID: c2.ID, Kind: "reopen", By: "uppsikt", Surface: "platform",
				Reason: "Graph #100", At: clock.Now()}, []moderation.CaseState{moderation.CaseApproved}, moderation.CaseOpen); err != nil {
				t.Fatal(err)
			}
			if _, err := f.st.RecordDecision(ctx, moderation.Decision{CaseID: c2.ID, Kind: moderation.DecideKeep, By: "cecilia", Surface: "web",
				At: clock.Now().Add(time.Minute)}, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseKept); err != nil {
				t.Fatal(err)
			}
			if n, err := follow.Follow(ctx); n != 1 || err != nil {
				t.Fatalf("reopened and kept: made %d, %v; want 1, nil", n, err)
			}

			files, err := f.st.Evidence(ctx, f.commentID)
			if err != nil {
				t.Fatal(err)
			}
			var addenda []moderation.EvidenceFile
			for _, fl := range files {
				if fl.Kind == KindDecision {
					addenda = append(addenda, fl)
				}
			}
			if len(addenda) != 3 || addenda[0].CaseID != c1.ID || addenda[1].CaseID != c2.ID || addenda[2].CaseID != c2.ID {
				t.Fatalf("addenda: got %+v, want one for case %d and two for case %d", addenda, c1.ID, c2.ID)
			}
			for i, a := range addenda {
				if err := f.dir.Verify(ctx, fileOf(a)); err != nil {
					t.Errorf("addendum %d: %v", i+1, err)
				}
			}
			first := pdfText(t, filepath.Join(f.dir.Root(), addenda[0].Path))
			second := pdfText(t, filepath.Join(f.dir.Root(), addenda[1].Path))
			third := pdfText(t, filepath.Join(f.dir.Root(), addenda[2].Path))
			wants := []struct {
				name, text string
				want       []string
			}{
				{"first", first, []string{tt.register, "KS 2026/0041", tt.registered, "cecilia", "allmän handling", ev.PDF.SHA256, "Gruvbergs kommun",
					"100_1_2", "2026-11-23 10:00:00 UTC", tt.tzone}},
				{"second", second, []string{"KS 2026/0042", tt.removed, "bo", "personnummer i klartext", ev.PDF.SHA256, addenda[0].SHA256,
					tt.earlier, "anna", "Slack"}},
				{"third", third, []string{"KS 2026/0042", tt.keptAfter, "cecilia", tt.reopened, "Graph #100", tt.removed, "bo",
					addenda[1].SHA256, ev.PDF.SHA256}},
			}
			for _, w := range wants {
				for _, s := range w.want {
					if !strings.Contains(w.text, s) {
						t.Errorf("%s addendum lacks %q:\n%s", w.name, s, w.text)
					}
				}
			}
			if strings.Contains(second, "remove") || strings.Contains(first, "register:") || strings.Contains(third, "reopen") {
				t.Errorf("an addendum shows a decision code instead of words:\n%s\n%s\n%s", first, second, third)
			}
			// The second reviewer's approval, which the platform refused,
			// is an approval, not the first of two.
			if !strings.Contains(third, tt.removed+" – bo") {
				t.Errorf("the approval before the reopening is not named as such:\n%s", third)
			}
			log, err := f.st.AuditLog(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range log {
				if e.Action == AuditAddendum {
					n++
				}
			}
			if n != 3 {
				t.Errorf("audit entries %s: got %d, want 3", AuditAddendum, n)
			}
		})
	}
}

func fileOf(f moderation.EvidenceFile) evidence.File {
	return evidence.File{SHA256: f.SHA256, Path: f.Path, Size: f.Size}
}
