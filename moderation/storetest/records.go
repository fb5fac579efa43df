package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// RecordsBackend is a store with what the web page, the data protection
// officer's commands and the account tokens use beside moderation.Store:
// the thread around a comment, search, the commenter's records and their
// erasure, and sealed tokens.
type RecordsBackend interface {
	moderation.Store
	moderation.ArchiveStore
	moderation.ThreadStore
	moderation.TokenStore
	moderation.PersonStore
	// SearchComments finds comments any of whose versions holds every word
	// of query (whole words, case-insensitive, å ä ö æ ø not folded; the
	// query is plain words, never syntax), best match first, with their
	// latest text. A limit of 0 or less means 50.
	SearchComments(ctx context.Context, query string, limit int) ([]moderation.CommentView, error)
}

// RunRecords runs the contract of the thread, search, person and token
// methods. open must return a new, empty store each time; RunRecords closes
// it. These were archive/sqlite's own tests; they are here so that every
// store keeps them.
func RunRecords(t *testing.T, open func(t *testing.T) RecordsBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s RecordsBackend)
	}{
		{"thread/windows around a comment in thread order", testThreadAround},
		{"search/whole words, every word, any version, no syntax", testSearchComments},
		{"search/a disposed text is no longer found", testSearchAfterDisposal},
		{"tokens/set, replace, clear", testAccountTokens},
		{"person/records, erasure keeps public records, audited", testPersonErase},
		{"audit/concurrent appenders make one chain without gaps", testAuditConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// testThreadAround stores a post whose thread is, in thread order,
//
//	a, a1, a2, b, b1, b1x, c, d, e
//
// (a1 and a2 reply to a; b1 to b; b1x to b1; the rows are recorded out of
// order) and reads windows around several comments.
func testThreadAround(t *testing.T, s RecordsBackend) {
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for _, c := range []struct {
		id, parent string
		minute     int
	}{
		{"e", "", 9}, {"a1", "a", 2}, {"a", "", 1}, {"b1x", "b1", 6}, {"b", "", 4}, {"b1", "b", 5},
		{"a2", "a", 7}, // a late reply still sits under its parent
		{"c", "", 7}, {"d", "", 8},
		{"other", "", 3}, // another post's comment is never part of the thread
	} {
		post := "1_1"
		if c.id == "other" {
			post = "1_2"
		}
		r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: post, PlatformID: c.id, ParentID: c.parent,
			Author: moderation.Author{ID: "u", Name: "N"}, Message: "text " + c.id, CreatedAt: base.Add(time.Duration(c.minute) * time.Minute),
			Source: moderation.SourcePoll, SeenAt: base})
		if err != nil {
			t.Fatal(err)
		}
		ids[c.id] = r.CommentID
	}
	// A second version: the window shows the latest text.
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "1_1", PlatformID: "c",
		Author: moderation.Author{ID: "u", Name: "N"}, Message: "text c, edited", CreatedAt: base.Add(7 * time.Minute),
		Source: moderation.SourcePoll, SeenAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		target        string
		k             int
		want          string // platform ids shown, in order; the target in brackets
		before, after int
	}{
		{"middle", "b1", 1, "b [b1] b1x", 3, 3},
		{"start", "a", 2, "[a] a1 a2", 0, 6},
		{"end", "e", 2, "c d [e]", 6, 0},
		{"reply to a reply, its parent shown", "b1x", 0, "b1 [b1x]", 4, 3},
		{"parent inside the window", "b1x", 2, "b b1 [b1x] c d", 3, 1},
		{"the whole thread", "c", 20, "a a1 a2 b b1 b1x [c] d e", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := s.ThreadAround(ctx, ids[tt.target], tt.k)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range w.Comments {
				if c.Target {
					got = append(got, "["+c.PlatformID+"]")
				} else {
					got = append(got, c.PlatformID)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("window = %q, want %q", g, tt.want)
			}
			if w.Before != tt.before || w.After != tt.after || w.Total != 9 {
				t.Errorf("before %d, after %d, total %d; want %d, %d, 9", w.Before, w.After, w.Total, tt.before, tt.after)
			}
			if len(w.Comments)+w.Before+w.After != w.Total {
				t.Errorf("%d shown + %d + %d left out != %d", len(w.Comments), w.Before, w.After, w.Total)
			}
		})
	}

	w, err := s.ThreadAround(ctx, ids["c"], 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Comments) != 1 || w.Comments[0].Message != "text c, edited" || w.Comments[0].Depth != 0 {
		t.Errorf("window around c = %+v, want its latest text at depth 0", w.Comments)
	}
	w, _ = s.ThreadAround(ctx, ids["b1x"], 0)
	if got := w.Comments[len(w.Comments)-1].Depth; got != 2 {
		t.Errorf("depth of b1x = %d, want 2", got)
	}
	if _, err := s.ThreadAround(ctx, 9999, 3); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("unknown comment: err = %v, want ErrNotFound", err)
	}
}

