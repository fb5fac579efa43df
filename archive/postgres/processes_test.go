package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/moderation"
)

// TestSeveralProcessesShareOneDatabase stands for several uppsikt processes
// on one database: four stores (four pools) racing on the same case, the
// same register year and the audit log. Exactly one reviewer wins, the
// register numbers are distinct and without gaps, and the audit log is one
// chain: the write lock serializes them across processes, not only within
// one.
func TestSeveralProcessesShareOneDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Prepared(t, "migrated", migrated)
	const procs = 4
	stores := make([]*Store, procs)
	for i := range stores {
		s, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	s0 := stores[0]
	if err := s0.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	var comments []int64
	for i := range 2 * procs {
		r, err := s0.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "p", PlatformID: fmt.Sprintf("c%d", i), Message: "text"})
		if err != nil {
			t.Fatal(err)
		}
		comments = append(comments, r.CommentID)
	}
	c, _, err := s0.OpenCase(ctx, moderation.Case{CommentID: comments[0], Version: 1, AccountKey: "k"})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	decideErrs := make([]error, procs)
	regErrs := make([]error, 2*procs)
	entries := make([]moderation.RegisterEntry, 2*procs)
	auditErrs := make(chan error, procs*5)
	for p, s := range stores {
		wg.Go(func() {
			<-start
			_, decideErrs[p] = s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove,
				By: fmt.Sprintf("reviewer%d", p), Surface: "web"}, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved)
		})
		for j := range 2 {
			i := 2*p + j
			wg.Go(func() {
				<-start
				entries[i], regErrs[i] = s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: comments[i]}, nil)
			})
		}
		wg.Go(func() {
			<-start
			for i := range 5 {
				if _, err := s.AppendAudit(ctx, moderation.AuditEntry{Actor: fmt.Sprintf("p%d", p), Action: fmt.Sprintf("a%d", i)}); err != nil {
					auditErrs <- err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(auditErrs)

	wins := 0
	for p, err := range decideErrs {
		var conflict *moderation.ConflictError
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &conflict):
			t.Errorf("reviewer %d: %v, want a conflict", p, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d reviewers won, want 1 (%v)", wins, decideErrs)
	}
	seqs := map[int]bool{}
	for i, e := range entries {
		if regErrs[i] != nil {
			t.Fatalf("CreateRegisterEntry %d: %v", i, regErrs[i])
		}
		if seqs[e.Seq] {
			t.Errorf("register seq %d given twice", e.Seq)
		}
		seqs[e.Seq] = true
	}
	for seq := 1; seq <= 2*procs; seq++ {
		if !seqs[seq] {
			t.Errorf("register seq %d missing: %v", seq, seqs)
		}
	}
	for err := range auditErrs {
		t.Errorf("AppendAudit: %v", err)
	}
	log, err := s0.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for i, e := range log {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeHash() {
			t.Fatalf("audit entry %d: seq %d, prev_hash %q, want seq %d after %q", i, e.Seq, e.PrevHash, i+1, prev)
		}
		prev = e.Hash
	}
	if len(log) < procs*5 {
		t.Errorf("audit log holds %d entries, want at least the %d appended", len(log), procs*5)
	}
}
