package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

const actScenario = `name: Åtgärdsby kommun
language: sv
seed: 7
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094850000000001", name: Åtgärdsby kommun, token: EMU-act-1, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts: ["Simhallen stänger för renovering i sommar."]
comments: ["Tack för beskedet"]
`

// actRig is the removal side of the service — the executor, the gate, the
// evidence maker (text-only, no browser) — against the emulator over
// HTTP, on a clock the test moves.
type actRig struct {
	*supRig
	cfg    *config.Config
	st     store
	sup    *supervision
	ev     *evidenceParts
	exec   *act.Executor
	key    string
	postID string
}

func newActRig(t *testing.T) *actRig {
	t.Helper()
	return newActRigFor(t, actScenario, "facebook-0", "")
}

// newActRigFor is newActRig on another scenario, acting on the account
// key, with extra configuration appended.
func newActRigFor(t *testing.T, scenario, key, extra string) *actRig {
	t.Helper()
	sc, err := emulator.ParseScenario("actions", []byte(scenario))
	if err != nil {
		t.Fatal(err)
	}
	r := &actRig{supRig: newSupRig(t, sc), key: key}
	f, err := os.OpenFile(r.cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("capture: {disabled: true}\n" + extra); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r.cfg = r.config(t)
	ctx := context.Background()
	if r.st, err = openStore(ctx, r.cfg, discardLogger()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	if r.ev, err = openEvidence(ctx, r.cfg, r.st, discardLogger(), time.UTC, ruleExplainer(r.cfg)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.ev.Close() })
	if r.sup, err = openSupervision(ctx, r.cfg, r.st, discardLogger(), supervisionOptions{Sleep: r.clock.Sleep, Now: r.clock.Now}); err != nil {
		t.Fatal(err)
	}
	r.exec = newExecutor(r.cfg, r.st, r.sup.client, r.ev, r.clock.Now, discardLogger())
	for _, a := range r.emu.State("").Accounts {
		if a.ID == r.keys[key].ID {
			r.postID = a.Posts[0].ID
		}
	}
	r.poll(t)
	return r
}

func (r *actRig) poll(t *testing.T) {
	t.Helper()
	if _, err := r.sup.poller.PollAccount(context.Background(), r.key, false); err != nil {
		t.Fatal(err)
	}
}

// add writes a visitor's comment on the platform, polls it into the store
// and returns its platform id and uppsikt's id.
func (r *actRig) add(t *testing.T, text string) (string, int64) {
	t.Helper()
	id, err := r.emu.AddComment(r.postID, "Kalle Svensson", text)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Second)
	r.poll(t)
	c, err := r.st.CommentByPlatformID(context.Background(), r.key, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, c.ID
}

func (r *actRig) queue(t *testing.T, commentID int64, kind string) moderation.Action {
	t.Helper()
	a, _, err := r.st.EnqueueAction(context.Background(), moderation.Action{CommentID: commentID, Kind: kind, CreatedAt: r.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (r *actRig) drain(t *testing.T) {
	t.Helper()
	if _, err := r.exec.Drain(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func (r *actRig) action(t *testing.T, a moderation.Action) moderation.Action {
	t.Helper()
	as, err := r.st.Actions(context.Background(), a.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range as {
		if x.ID == a.ID {
			return x
		}
	}
	t.Fatalf("action %d not found", a.ID)
	return moderation.Action{}
}

func (r *actRig) emuComment(id string) emulator.StateComment {
	return (&evRig{emu: r.emu}).emuComment(id)
}

// platformActions lists the kinds of the actions the emulator carried out
// on an object.
func (r *actRig) platformActions(id string) []string {
	var out []string
	for _, a := range r.emu.State("").Actions {
		if a.ObjectID == id {
			out = append(out, a.Kind)
		}
	}
	return out
}

// checkGate checks the removal invariant over everything the emulator
// carried out: every hide and delete went through the gate
// (removal.send for that comment), with a receipt naming an evidence PDF
// of the version it documents, committed (evidence.committed) before the
// call was sent. It returns how many removals it checked.
func checkGate(t *testing.T, st moderation.Store, emu *emulator.Emulator, key string) int {
	t.Helper()
	ctx := context.Background()
	log, err := st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	type detail struct {
		Kind     string `json:"kind"`
		Version  int    `json:"version"`
		Evidence int64  `json:"evidence_id"`
		SHA256   string `json:"evidence_sha256"`
	}
	checked := 0
	for _, a := range emu.State("").Actions {
		if a.Kind != "hide" && a.Kind != "delete" {
			continue
		}
		c, err := st.CommentByPlatformID(ctx, key, a.ObjectID)
		if err != nil {
			t.Errorf("%s of %s: not a stored comment: %v", a.Kind, a.ObjectID, err)
			continue
		}
		subject := "comment " + strconv.FormatInt(c.ID, 10)
		files, err := st.Evidence(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		committed := map[string]int64{} // evidence sha → audit seq of its commit
		var sent *detail
		var sentSeq int64
		for _, e := range log {
			if e.Subject != subject {
				continue
			}
			switch e.Action {
			case evidencepdf.AuditCommitted:
				var d struct {
					SHA256 string `json:"sha256"`
				}
				json.Unmarshal(e.Detail, &d)
				committed[d.SHA256] = e.Seq
			case removal.AuditSend:
				var d detail
				json.Unmarshal(e.Detail, &d)
				if d.Kind == a.Kind {
					sent, sentSeq = &d, e.Seq
				}
			}
		}
		if sent == nil {
			t.Errorf("%s of comment %d reached the platform without going through the gate", a.Kind, c.ID)
			continue
		}
		var file *moderation.EvidenceFile
		for i := range files {
			if files[i].ID == sent.Evidence {
				file = &files[i]
			}
		}
		switch {
		case file == nil || file.Kind != moderation.EvidencePDF || file.SHA256 != sent.SHA256:
			t.Errorf("%s of comment %d: receipt names evidence %d (%s), not a stored PDF of the comment", a.Kind, c.ID, sent.Evidence, sent.SHA256)
		case file.Version != sent.Version || sent.Version < 1:
			t.Errorf("%s of comment %d: receipt of version %d on a PDF of version %d", a.Kind, c.ID, sent.Version, file.Version)
		case committed[file.SHA256] == 0 || committed[file.SHA256] > sentSeq:
			t.Errorf("%s of comment %d sent before its evidence was committed", a.Kind, c.ID)
		}
		checked++
	}
	return checked
}

// TestHideWaitsOutRateLimit: a hide that meets a rate limit whose end is
// known (Graph 80001, regain in 10 minutes) waits until then without using
// its attempts, however often the executor looks, and goes out once the
// limit has passed.
func TestHideWaitsOutRateLimit(t *testing.T) {
	r := newActRig(t)
	id, cid := r.add(t, "Ring mig, mitt personnummer är 811218-9876")
	a := r.queue(t, cid, moderation.ActHide)
	r.emu.InjectFault(emulator.Fault{Code: 80001, Method: "POST", Path: "/{comment}", RegainMinutes: 10})
	for range 30 {
		r.drain(t)
		r.clock.Advance(2 * time.Second)
	}
	got := r.action(t, a)
	if got.State != moderation.ActionPending || got.Attempts != 0 {
		t.Fatalf("after a minute under a rate limit: %s with %d attempts (%s), want pending with none used", got.State, got.Attempts, got.LastError)
	}
	if r.emuComment(id).Hidden {
		t.Fatal("hidden while the platform refused it")
	}
	if want := r.clock.Now().Add(8 * time.Minute); got.NextAttemptAt.Before(want) {
		t.Errorf("next attempt at %s, want at the limit's end (about 10 minutes after it was met, after %s)", got.NextAttemptAt, want)
	}
	r.emu.ClearFaults()
	r.clock.Advance(10 * time.Minute)
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionDone || !r.emuComment(id).Hidden {
		t.Errorf("after the limit passed: %s (%s), hidden %v; want done and hidden", got.State, got.LastError, r.emuComment(id).Hidden)
	}
	if n := checkGate(t, r.st, r.emu, r.key); n != 1 {
		t.Errorf("removals checked: %d, want 1", n)
	}
}

// TestHideWaitsForToken: a hide that meets a revoked token (Graph 190/460)
// marks the account disconnected and waits, sending nothing more, until
// the account is active again — here because Meta accepts the token again
// and the poller's probe notices — and then goes out. No attempt is used.
func TestHideWaitsForToken(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	id, cid := r.add(t, "Mitt personnummer är 811218-9876")
	a := r.queue(t, cid, moderation.ActHide)
	r.emu.InjectFault(emulator.Fault{Code: 190, Subcode: 460, Method: "POST", Path: "/{comment}", Count: 1})
	r.drain(t)
	acct, err := r.st.Account(ctx, r.key)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Status != moderation.AccountDisconnected {
		t.Errorf("account after the token was rejected: %s, want disconnected", acct.Status)
	}
	requests := r.sup.client.Requests(r.key)
	for range 10 {
		r.clock.Advance(time.Minute)
		r.drain(t)
	}
	got := r.action(t, a)
	if got.State != moderation.ActionPending || got.Attempts != 0 {
		t.Fatalf("while disconnected: %s with %d attempts (%s), want pending with none used", got.State, got.Attempts, got.LastError)
	}
	if n := r.sup.client.Requests(r.key) - requests; n != 0 {
		t.Errorf("requests while disconnected: %d, want none", n)
	}
	if r.emuComment(id).Hidden {
		t.Fatal("hidden with a revoked token")
	}
	// Meta accepts the token again; the poller's next visit to the account
	// probes the token and notices.
	r.emu.ResetTokens("")
	sched, err := r.st.Schedule(ctx, r.key)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(sched.NextPollAt.Sub(r.clock.Now()) + time.Second)
	r.poll(t)
	if acct, _ := r.st.Account(ctx, r.key); acct.Status != moderation.AccountActive {
		t.Fatalf("account after the token was accepted again: %s (%s), want active", acct.Status, acct.StatusNote)
	}
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionDone || !r.emuComment(id).Hidden {
		t.Errorf("after reconnection: %s (%s), hidden %v; want done and hidden", got.State, got.LastError, r.emuComment(id).Hidden)
	}
	if n := checkGate(t, r.st, r.emu, r.key); n != 1 {
		t.Errorf("removals checked: %d, want 1", n)
	}
}

// TestFailedActionAlerts: a hide the platform refuses for good (Graph 200,
// permission) fails at once, and the account's channel gets one alert
// naming the comment, the reason and the owners — not again on the next
// pass or after a restart, but again when an administrator retries it and
// it fails again.
func TestFailedActionAlerts(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	_, cid := r.add(t, "Mitt personnummer är 811218-9876")
	a := r.queue(t, cid, moderation.ActHide)
	r.emu.InjectFault(emulator.Fault{Code: 200, Method: "POST", Path: "/{comment}"})
	r.drain(t)
	if got := r.action(t, a); got.State != moderation.ActionFailed {
		t.Fatalf("after a permission error: %s (%s), want failed", got.State, got.LastError)
	}
	f := newFakeSlack(t)
	notifier := func() *uslack.Notifier {
		return uslack.New(uslack.Options{
			Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
			Store:  r.st, Users: r.st, Language: "en", BaseURL: "https://uppsikt.example/",
			Channel:    func(string) string { return "C7" },
			SlackUsers: map[string]string{"U42": "a"},
		})
	}
	failedAlerts := func() []string {
		posts, _, _ := f.snapshot()
		var out []string
		for _, p := range posts {
			if strings.Contains(p.Get("text"), "could not") {
				out = append(out, p.Get("channel")+" "+p.Get("text"))
			}
		}
		return out
	}
	n := notifier()
	for range 2 {
		if err := n.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := failedAlerts()
	if len(got) != 1 {
		t.Fatalf("alerts after two passes: got %d %v, want 1", len(got), got)
	}
	for _, want := range []string{"C7 ", "could not hide comment", "/comments/" + strconv.FormatInt(cid, 10), "(facebook-0, facebook)", "(Graph #200)", "permissions", "<@U42>", "retry"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("alert: got %q, want it to contain %q", got[0], want)
		}
	}
	if err := notifier().Sync(ctx); err != nil { // a restart
		t.Fatal(err)
	}
	if got := failedAlerts(); len(got) != 1 {
		t.Errorf("alerts after a restart: got %d, want 1", len(got))
	}
	// An administrator retries; it fails again: a new alert.
	if err := r.st.RetryAction(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	r.drain(t)
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := failedAlerts(); len(got) != 2 {
		t.Errorf("alerts after a retry failed again: got %d, want 2", len(got))
	}
}

// TestHideOfDeletedCommentRecordedAsGone: a hide or delete of a comment
// its author deleted meanwhile is recorded as that — the comment deleted,
// the action done with outcome gone, audited removal.gone — and not as
// hidden. A delete still gets its register entry.
func TestHideOfDeletedCommentRecordedAsGone(t *testing.T) {
	for _, kind := range []string{moderation.ActHide, moderation.ActDelete} {
		t.Run(kind, func(t *testing.T) {
			r := newActRig(t)
			ctx := context.Background()
			id, cid := r.add(t, "Mitt personnummer är 811218-9876")
			a := r.queue(t, cid, kind)
			if err := r.emu.AuthorDelete(id); err != nil {
				t.Fatal(err)
			}
			r.drain(t)
			got := r.action(t, a)
			if got.State != moderation.ActionDone || got.Outcome != moderation.ActionGone {
				t.Errorf("action: %s, outcome %q (%s); want done, outcome gone", got.State, got.Outcome, got.LastError)
			}
			c, err := r.st.Comment(ctx, cid)
			if err != nil {
				t.Fatal(err)
			}
			if c.State != moderation.StateDeleted {
				t.Errorf("comment: %s, want deleted", c.State)
			}
			if kinds := r.platformActions(id); len(kinds) != 0 {
				t.Errorf("platform actions on the deleted comment: %v, want none", kinds)
			}
			log, err := r.st.AuditLog(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			gone := 0
			for _, e := range log {
				if e.Action == removal.AuditGone && e.Subject == "comment "+strconv.FormatInt(cid, 10) {
					gone++
				}
				if e.Action == removal.AuditDone {
					t.Errorf("audit: %s %s, want no removal recorded as done", e.Action, e.Subject)
				}
			}
			if gone != 1 {
				t.Errorf("audit entries %s: %d, want 1", removal.AuditGone, gone)
			}
			entries, err := r.st.RegisterEntries(ctx, r.clock.Now().UTC().Year())
			if err != nil {
				t.Fatal(err)
			}
			if kind == moderation.ActDelete && (len(entries) != 1 || entries[0].CommentID != cid) {
				t.Errorf("register after the delete: %+v, want the comment's entry", entries)
			}
		})
	}
}

// TestApprovedDeleteAfterEditDocumentsNewVersion: a removal approved in
// review, of a comment edited after its evidence was made, documents the
// new version first and deletes after that evidence is committed.
func TestApprovedDeleteAfterEditDocumentsNewVersion(t *testing.T) {
	r := newActRig(t)
	ctx := context.Background()
	id, cid := r.add(t, "Du är en jävla idiot")
	if err := r.ev.Document(ctx, cid, 0, ""); err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	cs, _, err := r.st.OpenCase(ctx, moderation.Case{CommentID: cid, Version: 1, AccountKey: r.key, State: moderation.CaseOpen,
		Categories: []string{moderation.CatHarassment}, OpenedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.RecordDecision(ctx, moderation.Decision{CaseID: cs.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "cli", At: now},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved); err != nil {
		t.Fatal(err)
	}
	// The author edits before uppsikt acts; a poll stores version 2.
	if err := r.emu.EditComment(id, "Du är en jävla idiot, och det står jag för"); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	r.poll(t)
	if c, _ := r.st.Comment(ctx, cid); c.Versions != 2 {
		t.Fatalf("stored versions: %d, want 2", c.Versions)
	}
	for range 3 {
		r.drain(t)
		r.clock.Advance(time.Minute)
	}
	if kinds := strings.Join(r.platformActions(id), ","); kinds != "delete" {
		t.Fatalf("platform actions on the comment: %s, want delete", kinds)
	}
	if _, made, ok := explanation(r.emu.State(""), id); !ok || made.ID == "" || made.Gone {
		t.Fatalf("explanation %+v (found %v), want one made after the deletion and still visible", made, ok)
	}
	files, err := r.st.Evidence(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[int]int{}
	for _, f := range files {
		if f.Kind == evidencepdf.KindPDF {
			versions[f.Version]++
		}
	}
	if versions[1] != 1 || versions[2] != 1 {
		t.Errorf("evidence PDFs by version: %v, want one of version 1 and one of version 2", versions)
	}
	if n := checkGate(t, r.st, r.emu, r.key); n != 1 {
		t.Errorf("removals checked: %d, want 1", n)
	}
	entries, _ := r.st.RegisterEntries(ctx, r.clock.Now().UTC().Year())
	if len(entries) != 1 || entries[0].CaseID != cs.ID {
		t.Errorf("register: %+v, want one entry for the case", entries)
	}
}