// searchRig stores four comments (c2 edited) and returns the platform id
// of each stored comment id.
func searchRig(t *testing.T, s RecordsBackend) map[int64]string {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001"}); err != nil {
		t.Fatal(err)
	}
	texts := map[string][]string{
		"c1": {"När öppnar badhuset?"},
		"c2": {"Bra jobbat med snöröjningen", "Bra jobbat med snöröjningen och badhuset"}, // edited
		"c3": {"Vi ses på torget"},
		"c4": {"Han är en idiot"},
	}
	ids := map[int64]string{}
	for _, pid := range []string{"c1", "c2", "c3", "c4"} {
		for i, text := range texts[pid] {
			r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "p", PlatformID: pid,
				Message: text, SeenAt: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			ids[r.CommentID] = pid
		}
	}
	return ids
}

func testSearchComments(t *testing.T, s RecordsBackend) {
	ctx := context.Background()
	ids := searchRig(t, s)
	for _, tc := range []struct {
		name  string
		query string
		want  []string
	}{
		{"one word in two comments", "badhuset", []string{"c1", "c2"}},
		{"case-insensitive", "IDIOT", []string{"c4"}},
		{"every word must match", "bra badhuset", []string{"c2"}},
		{"an older version matches too", "snöröjningen", []string{"c2"}},
		{"å ä ö are not folded", "snorojningen", nil},
		{"syntax characters are text", `torget" OR "x`, nil},
		{"operators are words", "badhuset OR torget", nil},
		{"a common word is a word too", "med", []string{"c2"}},
		{"with a common word", "jobbat med badhuset", []string{"c2"}},
		{"not UTF-8 is no error", "\xff\xfe badhuset", []string{"c1", "c2"}},
		{"empty query", "  ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			views, err := s.SearchComments(ctx, tc.query, 10)
			if err != nil {
				t.Fatalf("SearchComments(%q): %v", tc.query, err)
			}
			got := map[string]bool{}
			for _, v := range views {
				got[ids[v.ID]] = true
				if v.ID == 0 || v.Message == "" {
					t.Errorf("view %+v: want an id and the latest text", v)
				}
			}
			if len(got) != len(tc.want) || len(views) != len(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("got %v, want %s among them", got, w)
				}
			}
		})
	}
	t.Run("best match first", func(t *testing.T) {
		// The same word in a short text and in a long one: the short one
		// first (SQLite's bm25 and PostgreSQL's ts_rank_cd by length).
		views, err := s.SearchComments(ctx, "badhuset", 0)
		if err != nil || len(views) != 2 || ids[views[0].ID] != "c1" || ids[views[1].ID] != "c2" {
			var got []string
			for _, v := range views {
				got = append(got, ids[v.ID])
			}
			t.Errorf("got %v, %v; want [c1 c2]", got, err)
		}
	})
	t.Run("limit", func(t *testing.T) {
		views, err := s.SearchComments(ctx, "badhuset", 1)
		if err != nil || len(views) != 1 {
			t.Errorf("limit 1: got %d views, %v", len(views), err)
		}
	})
	t.Run("latest text", func(t *testing.T) {
		views, err := s.SearchComments(ctx, "snöröjningen", 0)
		if err != nil || len(views) != 1 || views[0].Message != "Bra jobbat med snöröjningen och badhuset" {
			t.Errorf("got %+v, %v; want c2 with its latest text", views, err)
		}
	})
}

