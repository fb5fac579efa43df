package objection

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// platform is a set of live posts that counts the deletions reaching it;
// its DeletePost is handed to the remover as a platform's call. The Graph API path itself is tested against the
// emulator in bot/facebook and end to end in cmd/uppsikt.
type platform struct {
	mu     sync.Mutex
	live   map[string]bool
	calls  int
	manual bool
}

func (p *platform) DeletePost(_ context.Context, _ moderation.Account, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.manual {
		return fmt.Errorf("media %s: %w", id, moderation.ErrManualRemoval)
	}
	if !p.live[id] {
		return fmt.Errorf("post %s: %w", id, removal.ErrGone) // as Graph 100/33 answers
	}
	delete(p.live, id)
	return nil
}

func (p *platform) PostGone(_ context.Context, _ moderation.Account, id string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.live[id], nil
}

type failingBrowser struct{}

func (failingBrowser) Page(context.Context, string) (capture.Shot, error) {
	return capture.Shot{}, errors.New("chromium did not start")
}

type rig struct {
	st  *sqlite.Store
	dir *evidence.Dir
	p   *platform
	svc *Service
	del *retention.Deleter
}

func newRig(t *testing.T, browser Capturer, pdfa bool, permalink string) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []moderation.Account{
		{Key: "fb", Platform: moderation.Facebook, PlatformID: "page-1", Name: "Aalborg Skole"},
		{Key: "ig", Platform: moderation.Instagram, PlatformID: "ig-1", Name: "aalborgskole"},
	} {
		if err := st.UpsertAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	p := &platform{live: map[string]bool{}}
	for _, post := range []moderation.Post{
		{AccountKey: "fb", PlatformID: "page-1_10", Author: moderation.Author{ID: "page-1"}, Message: "Billeder fra sommerfesten",
			CreatedAt: now.AddDate(0, -2, 0), PermalinkURL: permalink, Raw: []byte(`{"id":"page-1_10","message":"Billeder fra sommerfesten"}`)},
		{AccountKey: "fb", PlatformID: "page-1_11", Author: moderation.Author{ID: "visitor"}, Message: "Et besøg", CreatedAt: now.AddDate(0, -1, 0)},
		{AccountKey: "ig", PlatformID: "ig-media-5", Author: moderation.Author{ID: "ig-1"}, Message: "Skolefoto", CreatedAt: now.AddDate(0, -1, 0),
			Raw: []byte(`{"id":"ig-media-5","media_type":"IMAGE"}`)},
	} {
		if _, err := st.SavePost(ctx, post); err != nil {
			t.Fatal(err)
		}
		p.live[post.PlatformID] = true
	}
	calls := removal.NewCalls(nil, nil, p.DeletePost)
	gate := removal.New(removal.Options{Store: st, Posts: st, Now: func() time.Time { return now },
		Calls: map[moderation.Platform]removal.Calls{moderation.Facebook: calls, moderation.Instagram: calls}})
	del := &retention.Deleter{Store: st, Gate: gate, Platforms: map[moderation.Platform]moderation.PostChecker{
		moderation.Facebook: p, moderation.Instagram: p}, Now: func() time.Time { return now }}
	svc := New(Options{Store: st, Deleter: del, Evidence: dir, Browser: browser, NoPDFA: !pdfa, Municipality: "Aalborg Kommune",
		RegisterNumber: func(y, s int) string { return fmt.Sprintf("AK %d/%04d", y, s) }, Now: func() time.Time { return now }})
	return &rig{st: st, dir: dir, p: p, svc: svc, del: del}
}

