package register

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

var testAddendum = []byte("%PDF-1.7\n% test decision addendum\n%%EOF\n")

// TestAddendumDeliveredAfterItsEntry: a decision addendum reaches every
// outlet once, after the entry's evidence PDF has reached that outlet,
// under the same register number but its own names and idempotency key,
// with a sidecar naming the decision and the evidence PDF it completes.
func TestAddendumDeliveredAfterItsEntry(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "ev"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Gruvbergs kommun", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_1", Message: "x",
		Author: moderation.Author{ID: "9", Name: "Åsa"}, CreatedAt: now, Source: moderation.SourcePoll, SeenAt: now})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := st.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, AccountKey: "fb", State: moderation.CaseOpen,
		Categories: []string{moderation.CatHate}, OpenedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	evPDF, err := dir.Put(ctx, testPDF, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: moderation.EvidencePDF, SHA256: evPDF.SHA256,
		Path: evPDF.Path, Size: evPDF.Size, Version: 1}); err != nil {
		t.Fatal(err)
	}
	dec, err := st.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "web",
		Reason: "hets mot folkgrupp", At: now}, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, CaseID: c.ID, Reason: "remove: hate", CreatedAt: now},
		func(y, s int) string { return "KS 2026/0042" })
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		posts []map[string]any
		keys  []string
	)
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		posts = append(posts, body)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		w.WriteHeader(http.StatusCreated)
	}))
	defer hook.Close()
	smtpSrv := startSMTP(t, "", "")
	drop := filepath.Join(t.TempDir(), "drop")
	webhookDown := true
	d := New(Options{Store: st, Evidence: dir, Outlets: []Outlet{
		Folder{Dir: drop},
		SMTP{Host: "127.0.0.1", Port: smtpSrv.port(), From: "a@b.se", To: "c@d.se", TLS: &tls.Config{RootCAs: smtpSrv.roots, ServerName: "127.0.0.1"}},
		Webhook{URL: hook.URL, Client: &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if webhookDown {
				return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: http.NoBody, Request: req}, nil
			}
			return hook.Client().Transport.RoundTrip(req)
		})}},
	}})

	// The entry goes out with its evidence PDF; no addendum yet.
	if n, err := d.DeliverPending(ctx); n != 2 || err == nil {
		t.Fatalf("round 1: delivered %d, %v; want 2 and the webhook's failure", n, err)
	}
	add, err := dir.Put(ctx, testAddendum, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	file, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, CaseID: c.ID, DecisionID: dec.ID, Kind: moderation.EvidenceDecision,
		SHA256: add.SHA256, Path: add.Path, Size: add.Size, Version: 1, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	// The folder and the mail get the addendum; the webhook, which has not
	// acknowledged the entry, gets nothing yet.
	if n, err := d.DeliverPending(ctx); n != 2 || err == nil {
		t.Fatalf("round 2: delivered %d, %v; want the addendum twice and the webhook's failure", n, err)
	}
	if len(posts) != 0 {
		t.Fatalf("the webhook was sent %d deliveries while it was down", len(posts))
	}
	webhookDown = false
	if n, err := d.DeliverPending(ctx); n != 2 || err != nil {
		t.Fatalf("round 3: delivered %d, %v; want the entry and then the addendum to the webhook", n, err)
	}
	if n, err := d.DeliverPending(ctx); n != 0 || err != nil {
		t.Fatalf("round 4: delivered %d, %v; want nothing left", n, err)
	}

	base := FileName(entry.Number)
	decBase := fmt.Sprintf("%s-decision-%d", base, dec.ID)
	for name, want := range map[string][]byte{base + ".pdf": testPDF, decBase + ".pdf": testAddendum} {
		got, err := os.ReadFile(filepath.Join(drop, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("drop folder %s: got %q, %v; want %q", name, got, err, want)
		}
	}
	b, err := os.ReadFile(filepath.Join(drop, decBase+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var side SidecarData
	if err := json.Unmarshal(b, &side); err != nil {
		t.Fatal(err)
	}
	if side.Number != entry.Number || side.Document != DocumentDecision || side.Decision != moderation.DecideRemove || side.DecidedBy != "anna" ||
		side.DecisionReason != "hets mot folkgrupp" || side.Completes != evPDF.SHA256 || side.PDFSHA256 != file.SHA256 ||
		!slices.Equal(side.Categories, []string{moderation.CatHate}) || !side.DecidedAt.Equal(now) {
		t.Errorf("addendum sidecar: got %s", b)
	}
	mails := smtpSrv.got()
	if len(mails) != 2 || !strings.Contains(mails[1].Data, decBase+".pdf") || strings.Contains(mails[0].Data, "-decision") {
		t.Errorf("mails: got %d, want the entry's and then the addendum's (%s.pdf)", len(mails), decBase)
	}
	if got, want := keys, []string{entry.Number, fmt.Sprintf("%s/decision/%d", entry.Number, dec.ID)}; !slices.Equal(got, want) {
		t.Errorf("webhook Idempotency-Keys: got %v, want %v", got, want)
	}
	if len(posts) == 2 && (posts[1]["document"] != DocumentDecision || posts[1]["pdf_name"] != decBase+".pdf") {
		t.Errorf("webhook addendum body: document %v, pdf_name %v", posts[1]["document"], posts[1]["pdf_name"])
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
