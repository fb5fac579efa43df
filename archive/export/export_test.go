package export

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

func seed(t *testing.T) (*sqlite.Store, string, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, k := range []string{"fb", "other"} {
		if err := st.UpsertAccount(ctx, moderation.Account{Key: k, Platform: moderation.Facebook, PlatformID: "p-" + k, Name: "Gruvbergs kommun " + k}); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, k := range []string{"fb", "other"} {
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: k, PlatformID: k + "_1", Message: "Välkomna till öppet hus", CreatedAt: at,
			Raw: []byte(`{"id":"` + k + `_1","message":"Välkomna till öppet hus"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i, k := range []string{"fb", "fb", "other"} {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: k, PostID: k + "_1", PlatformID: fmt.Sprintf("c%d", i),
			Message: "Kränkande text " + fmt.Sprint(i), Raw: []byte(`{"id":"c` + fmt.Sprint(i) + `"}`), Source: moderation.SourcePoll, SeenAt: at.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.CommentID)
	}
	evDir := filepath.Join(dir, "evidence")
	os.MkdirAll(filepath.Join(evDir, "ab"), 0o755)
	for i, id := range []int64{ids[0], ids[2]} {
		name := fmt.Sprintf("ab/ev%d.pdf", i)
		os.WriteFile(filepath.Join(evDir, name), []byte(fmt.Sprintf("%%PDF-1.7 evidence %d", i)), 0o644)
		if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: id, Kind: "pdf", SHA256: fmt.Sprintf("%064d", i), Path: name, Size: 20}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2025, CommentID: id, Reason: "kränkning"},
			func(y, n int) string { return fmt.Sprintf("KS %d/%04d", y, n) }); err != nil {
			t.Fatal(err)
		}
	}
	// The decision addendum that completes the first evidence PDF.
	os.WriteFile(filepath.Join(evDir, "ab/decision.pdf"), []byte("%PDF-1.7 decision 0"), 0o644)
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: ids[0], CaseID: 1, Kind: moderation.EvidenceDecision,
		SHA256: fmt.Sprintf("%064d", 9), Path: "ab/decision.pdf", Size: 19}); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(dir, "fb-2025.pdf")
	os.WriteFile(snap, []byte("%PDF-1.7 snapshot"), 0o644)
	return st, evDir, snap
}

func TestWriteAndVerify(t *testing.T) {
	st, evDir, snap := seed(t)
	out := filepath.Join(t.TempDir(), "pkg")
	sum, err := Write(context.Background(), st, Request{AccountKey: "fb", Year: 2025, Out: out, Snapshot: snap, EvidenceDir: evDir,
		Producer: "Gruvbergs kommun", Now: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if sum.Posts != 1 || sum.Versions != 2 || sum.Register != 1 || sum.Evidence != 2 {
		t.Errorf("summary: got %+v, want 1 post, 2 versions, 1 register entry, 1 evidence PDF of account fb and its decision addendum", sum)
	}
	for _, f := range []string{"METS.xml", "metadata/descriptive/account.xml", "metadata/preservation/disposals.xml",
		"representations/rep1/data/snapshot/fb-2025.pdf", "representations/rep1/data/register/register.xml",
		"representations/rep1/data/register/register.json", "representations/rep1/data/api/posts.jsonl",
		"representations/rep1/data/api/comment-versions.jsonl", "representations/rep1/data/evidence/" + fmt.Sprintf("%064d", 0) + ".pdf",
		"representations/rep1/data/evidence/" + fmt.Sprintf("%064d", 9) + ".pdf"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("package lacks %s", f)
		}
	}
	reg, _ := os.ReadFile(filepath.Join(out, "representations/rep1/data/register/register.json"))
	var rj struct{ Entries []map[string]any }
	if err := json.Unmarshal(reg, &rj); err != nil || len(rj.Entries) != 1 || rj.Entries[0]["number"] != "KS 2025/0001" {
		t.Errorf("register.json: got %s (%v), want the one entry KS 2025/0001", reg, err)
	}
	metsXML, _ := os.ReadFile(filepath.Join(out, "METS.xml"))
	var anyXML struct{ XMLName xml.Name }
	if err := xml.Unmarshal(metsXML, &anyXML); err != nil || !strings.Contains(string(metsXML), `CHECKSUMTYPE="SHA-256"`) {
		t.Errorf("METS.xml: %v, want XML with SHA-256 checksums", err)
	}
	probs, err := Verify(out)
	if err != nil || len(probs) != 0 {
		t.Fatalf("Verify of a fresh package: got %v, %v; want no problems", probs, err)
	}
	if _, err := Write(context.Background(), st, Request{AccountKey: "fb", Year: 2025, Out: out}); err == nil {
		t.Errorf("Write into a full folder: got no error, want one")
	}
}

func TestVerifyFindsProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(dir string) error
		want   string
	}{
		{"tampered file", func(dir string) error {
			p := filepath.Join(dir, "representations/rep1/data/api/posts.jsonl")
			b, _ := os.ReadFile(p)
			return os.WriteFile(p, []byte(strings.Replace(string(b), "öppet hus", "öppet hem", 1)), 0o644)
		}, "SHA-256"},
		{"same size, other bytes", func(dir string) error {
			p := filepath.Join(dir, "representations/rep1/data/snapshot/fb-2025.pdf")
			return os.WriteFile(p, []byte("%PDF-1.7 snapshoT"), 0o644)
		}, "SHA-256"},
		{"truncated", func(dir string) error {
			return os.Truncate(filepath.Join(dir, "metadata/descriptive/account.xml"), 10)
		}, "size"},
		{"missing file", func(dir string) error {
			return os.Remove(filepath.Join(dir, "representations/rep1/data/register/register.xml"))
		}, "missing"},
		{"extra file", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "representations/rep1/data/extra.txt"), []byte("x"), 0o644)
		}, "not listed"},
		{"no METS", func(dir string) error { return os.Remove(filepath.Join(dir, "METS.xml")) }, "missing"},
		{"broken METS", func(dir string) error { return os.WriteFile(filepath.Join(dir, "METS.xml"), []byte("<mets"), 0o644) }, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, evDir, snap := seed(t)
			out := filepath.Join(t.TempDir(), "pkg")
			if _, err := Write(context.Background(), st, Request{AccountKey: "fb", Year: 2025, Out: out, Snapshot: snap, EvidenceDir: evDir}); err != nil {
				t.Fatal(err)
			}
			if err := tt.change(out); err != nil {
				t.Fatal(err)
			}
			probs, err := Verify(out)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range probs {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.want) {
				t.Errorf("problems: got %q, want one mentioning %q", all, tt.want)
			}
		})
	}
}

// storeOf serves evidence files from a map, as an evidence.Store (a
// bucket) would, and counts the reads.
type storeOf struct {
	evidence.Store
	files map[string][]byte
	reads int
}

func (s *storeOf) ReadFile(_ context.Context, rel string) ([]byte, error) {
	s.reads++
	b, ok := s.files[rel]
	if !ok {
		return nil, fmt.Errorf("%s: %w", rel, evidence.ErrCorrupt)
	}
	return b, nil
}

// TestWriteReadsEvidenceStore: with Request.Evidence (evidence in a
// bucket) the package's evidence PDFs are read from the store, not the
// folder, and an evidence file the store finds damaged stops the export.
func TestWriteReadsEvidenceStore(t *testing.T) {
	st, _, snap := seed(t)
	src := &storeOf{files: map[string][]byte{"ab/ev0.pdf": []byte("%PDF-1.7 from the bucket"), "ab/decision.pdf": []byte("%PDF-1.7 decision from the bucket")}}
	out := filepath.Join(t.TempDir(), "pkg")
	sum, err := Write(context.Background(), st, Request{AccountKey: "fb", Year: 2025, Out: out, Snapshot: snap, Evidence: src,
		Producer: "Gruvbergs kommun", Now: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if sum.Evidence != 2 || src.reads != 2 {
		t.Fatalf("%d evidence PDFs in the package, %d reads; want 2 and 2", sum.Evidence, src.reads)
	}
	got, err := os.ReadFile(filepath.Join(out, "representations/rep1/data/evidence/"+fmt.Sprintf("%064d", 0)+".pdf"))
	if err != nil || string(got) != "%PDF-1.7 from the bucket" {
		t.Fatalf("evidence in the package: %q, %v", got, err)
	}
	if probs, err := Verify(out); err != nil || len(probs) != 0 {
		t.Fatalf("Verify: %v, %v", probs, err)
	}
	delete(src.files, "ab/decision.pdf")
	_, err = Write(context.Background(), st, Request{AccountKey: "fb", Year: 2025, Out: filepath.Join(t.TempDir(), "pkg"), Snapshot: snap, Evidence: src})
	if !errors.Is(err, evidence.ErrCorrupt) {
		t.Fatalf("Write with a damaged evidence file = %v, want ErrCorrupt", err)
	}
}
