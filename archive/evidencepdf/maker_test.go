package evidencepdf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

type fixture struct {
	st        *sqlite.Store
	dir       *evidence.Dir
	commentID int64
	text      string
}

// newFixture stores an account, a post and a comment with two versions and a
// verdict, the permalink pointing at page.
func newFixture(t testing.TB, permalink string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "ev"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "100", Name: "Gruvbergs kommun", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: "100_1", Message: "Snöröjningen är igång", CreatedAt: created,
		Raw: json.RawMessage(`{"id":"100_1"}`)}); err != nil {
		t.Fatal(err)
	}
	obs := func(id, parent, msg string, seen time.Time) moderation.IngestResult {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: "u" + id, Name: "Åsa Öberg"}, Message: msg, CreatedAt: created, PermalinkURL: permalink,
			Raw: json.RawMessage(fmt.Sprintf(`{"id":%q,"message":%q}`, id, msg)), Source: moderation.SourcePoll, SeenAt: seen})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	obs("100_1_1", "", "Tack för snabbt svar!", created)
	obs("100_1_2", "", "Ring mig", created.Add(time.Minute))
	text := "Ring mig, mitt personnummer är 811218-9876"
	r := obs("100_1_2", "", text, created.Add(2*time.Minute))
	obs("100_1_3", "100_1_2", "Skriv inte sånt här!", created.Add(3*time.Minute))
	start := strings.Index(text, "811218")
	if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: r.Version, At: created, Verdict: moderation.Verdict{
		Categories: []string{moderation.CatPersonalID},
		Hits: []moderation.Hit{{RuleID: "sv.personnummer", Category: moderation.CatPersonalID, Start: start, End: len(text), Match: text[start:],
			Citation: moderation.Citation{Document: "Riktlinjer för sociala medier", Section: "4.2"}, Suggest: moderation.SuggestHideThenReview}},
	}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, dir: dir, commentID: r.CommentID, text: text}
}