func (r *rig) actions(t *testing.T) []string {
	t.Helper()
	es, err := r.st.AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func objectionTo(post, lang string) moderation.Objection {
	acct := "fb"
	if strings.HasPrefix(post, "ig") {
		acct = "ig"
	}
	return moderation.Objection{AccountKey: acct, PostID: post, Person: "Mette Jensen", Contact: "mette@example.dk",
		Reason: "Min datter er på billedet uden samtykke", Language: lang, RecordedBy: "kommunikation"}
}

// TestObjectionWithScreenshot runs the whole workflow with Chromium taking
// the screenshot of the post's page and Ghostscript making the PDF/A.
func TestObjectionWithScreenshot(t *testing.T) {
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err != nil {
		if _, err := exec.LookPath("chromium"); err != nil {
			testenv.Missing(t, "Chromium is not installed: run `make deps` (scripts/install-deps.sh)")
		}
	}
	testenv.NeedTools(t, "gs", "pdftotext")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><head><title>Sommerfest</title></head><body><h1>Billeder fra sommerfesten</h1>`+
			`<div style="width:600px;height:1600px;background:linear-gradient(#8cf,#fc8)">foto</div></body></html>`)
	}))
	defer page.Close()
	u, _ := url.Parse(page.URL)
	br := capture.New(capture.Options{AllowedHosts: []string{u.Host}, Timeout: time.Minute})
	defer br.Close()
	r := newRig(t, br, true, page.URL+"/post/10")
	ctx := context.Background()

	o, err := r.svc.Add(ctx, objectionTo("page-1_10", "da"))
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if o.State != moderation.ObjectionEvidenceCaptured || o.EvidenceKind != KindPDFA || o.RegisterNumber != "AK 2026/0001" {
		t.Fatalf("after Add: got state %s, kind %s, number %s; want evidence_captured, pdfa, AK 2026/0001", o.State, o.EvidenceKind, o.RegisterNumber)
	}
	if r.p.calls != 0 || !r.p.live["page-1_10"] {
		t.Errorf("Add touched the platform: %d calls", r.p.calls)
	}
	data, err := r.dir.ReadFile(ctx, o.EvidencePath)
	if err != nil {
		t.Fatalf("evidence file: %v", err)
	}
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("evidence is not a PDF")
	}
	text := pdfText(t, filepath.Join(r.dir.Root(), o.EvidencePath))
	for _, want := range []string{"AK 2026/0001", "Mette Jensen", "Min datter er på billedet uden samtykke", "Billeder fra sommerfesten", "SHA-256 (PNG)", "Skærmbillede"} {
		if !strings.Contains(text, want) {
			t.Errorf("evidence PDF lacks %q", want)
		}
	}

	o, err = r.svc.Approve(ctx, o.ID, "skoleleder")
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if o.State != moderation.ObjectionConfirmed || r.p.live["page-1_10"] || r.p.calls != 1 {
		t.Errorf("after Approve: got %s, %d calls, live %v; want confirmed after one deletion", o.State, r.p.calls, r.p.live["page-1_10"])
	}
	for _, want := range []string{"Kære Mette Jensen", "AK 2026/0001", "Opslaget er nu slettet", "Aalborg Kommune"} {
		if !strings.Contains(o.Confirmation, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, o.Confirmation)
		}
	}
	got := strings.Join(r.actions(t), " ")
	want := "objection.received objection.evidence_captured objection.approved own_post.deletion_approved removal.send removal.done objection.removed objection.confirmed"
	if got != want {
		t.Errorf("audit log:\n got %s\nwant %s", got, want)
	}
	es, _ := r.st.RegisterEntries(ctx, 2026)
	if len(es) != 1 || es[0].Number != "AK 2026/0001" || !strings.Contains(es[0].Reason, "Indsigelse") {
		t.Errorf("register: got %+v, want the objection's entry", es)
	}
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestBrowserFailureDoesNotBlock: without a screenshot the evidence holds
// the stored data, and the removal goes ahead.
func TestBrowserFailureDoesNotBlock(t *testing.T) {
	testenv.NeedTools(t, "pdftotext")
	r := newRig(t, failingBrowser{}, false, "https://www.facebook.com/page-1/posts/10")
	ctx := context.Background()
	o, err := r.svc.Add(ctx, objectionTo("page-1_10", "sv"))
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if o.EvidenceKind != KindPDFTextOnly || o.EvidenceSHA256 == "" {
		t.Fatalf("evidence: got kind %q, sha %q; want a text-only PDF", o.EvidenceKind, o.EvidenceSHA256)
	}
	text := pdfText(t, filepath.Join(r.dir.Root(), o.EvidencePath))
	for _, want := range []string{"Ingen skärmbild", "chromium did not start", "Plattformens data (JSON)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text-only evidence lacks %q", want)
		}
	}
	o, err = r.svc.Approve(ctx, o.ID, "kommunikationschef")
	if err != nil || o.State != moderation.ObjectionConfirmed || !strings.Contains(o.Confirmation, "Hej Mette Jensen!") {
		t.Errorf("Approve: got %s, %v; want confirmed with a Swedish text", o.State, err)
	}
}

// TestNoDeletionWithoutEvidence: evidence that is gone or changed on disk
// stops the approval before any platform call.
func TestNoDeletionWithoutEvidence(t *testing.T) {
	r := newRig(t, nil, false, "")
	ctx := context.Background()
	o, err := r.svc.Add(ctx, objectionTo("page-1_10", "da"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(r.dir.Root(), o.EvidencePath)
	os.Chmod(path, 0o600)
	if err := os.WriteFile(path, []byte("%PDF-1.7 something else"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Approve(ctx, o.ID, "skoleleder"); err == nil {
		t.Errorf("Approve with changed evidence: got no error, want one")
	}
	if r.p.calls != 0 || !r.p.live["page-1_10"] {
		t.Errorf("platform calls: got %d, want none", r.p.calls)
	}
	// The guard itself refuses a deletion for an objection not approved.
	del, err := r.del.Request(ctx, moderation.PostDeletion{AccountKey: "fb", PostID: "page-1_10", Reason: moderation.DeletionObjection,
		ObjectionID: o.ID, ApprovedBy: "someone"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.del.Execute(ctx, del.ID); err == nil || got.State != moderation.DeletionFailed || r.p.calls != 0 {
		t.Errorf("deletion for an unapproved objection: got %s, %v, %d calls; want failed, no call", got.State, err, r.p.calls)
	}
}

func TestRefuse(t *testing.T) {
	r := newRig(t, nil, false, "")
	ctx := context.Background()
	o, _ := r.svc.Add(ctx, objectionTo("page-1_10", "sv"))
	if _, err := r.svc.Refuse(ctx, o.ID, "chef", ""); err == nil {
		t.Errorf("refuse without a reason: got no error")
	}
	o, err := r.svc.Refuse(ctx, o.ID, "chef", "personen syns inte på bilden")
	if err != nil || o.State != moderation.ObjectionRefused {
		t.Fatalf("Refuse: got %s, %v", o.State, err)
	}
	if _, err := r.svc.Approve(ctx, o.ID, "chef"); err == nil {
		t.Errorf("approve a refused objection: got no error")
	}
	if r.p.calls != 0 {
		t.Errorf("platform calls after a refusal: got %d, want 0", r.p.calls)
	}
}

func TestNotOwnPost(t *testing.T) {
	r := newRig(t, nil, false, "")
	if _, err := r.svc.Add(context.Background(), objectionTo("page-1_11", "da")); err == nil {
		t.Errorf("objection to a visitor's post: got no error, want one")
	}
	if os, _ := r.st.Objections(context.Background(), ""); len(os) != 0 {
		t.Errorf("objections stored: got %d, want 0", len(os))
	}
}

// TestInstagramManualRemoval: the post is left for a person to remove;
// confirmation waits until a re-read shows it gone.
func TestInstagramManualRemoval(t *testing.T) {
	r := newRig(t, nil, false, "")
	r.p.manual = true
	ctx := context.Background()
	o, err := r.svc.Add(ctx, objectionTo("ig-media-5", "da"))
	if err != nil {
		t.Fatal(err)
	}
	o, err = r.svc.Approve(ctx, o.ID, "skoleleder")
	if err != nil || o.State != moderation.ObjectionApproved {
		t.Fatalf("Approve: got %s, %v; want approved, waiting for the manual removal", o.State, err)
	}
	del, _ := r.st.PostDeletion(ctx, o.DeletionID)
	if del.State != moderation.DeletionManual || !strings.Contains(del.Note, "by hand") {
		t.Errorf("deletion: got %s %q; want manual with an instruction", del.State, del.Note)
	}
	if _, err := r.svc.Confirm(ctx, o.ID, "skoleleder"); !errors.Is(err, ErrStillThere) {
		t.Errorf("Confirm while the post is there: got %v, want ErrStillThere", err)
	}
	delete(r.p.live, "ig-media-5") // removed in the Instagram app
	o, err = r.svc.Confirm(ctx, o.ID, "skoleleder")
	if err != nil || o.State != moderation.ObjectionConfirmed || o.RemovedAt.IsZero() || !strings.Contains(o.Confirmation, "Instagram") {
		t.Errorf("Confirm after the manual removal: got %s, %v", o.State, err)
	}
	if del, _ := r.st.PostDeletion(ctx, o.DeletionID); del.State != moderation.DeletionDone {
		t.Errorf("deletion after the confirmed manual removal: got %s, want deleted", del.State)
	}
}
