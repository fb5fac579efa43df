package register

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

// TestObjectionEntryDelivered hands the register entry of an objection to
// a photo in an own post to the registrar once the post's evidence is
// captured: the evidence PDF and a sidecar naming the post and the
// objection.
func TestObjectionEntryDelivered(t *testing.T) {
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
	post := moderation.Post{AccountKey: "fb", PlatformID: "1_77", Message: "Bilder från skolavslutningen", PermalinkURL: "https://www.facebook.com/1/posts/77",
		Author: moderation.Author{ID: "1", Name: "Gruvbergs kommun"}, CreatedAt: time.Now().AddDate(0, -1, 0)}
	if _, err := st.SavePost(ctx, post); err != nil {
		t.Fatal(err)
	}
	o, err := st.AddObjection(ctx, moderation.Objection{AccountKey: "fb", PostID: post.PlatformID, Person: "Karin Nyström", Reason: "Jag syns på bild 3",
		Language: "sv", RecordedBy: "anna", ReceivedAt: time.Now(), State: moderation.ObjectionReceived},
		"invändning mot bild", func(y, s int) string { return "KS " + strconv.Itoa(y) + "/" + strconv.Itoa(s) })
	if err != nil {
		t.Fatal(err)
	}
	drop := filepath.Join(t.TempDir(), "drop")
	d := New(Options{Store: st, Evidence: dir, Outlets: []Outlet{Folder{Dir: drop}}})

	if n, err := d.DeliverPending(ctx); n != 0 || err != nil {
		t.Fatalf("before evidence: delivered %d, %v; want 0, nil", n, err)
	}
	f, err := dir.Put(ctx, testPDF, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	o.State = moderation.ObjectionEvidenceCaptured
	o.EvidencePath, o.EvidenceSHA256, o.EvidenceSize, o.EvidenceKind, o.EvidenceAt = f.Path, f.SHA256, f.Size, "pdfa", time.Now()
	if _, err := st.UpdateObjection(ctx, o, moderation.ObjectionReceived); err != nil {
		t.Fatal(err)
	}
	if n, err := d.DeliverPending(ctx); n != 1 || err != nil {
		t.Fatalf("after evidence: delivered %d, %v; want 1, nil", n, err)
	}
	base := filepath.Join(drop, FileName(o.RegisterNumber))
	pdf, err := os.ReadFile(base + ".pdf")
	if err != nil || string(pdf) != string(testPDF) {
		t.Fatalf("delivered PDF: %v, %d bytes; want the objection's evidence", err, len(pdf))
	}
	var side SidecarData
	raw, err := os.ReadFile(base + ".json")
	if err != nil || json.Unmarshal(raw, &side) != nil {
		t.Fatalf("sidecar: %v %s", err, raw)
	}
	if side.Objection != o.ID || side.PostID != post.PlatformID || side.Permalink != post.PermalinkURL || side.PDFSHA256 != f.SHA256 ||
		side.ObjectionBy != "Karin Nyström" || side.Number != o.RegisterNumber || side.CommentID != "" {
		t.Errorf("sidecar: got %+v", side)
	}
	es, err := st.RegisterEntries(ctx, o.ReceivedAt.Year())
	if err != nil || len(es) != 1 || es[0].ObjectionID != o.ID || es[0].Delivered.IsZero() {
		t.Errorf("register entries: got %+v, %v; want the objection's entry, delivered", es, err)
	}
}