func testSearchAfterDisposal(t *testing.T, s RecordsBackend) {
	ctx := context.Background()
	searchRig(t, s)
	// Every version is processed, so that retention may dispose of it.
	work, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if err := s.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "test",
		Cutoff: time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)})
	if err != nil || d.Items != 4 {
		t.Fatalf("DisposeCommentText: %+v, %v; want the 4 first versions", d, err)
	}
	// c2's second version (seen at 00:01) stays; the others are gone.
	for q, want := range map[string]int{"torget": 0, "idiot": 0, "badhuset": 1, "jobbat": 1} {
		views, err := s.SearchComments(ctx, q, 10)
		if err != nil || len(views) != want {
			t.Errorf("SearchComments(%q) after disposal: %d views, %v; want %d", q, len(views), err, want)
		}
	}
}

func testAccountTokens(t *testing.T, st RecordsBackend) {
	ctx := context.Background()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Sidan"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AccountToken(ctx, "fb"); !errors.Is(err, moderation.ErrNotFound) {
		t.Fatalf("no token stored: got %v, want ErrNotFound", err)
	}
	if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "nope", Sealed: []byte{1}, KeyID: "k"}); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("token of an unknown account: got %v, want ErrNotFound", err)
	}
	if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "fb", KeyID: "k"}); err == nil {
		t.Error("a token without sealed bytes was stored")
	}
	for i, sealed := range [][]byte{{1, 2, 3}, {4, 5}} {
		if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "fb", Sealed: sealed, KeyID: "a0b1c2d3", Fingerprint: "fp", SetBy: "anna"}); err != nil {
			t.Fatal(err)
		}
		got, err := st.AccountToken(ctx, "fb")
		if err != nil || !bytes.Equal(got.Sealed, sealed) || got.KeyID != "a0b1c2d3" || got.SetBy != "anna" || got.SetAt.IsZero() {
			t.Errorf("round %d: got %+v, %v", i, got, err)
		}
	}
	if ok, err := st.ClearAccountToken(ctx, "fb"); !ok || err != nil {
		t.Errorf("clear: got %v, %v", ok, err)
	}
	if ok, err := st.ClearAccountToken(ctx, "fb"); ok || err != nil {
		t.Errorf("clear again: got %v, %v; want false", ok, err)
	}
	if _, err := st.AccountToken(ctx, "fb"); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("after clear: got %v, want ErrNotFound", err)
	}
}

