package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/archive/register"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// TestDecisionAddendumCompletesTheRecord flags a comment on the emulator,
// approves its removal through the decision service, and checks the
// records: the service makes a decision addendum (the register number, the
// decision in words, the evidence PDF's SHA-256), the comment is still
// deleted on the strength of its evidence PDF, the registrar's drop folder
// gets the evidence PDF and then the addendum under the same number, and
// the web page lists the addendum among the case's evidence.
func TestDecisionAddendumCompletesTheRecord(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	ctx := context.Background()
	r, _ := newEvRig(t, "capture: {disabled: true}\n")
	drop := filepath.Join(t.TempDir(), "diarium")
	r.cfg.Register.Outlets = []config.Outlet{{Kind: "folder", Path: drop}}
	ev, err := openEvidence(ctx, r.cfg, r.st, discardLogger(), time.UTC, ruleExplainer(r.cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	rp, err := openRemoval(r.cfg, r.st, ev, discardLogger())
	if err != nil {
		t.Fatal(err)
	}

	rude := r.add(t, "Du är en jävla idiot")
	r.settle(t)
	c := r.comment(t, rude)
	cases, err := r.st.ListCases(ctx, moderation.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var cs moderation.Case
	for _, k := range cases {
		if k.CommentID == c.ID {
			cs = k
		}
	}
	if cs.ID == 0 {
		t.Fatal("the rude comment has no review case")
	}
	// Nothing is decided: no addendum.
	if n, err := rp.addenda.Follow(ctx); n != 0 || err != nil {
		t.Fatalf("before the decision: %d addenda, %v; want none", n, err)
	}
	// Decided one undo grace ago: the executor carries it out at once.
	grace := r.cfg.Review.UndoGrace.D()
	dec := decide.New(decide.Options{Store: r.st, RegisterNumber: r.cfg.Register.FormatRegisterNumber,
		Now: func() time.Time { return time.Now().Add(-grace - time.Second) }})
	out, err := dec.Decide(ctx, decide.Request{CaseID: cs.ID, Kind: moderation.DecideRemove, By: "moderator", Role: moderation.RoleModerator,
		Surface: decide.SurfaceWeb, Reason: "personangrepp"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Register == nil {
		t.Fatal("the removal has no register entry")
	}
	if n, err := rp.addenda.Follow(ctx); n != 1 || err != nil {
		t.Fatalf("after the decision: %d addenda, %v; want 1", n, err)
	}
	// The removal is carried out with the addendum already stored: the
	// gate's receipt is still the evidence PDF.
	r.settle(t)
	if !r.emuComment(rude).Deleted {
		t.Error("the approved comment was not deleted once its addendum existed")
	}

	files, err := r.st.Evidence(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var evidencePDF, addendum moderation.EvidenceFile
	for _, f := range files {
		switch {
		case f.Kind == evidencepdf.KindDecision:
			addendum = f
		case f.Kind == evidencepdf.KindPDF && addendum.ID == 0:
			evidencePDF = f
		}
	}
	if addendum.ID == 0 || addendum.CaseID != cs.ID || addendum.DecisionID != out.Decision.ID || evidencePDF.ID == 0 {
		t.Fatalf("evidence files: %+v; want the evidence PDF and an addendum of case %d", files, cs.ID)
	}
	text, err := exec.Command("pdftotext", "-layout", filepath.Join(r.ev.dir.String(), addendum.Path), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{out.Register.Number, "Borttagning godkänd", "moderator", "personangrepp", evidencePDF.SHA256, rude} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("the addendum lacks %q:\n%s", want, text)
		}
	}

	// The registrar's outlet: the entry with its evidence PDF, then the
	// addendum under the same number.
	if n, err := rp.deliver.DeliverPending(ctx); n != 2 || err != nil {
		t.Fatalf("delivery: %d acknowledged, %v; want the entry and its addendum", n, err)
	}
	base := register.FileName(out.Register.Number)
	for name, f := range map[string]moderation.EvidenceFile{base + ".pdf": evidencePDF, fmt.Sprintf("%s-decision-%d.pdf", base, addendum.DecisionID): addendum} {
		got, err := os.ReadFile(filepath.Join(drop, name))
		if err != nil {
			t.Errorf("drop folder: %v", err)
			continue
		}
		if want, _ := os.ReadFile(filepath.Join(r.ev.dir.String(), f.Path)); !bytes.Equal(got, want) {
			t.Errorf("drop folder %s is not the stored %s file", name, f.Kind)
		}
	}

	// The web page lists the addendum among the case's evidence.
	loc := time.UTC
	web, err := openReview(r.cfg, r.st, loc, discardLogger(), ruleExplainer(r.cfg), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.web)
	t.Cleanup(srv.Close)
	addUser(t, r.st, "moderator", moderation.RoleModerator)
	client := signIn(t, srv.URL, "moderator", testPassword)
	resp, err := client.Get(fmt.Sprintf("%s/cases/%d", srv.URL, cs.ID))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	link := fmt.Sprintf(`<a href="/evidence/%d">beslutsbilaga</a>`, addendum.ID)
	if resp.StatusCode != 200 || !strings.Contains(string(page), link) {
		t.Errorf("case page (%d) does not list the addendum as %s:\n%s", resp.StatusCode, link, page)
	}
}