func TestMarkHits(t *testing.T) {
	text := "abc 123 def 456"
	tests := []struct {
		name string
		hits []moderation.Hit
		want string
	}{
		{"none", nil, "abc 123 def 456"},
		{"two", []moderation.Hit{{Start: 12, End: 15}, {Start: 4, End: 7}}, "abc [123] def [456]"},
		{"overlap", []moderation.Hit{{Start: 4, End: 9}, {Start: 6, End: 11}}, "abc [123 d][ef] 456"},
		{"out of range", []moderation.Hit{{Start: 10, End: 99}, {Start: -1, End: 2}}, "abc 123 def 456"},
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, s := range markHits(text, tt.hits) {
			if s.Hit {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if got := b.String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRenderViewEscapes(t *testing.T) {
	html, err := RenderView(View{
		Comment:  moderation.Comment{PlatformID: "1"},
		Versions: []moderation.CommentVersion{{Version: 1, Message: `<script>alert(1)</script><img src="http://evil.example/x.png">`}},
		Thread:   []ThreadComment{{PlatformID: "1", Target: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>alert", "<img src"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("view contains %q unescaped", bad)
		}
	}
}

func TestMakeWithBrowser(t *testing.T) {
	testenv.NeedTools(t, "chromium", "gs", "pdftotext", "pdfinfo")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><h1>Gruvbergs kommun</h1><p>Ring mig, mitt personnummer är 811218-9876</p></body></html>`)
	}))
	defer page.Close()
	f := newFixture(t, page.URL+"/web/100/posts/100_1?comment_id=100_1_2")
	br := capture.New(capture.Options{AllowedHosts: []string{strings.TrimPrefix(page.URL, "http://")}})
	defer br.Close()
	m := New(Options{Store: f.st, Dir: f.dir, Browser: br, Municipality: "Gruvbergs kommun", Location: time.FixedZone("CET", 3600)})
	ctx := context.Background()
	res, err := m.Make(ctx, Request{CommentID: f.commentID, RegisterNumber: "KS 2026/0042"})
	if err != nil {
		t.Fatal(err)
	}
	if res.CaptureFailure != "" || len(res.Screenshots) != 2 || !res.PDFA {
		t.Fatalf("capture failure %q, %d screenshots, pdfa %v; want none, 2, true", res.CaptureFailure, len(res.Screenshots), res.PDFA)
	}
	files, err := f.st.Evidence(ctx, f.commentID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, fl := range files {
		kinds[fl.Kind]++
		if err := f.dir.Verify(ctx, evidence.File{SHA256: fl.SHA256, Path: fl.Path, Size: fl.Size}); err != nil {
			t.Errorf("verify %s: %v", fl.Path, err)
		}
	}
	if kinds[KindPDF] != 1 || kinds[KindScreenshot] != 2 || kinds[KindEvidenceView] != 1 || kinds[KindRawJSON] != 1 {
		t.Errorf("evidence kinds = %v, want 1 pdf, 2 screenshots, 1 view, 1 raw", kinds)
	}
	if files[len(files)-1].Kind != KindPDF {
		t.Errorf("last recorded kind = %s, want pdf (the PDF row is written last)", files[len(files)-1].Kind)
	}
	path := filepath.Join(f.dir.Root(), res.PDF.Path)
	text, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KS 2026/0042", "811218-9876", "Riktlinjer för sociala medier", "100_1_2"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// One audit entry records the commit.
	log, err := f.st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != AuditCommitted {
		t.Errorf("audit log = %d entries, want one %s", len(log), AuditCommitted)
	}
	ok, err := HasPDF(ctx, f.st, f.commentID, time.Time{})
	if err != nil || !ok {
		t.Errorf("HasPDF = %v, %v; want true", ok, err)
	}
	t.Logf("pdf %d bytes; load %v capture %v layout+gs %v store %v", res.PDF.Size, res.Timings.Load, res.Timings.Capture, res.Timings.Layout, res.Timings.Store)
}

func TestMakeWithoutBrowserOrGhostscript(t *testing.T) {
	testenv.NeedTools(t, "pdftotext")
	f := newFixture(t, "https://www.facebook.com/100_1?comment_id=100_1_2")
	dead := capture.New(capture.Options{ExecPath: filepath.Join(t.TempDir(), "no-chromium"), AllowedHosts: []string{"www.facebook.com"}, StartTimeout: 2 * time.Second})
	defer dead.Close()
	m := New(Options{Store: f.st, Dir: f.dir, Browser: dead, PDF: pdf.Options{Ghostscript: filepath.Join(t.TempDir(), "no-gs")}})
	ctx := context.Background()
	res, err := m.Make(ctx, Request{CommentID: f.commentID})
	if err != nil {
		t.Fatal(err)
	}
	if res.CaptureFailure == "" || len(res.Screenshots) != 0 {
		t.Errorf("capture failure %q with %d screenshots; want a failure and none", res.CaptureFailure, len(res.Screenshots))
	}
	if res.PDFA || res.PDFAFailure == "" {
		t.Errorf("pdfa %v, failure %q; want false and a reason", res.PDFA, res.PDFAFailure)
	}
	// The evidence records the version it documents: the latest, 2.
	files, err := f.st.Evidence(ctx, f.commentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range files {
		if fl.Version != 2 {
			t.Errorf("%s file records version %d, want 2", fl.Kind, fl.Version)
		}
	}
	data, err := os.ReadFile(filepath.Join(f.dir.Root(), res.PDF.Path))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = strings.NewReader(string(data))
	text, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SAKNAS", f.text} {
		if !strings.Contains(string(text), want) {
			t.Errorf("text-only PDF lacks %q", want)
		}
	}
	log, _ := f.st.AuditLog(ctx, 0, 0)
	if len(log) != 1 || !strings.Contains(string(log[0].Detail), "pdfa_failure") || !strings.Contains(string(log[0].Detail), `"pdfa":false`) {
		t.Errorf("audit detail = %s, want the failures recorded", log[0].Detail)
	}
}

func TestPermalink(t *testing.T) {
	tests := []struct {
		name    string
		comment string
		post    string
		want    string
	}{
		{"own permalink", "https://www.facebook.com/1_2?comment_id=3", "https://www.facebook.com/1_2", "https://www.facebook.com/1_2?comment_id=3"},
		{"post's with comment_id", "", "https://www.instagram.com/p/Cx1/", "https://www.instagram.com/p/Cx1/?comment_id=179"},
		{"none", "", "", ""},
	}
	for _, tt := range tests {
		got := permalink(moderation.Comment{PlatformID: "179", PermalinkURL: tt.comment}, moderation.Post{PermalinkURL: tt.post})
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