// testPersonErase stores, on a webpage account, the comments of the person
// "u1" (one plain comment with two versions; one flagged, with a review
// case, a decision, evidence, a register entry and a reply to the person)
// and a reply by someone else that quotes the person, and two webhook
// deliveries naming the person, one processed and one not; then reads the
// person's records and erases them. (cmd/uppsikt's TestPersonExportAndErase
// runs the same through the commands.)
func testPersonErase(t *testing.T, st RecordsBackend) {
	ctx := context.Background()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "web", Platform: moderation.Webpage, PlatformID: "https://kommun.example/nyheter", Name: "Nyheter", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	record := func(id, author, name, parent, text string, seen time.Time) moderation.IngestResult {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "web", PostID: "p1", PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: author, Name: name}, Message: text, CreatedAt: at,
			Raw:    json.RawMessage(fmt.Sprintf(`{"id":%q,"from":{"id":%q,"name":%q},"message":%q}`, id, author, name, text)),
			Source: moderation.SourcePoll, SeenAt: seen})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	p := record("c1", "u1", "Åsa Öberg", "", "Bra att snöröjningen börjar tidigt", at)
	record("c1", "u1", "Åsa Öberg", "", "Bra att snöröjningen börjar tidigt i år", at.Add(time.Hour))
	f := record("c2", "u1", "Åsa Öberg", "", "Mitt personnummer är 811218-9876", at.Add(2*time.Hour))
	record("c3", "u2", "Bo Ek", "c1", "Håller med Åsa Öberg om snöröjningen", at.Add(3*time.Hour))
	for _, v := range []moderation.IngestResult{p, f} {
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: v.CommentID, Version: v.Version, At: at, Verdict: moderation.Verdict{}}); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := st.OpenCase(ctx, moderation.Case{CommentID: f.CommentID, Version: f.Version, AccountKey: "web", State: moderation.CaseOpen,
		Categories: []string{moderation.CatPersonalID}, OpenedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "web", At: at},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: f.CommentID, Kind: "pdf", SHA256: strings.Repeat("ab", 32),
		Path: "ab/abab.pdf", Size: 10, CreatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: f.CommentID, CaseID: c.ID, CreatedAt: at},
		func(year, seq int) string { return fmt.Sprintf("KS %d/%04d", year, seq) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: f.CommentID, CaseID: c.ID, Kind: moderation.ActReply,
		Payload: "Vi har tagit bort din kommentar eftersom den innehöll ett personnummer.", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	work, err := st.PendingWork(ctx, at.Add(24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if err := st.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i, done := range []bool{true, false} {
		id, err := st.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", ReceivedAt: at,
			Body: []byte(fmt.Sprintf(`{"object":"page","entry":[{"changes":[{"value":{"comment_id":"c%d","from":{"id":"u1","name":"Åsa Öberg"},"message":"hej"}}]}]}`, 10+i))})
		if err != nil {
			t.Fatal(err)
		}
		if done {
			if err := st.FinishWebhookEvent(ctx, id, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A delivery that names u1 only as the object of a reply, and one that
	// is not JSON, name nobody.
	for _, body := range []string{`{"entry":[{"changes":[{"value":{"parent":{"id":"u1"},"from":{"id":"u9"}}}]}]}`, `u1 not json`} {
		if _, err := st.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", ReceivedAt: at, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}

	recs, err := st.PersonRecords(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Comments) != 2 || recs.Comments[0].PlatformID != "c1" || recs.Comments[1].PlatformID != "c2" {
		t.Fatalf("comments = %+v, want c1 and c2 (not c3, someone else's)", recs.Comments)
	}
	c1, c2 := recs.Comments[0], recs.Comments[1]
	if len(c1.Versions) != 2 || c1.Versions[1].Message != "Bra att snöröjningen börjar tidigt i år" || len(c1.Versions[0].Raw) == 0 || len(c1.Keep) != 0 {
		t.Errorf("c1 = %+v, want both versions with the platform's answer, erasable", c1)
	}
	if len(c2.Cases) != 1 || len(c2.Decisions) != 1 || len(c2.Evidence) != 1 || len(c2.Register) != 1 ||
		len(c2.Actions) != 1 || len(c2.Keep) != 3 {
		t.Errorf("c2 = %+v, want its case, decision, evidence, register entry, the reply, and three reasons to keep it", c2)
	}
	if recs.WebhookDeliveries != 2 {
		t.Errorf("webhook deliveries naming u1 = %d, want 2", recs.WebhookDeliveries)
	}

	dry, err := st.ErasePerson(ctx, moderation.ErasureRequest{AuthorID: "u1", By: "dso", At: at.Add(48 * time.Hour), DryRun: true})
	if err != nil || dry.Comments != 1 || dry.Versions != 2 || dry.AuditSeq != 0 {
		t.Errorf("dry run = %+v, %v; want 1 comment, 2 versions, no audit entry", dry, err)
	}
	if vs, _ := st.CommentVersions(ctx, p.CommentID); len(vs) != 2 || vs[0].Message == "" {
		t.Errorf("after the dry run c1 = %+v, want unchanged", vs)
	}
	e, err := st.ErasePerson(ctx, moderation.ErasureRequest{AuthorID: "u1", By: "dso", At: at.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Comments != 1 || e.Versions != 2 || e.Deliveries != 1 || e.Pending != 1 || len(e.Kept) != 1 || e.AuditSeq == 0 {
		t.Errorf("erasure = %+v, want 1 comment, 2 versions, 1 delivery deleted, 1 pending, c2 kept, audited", e)
	}
	vs, err := st.CommentVersions(ctx, p.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Message != "" || len(v.Raw) != 0 {
			t.Errorf("c1 version %d still holds %q %s", v.Version, v.Message, v.Raw)
		}
	}
	if cm, _ := st.Comment(ctx, p.CommentID); cm.Author.ID != "" || cm.Author.Name != "" {
		t.Errorf("c1 author = %+v, want erased", cm.Author)
	}
	if hits, err := st.SearchComments(ctx, "snöröjningen", 10); err != nil || len(hits) != 1 {
		t.Errorf("search for the erased text: %d hits (%v), want only the other person's reply", len(hits), err)
	}
	if vs, _ := st.CommentVersions(ctx, f.CommentID); len(vs) != 1 || vs[0].Message != "Mitt personnummer är 811218-9876" {
		t.Errorf("the kept comment's text = %+v, want it unchanged", vs)
	}
	log, err := st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var erased *moderation.AuditEntry
	for i := range log {
		if log[i].Action == moderation.AuditPersonErased {
			erased = &log[i]
		}
		if strings.Contains(string(log[i].Detail), "Åsa") || strings.Contains(log[i].Subject, "u1") {
			t.Errorf("audit entry %d names the person: %s %s", log[i].Seq, log[i].Subject, log[i].Detail)
		}
	}
	if erased == nil || erased.Actor != "dso" || erased.Seq != e.AuditSeq {
		t.Errorf("audit entry of the erasure = %+v, want one by dso at seq %d", erased, e.AuditSeq)
	}
	ds, err := st.Disposals(ctx, "web")
	if err != nil || len(ds) != 1 || ds[0].Kind != moderation.DisposalErasure || ds[0].Items != 2 {
		t.Errorf("disposal log = %+v (%v), want one erasure of 2 versions", ds, err)
	}
	recs, err = st.PersonRecords(ctx, "u1")
	if err != nil || len(recs.Comments) != 1 || recs.Comments[0].PlatformID != "c2" || recs.WebhookDeliveries != 1 {
		t.Errorf("after the erasure: %+v, %v; want c2 only and the unprocessed delivery", recs, err)
	}
}

// testAuditConcurrent appends from several goroutines at once: the entries
// get the sequence numbers 1…n without gaps or repeats, and each names the
// previous one's hash.
func testAuditConcurrent(t *testing.T, s RecordsBackend) {
	ctx := context.Background()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.AppendAudit(ctx, moderation.AuditEntry{Actor: fmt.Sprintf("w%d", w), Action: fmt.Sprintf("a%d", i)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("AppendAudit: %v", err)
	}
	log, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != writers*each {
		t.Fatalf("audit log holds %d entries, want %d", len(log), writers*each)
	}
	prev := ""
	for i, e := range log {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeHash() {
			t.Fatalf("entry %d: seq %d, prev %q (want %q), hash ok %v", i, e.Seq, e.PrevHash, prev, e.Hash == e.ComputeHash())
		}
		prev = e.Hash
	}
}
