package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// evRig is the service's removal side wired as openService wires it, on
// the real clock, against the emulator over HTTP.
type evRig struct {
	emu     *emulator.Emulator
	cfg     *config.Config
	cfgPath string
	env     map[string]string
	st      store
	sup     *supervision
	ev      *evidenceParts
	pipe    *pipeline.Pipeline
	exec    *act.Executor
	postID  string
	pageKey string
}

const evScenario = `name: Bevisby kommun
language: sv
seed: 3
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094830000000001", name: Bevisby kommun, token: EMU-ev-1, posts: 2, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts: ["Vägarbetet på Storgatan börjar på måndag."]
comments: ["Bra information"]
`

// pipelineEvidence lets a test put faults between the pipeline and the
// evidence maker.
type pipelineEvidence struct {
	*evidenceParts
	crashAfterDocument int // fail this many calls after the evidence was committed
}

func (p *pipelineEvidence) Document(ctx context.Context, commentID, caseID int64, number string) error {
	if err := p.evidenceParts.Document(ctx, commentID, caseID, number); err != nil {
		return err
	}
	if p.crashAfterDocument > 0 {
		p.crashAfterDocument--
		return fmt.Errorf("simulated crash after the evidence of comment %d was committed", commentID)
	}
	return nil
}

func newEvRig(t *testing.T, extra string) (*evRig, *pipelineEvidence) {
	t.Helper()
	sc, err := emulator.ParseScenario("evidence", []byte(evScenario))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{Scenario: sc, AppID: "1000000000000001", AppSecret: rigSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	emu.SetBaseURL(srv.URL + "/")
	t.Cleanup(func() { srv.Close(); emu.Close() })
	dir := t.TempDir()
	acc := emu.Accounts()[0]
	yaml := fmt.Sprintf(`municipality: {name: Bevisby kommun, country: se}
paths: {data: %q}
meta: {graph_url: %q, version: v23.0, app_id: "1000000000000001", app_secret: "${APP_SECRET}"}
register: {series: "KS {year}/{seq:04}"}
accounts:
  - {key: bevis-fb, platform: facebook, id: %q, name: Bevisby kommun, owners: [a], substitutes: [b], token: "${TOKEN}", language: sv}
%s`, dir, srv.URL+"/", acc.ID, extra)
	path := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APP_SECRET": rigSecret, "TOKEN": acc.Token}
	cfg, err := config.Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := openEvidence(ctx, cfg, st, discardLogger(), time.UTC, ruleExplainer(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	classifier, err := newClassifier(cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pe := &pipelineEvidence{evidenceParts: ev}
	sup, err := openSupervision(ctx, cfg, st, discardLogger(), supervisionOptions{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	r := &evRig{emu: emu, cfg: cfg, cfgPath: path, env: env, st: st, sup: sup, ev: ev, pageKey: "bevis-fb"}
	r.pipe = pipeline.New(pipeline.Options{Store: st, Classifier: classifier, Evidence: pe, HideThenReview: cfg.Actions.HideThenReview,
		RegisterNumber: cfg.Register.FormatRegisterNumber, Backoff: 50 * time.Millisecond})
	r.exec = newExecutor(cfg, st, sup.client, ev, nil, discardLogger())
	r.postID = emu.State("").Accounts[0].Posts[0].ID
	return r, pe
}

// add writes a visitor's comment on the platform and returns its id.
func (r *evRig) add(t *testing.T, text string) string {
	t.Helper()
	id, err := r.emu.AddComment(r.postID, "Kalle Svensson", text)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// settle polls, runs the pipeline and the executor until nothing is left.
// The rig runs on the real clock: an action kept back after a failure (a
// backoff, the platform paused after 5xx answers) is waited for, up to
// 20 seconds at a time.
func (r *evRig) settle(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := r.sup.poller.PollAccount(ctx, r.pageKey, false); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		if err := r.exec.FollowDecisions(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := r.pipe.Drain(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := r.exec.Drain(ctx, nil); err != nil {
			t.Fatal(err)
		}
		work, _ := r.st.PendingWork(ctx, time.Time{}, 0)
		acts, _ := r.st.PendingActions(ctx, time.Time{}, 0)
		if len(work) == 0 && len(acts) == 0 {
			return
		}
		due := time.Now().Add(time.Hour)
		for _, w := range work {
			if w.NextAttemptAt.Before(due) {
				due = w.NextAttemptAt
			}
		}
		for _, a := range acts {
			if a.NextAttemptAt.Before(due) {
				due = a.NextAttemptAt
			}
		}
		if wait := time.Until(due); wait > 0 && wait <= 20*time.Second {
			time.Sleep(wait)
		}
	}
}

func (r *evRig) comment(t *testing.T, platformID string) moderation.Comment {
	t.Helper()
	c, err := r.st.CommentByPlatformID(context.Background(), r.pageKey, platformID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *evRig) emuComment(id string) emulator.StateComment {
	for _, a := range r.emu.State("").Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if c.ID == id {
					return c
				}
			}
		}
	}
	return emulator.StateComment{}
}

// checkInvariant compares every hide and delete the emulator received with
// the commit time of that comment's first evidence PDF.
func (r *evRig) checkInvariant(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	checked := 0
	for _, a := range r.emu.State("").Actions {
		if a.Kind != "hide" && a.Kind != "delete" {
			continue
		}
		c := r.comment(t, a.ObjectID)
		files, err := r.st.Evidence(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var first time.Time
		for _, f := range files {
			if f.Kind == evidencepdf.KindPDF && (first.IsZero() || f.CreatedAt.Before(first)) {
				first = f.CreatedAt
			}
		}
		switch {
		case first.IsZero():
			t.Errorf("%s of %s at %s: no evidence PDF at all", a.Kind, a.ObjectID, a.Time.Format(time.RFC3339Nano))
		case first.After(a.Time):
			t.Errorf("%s of %s at %s before its evidence was committed at %s", a.Kind, a.ObjectID,
				a.Time.Format(time.RFC3339Nano), first.Format(time.RFC3339Nano))
		}
		checked++
	}
	return checked
}

// TestEvidenceBeforeRemoval drives flagged comments through the pipeline
// and the executor against the emulator under faults — the browser killed,
// Ghostscript failing, the platform answering 5xx, a crash between steps —
// and checks that no hide or delete reached the platform before the
// comment's evidence PDF was committed.
func TestEvidenceBeforeRemoval(t *testing.T) {
	testenv.NeedTools(t, "chromium", "gs", "pdftotext")
	ctx := context.Background()
	r, pe := newEvRig(t, "actions: {private_replies: true}\n")

	// Normal run, warm browser.
	pnr := r.add(t, "Ring mig, mitt personnummer är 811218-9876")
	rude := r.add(t, "Du är en jävla idiot")
	plain := r.add(t, "Tack för informationen!")
	foi := r.add(t, "Jag begär att få ta del av allmän handling om detta beslut")
	r.settle(t)
	if !r.emuComment(pnr).Hidden {
		t.Errorf("personal_id comment not hidden on the platform")
	}
	if r.emuComment(rude).Hidden {
		t.Errorf("harassment comment hidden before review; want it left for the reviewer")
	}
	for _, tc := range []struct {
		name, id string
		want     bool
	}{{"personal_id", pnr, true}, {"harassment", rude, true}, {"register", foi, true}, {"ordinary", plain, false}} {
		ok, err := r.ev.Committed(ctx, r.comment(t, tc.id).ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.want {
			t.Errorf("%s comment: evidence committed = %v, want %v", tc.name, ok, tc.want)
		}
	}

	// The browser is killed: the next capture meets a dead browser.
	if pid := r.ev.browser.Stats().PID; pid > 0 {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Fatal("the warm browser is not running")
	}
	sens := r.add(t, "Min granne har HIV och går på psykiatrin, det vet alla")
	r.settle(t)
	if !r.emuComment(sens).Hidden {
		t.Errorf("sensitive_data comment not hidden after a browser crash")
	}

	// No browser at all and Ghostscript failing: text-only, plain PDF.
	gs := filepath.Join(t.TempDir(), "gs")
	if err := os.WriteFile(gs, []byte("#!/bin/sh\necho 'ghostscript broke' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := r.ev.maker
	dead := capture.New(capture.Options{ExecPath: filepath.Join(t.TempDir(), "no-chromium"), StartTimeout: time.Second})
	defer dead.Close()
	r.ev.maker = evidencepdf.New(evidencepdf.Options{Store: r.st, Dir: r.ev.dir, Browser: dead, PDF: pdf.Options{Ghostscript: gs}})
	broken := r.add(t, "Skicka pengar till mitt personnummer 811218-9876 nu")
	r.settle(t)
	if !r.emuComment(broken).Hidden {
		t.Errorf("personal_id comment not hidden when the browser and Ghostscript failed")
	}
	r.ev.maker = good

	// The platform answers 5xx to a hide as often as the client tries: the
	// account is paused, the hide stays pending and goes out once the pause
	// is over.
	r.emu.InjectFault(emulator.Fault{Method: "POST", Path: "/{comment}", Code: 2, Count: 4})
	flaky := r.add(t, "Mitt personnummer: 811218-9876")
	r.settle(t)
	if !r.emuComment(flaky).Hidden {
		t.Errorf("personal_id comment not hidden after the platform's 5xx answers")
	}

	// A crash between committing the evidence and finishing the work item:
	// the replay makes no second PDF and queues no second hide.
	pe.crashAfterDocument = 1
	crash := r.add(t, "personnummer 811218-9876, ring mig")
	r.settle(t)
	c := r.comment(t, crash)
	files, _ := r.st.Evidence(ctx, c.ID)
	pdfs := 0
	for _, f := range files {
		if f.Kind == evidencepdf.KindPDF {
			pdfs++
		}
	}
	acts, _ := r.st.Actions(ctx, c.ID)
	if pdfs != 1 || len(acts) != 1 || !r.emuComment(crash).Hidden {
		t.Errorf("after a crash between steps: %d PDFs, %d actions, hidden %v; want 1, 1, true", pdfs, len(acts), r.emuComment(crash).Hidden)
	}

	// A hide recorded by someone else before any evidence, while evidence
	// cannot be made: it is held back, then sent once evidence exists.
	held := r.add(t, "Vad trevligt med vägarbetet")
	if _, err := r.sup.poller.PollAccount(ctx, r.pageKey, false); err != nil {
		t.Fatal(err)
	}
	hc := r.comment(t, held)
	if files, _ := r.st.Evidence(ctx, hc.ID); len(files) != 0 {
		v, _ := r.st.LatestVerdict(ctx, hc.ID)
		t.Fatalf("the ordinary comment has evidence already (verdict %+v)", v.Verdict)
	}
	r.st.EnqueueAction(ctx, moderation.Action{CommentID: hc.ID, Kind: moderation.ActHide})
	r.ev.maker = evidencepdf.New(evidencepdf.Options{Store: failingStore{r.st}, Dir: r.ev.dir})
	if _, err := r.exec.Drain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if r.emuComment(held).Hidden {
		t.Fatal("hide sent while the evidence could not be committed")
	}
	r.ev.maker = good
	r.settle(t)
	if !r.emuComment(held).Hidden {
		t.Errorf("held hide not sent once evidence could be made")
	}

	// Review decisions: the harassment case approved (reply, then delete),
	// the sensitive_data case kept (unhide). They were made a grace ago,
	// so the executor carries them out at once.
	decidedAt := time.Now().Add(-r.cfg.Review.UndoGrace.D())
	decide := func(id, kind string, to moderation.CaseState) {
		t.Helper()
		cs, err := r.st.ListCases(ctx, moderation.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		cid := r.comment(t, id).ID
		for _, k := range cs {
			if k.CommentID == cid {
				if _, err := r.st.RecordDecision(ctx, moderation.Decision{CaseID: k.ID, Kind: kind, By: "anna", Surface: "cli", At: decidedAt},
					[]moderation.CaseState{moderation.CaseOpen}, to); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no case for %s", id)
	}
	decide(rude, moderation.DecideRemove, moderation.CaseApproved)
	decide(sens, moderation.DecideKeep, moderation.CaseKept)
	r.settle(t)
	if got := r.emuComment(rude); !got.Deleted {
		t.Errorf("approved comment not deleted")
	}
	if r.emuComment(sens).Hidden {
		t.Errorf("kept comment still hidden")
	}
	// Out of public view first (hidden), then the private reply, which
	// needs the comment to exist, then the deletion, then the public
	// explanation where it outlives the comment.
	var order []string
	for _, a := range r.emu.State("").Actions {
		if a.ObjectID == rude {
			order = append(order, a.Kind)
		}
	}
	if strings.Join(order, ",") != "hide,private_reply,delete" {
		t.Errorf("actions on the approved comment = %v, want hide, private reply, then delete", order)
	}
	if _, made, ok := explanation(r.emu.State(""), rude); !ok || made.ID == "" || made.Gone ||
		!strings.Contains(made.Message, "Din kommentar har tagits bort eftersom den innehöll") {
		t.Errorf("explanation %+v (found %v), want the Swedish template after the deletion, still visible", made, ok)
	}
	entries, _ := r.st.RegisterEntries(ctx, time.Now().UTC().Year())
	numbers := map[int64]string{}
	for _, e := range entries {
		numbers[e.CommentID] = e.Number
	}
	for _, tc := range []struct{ name, id string }{{"deleted", rude}, {"register", foi}, {"hidden", pnr}} {
		if n := numbers[r.comment(t, tc.id).ID]; !strings.HasPrefix(n, "KS ") {
			t.Errorf("%s comment: register number %q, want one in the KS series", tc.name, n)
		}
	}

	if n := r.checkInvariant(t); n < 7 {
		t.Errorf("checked %d hides and deletes, want at least 7", n)
	}
	var out strings.Builder
	if err := verifyAll(ctx, &out, r.st, r.ev.dir); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// failingStore fails every evidence write, as a full disk would.
type failingStore struct{ moderation.Store }

func (failingStore) AddEvidence(context.Context, moderation.EvidenceFile) (moderation.EvidenceFile, error) {
	return moderation.EvidenceFile{}, fmt.Errorf("disk full")
}
