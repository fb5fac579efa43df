package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

const ownPostsScenario = `
name: Aalborg Skole
language: da
seed: 11
days: 1500
user_token: EMU-da-user-ownposts
accounts:
  - {key: fb, platform: facebook, id: "1094810000000555", name: Aalborg Skole, token: EMU-ownposts-fb, posts: 6,
     comments_per_post: [1, 2], reply_percent: 0}
  - {key: ig, platform: instagram, page: fb, id: "17841400000000555", name: aalborgskole, token: EMU-ownposts-ig, posts: 2,
     comments_per_post: [1, 1], reply_percent: 0}
authors: [Mette Jensen, Lars Nielsen]
posts:
  - text: "Billeder fra sommerfesten"
  - text: "Dimission 3.g – tillykke til alle studenter"
  - {account: ig, text: "Skolefoto fra idrætsdagen"}
comments:
  - "Sikke en dejlig fest!"
page_replies: ["Tak!"]
replies: ["Enig"]
`

// TestOwnPostsCommands runs the deletion of own posts past their age and
// the objection workflow through the subcommands, against the platform
// emulator over HTTP with the real Graph client and a SQLite store.
func TestOwnPostsCommands(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err != nil {
		if _, err := exec.LookPath("chromium"); err != nil {
			testenv.Missing(t, "Chromium is not installed: run `make deps` (scripts/install-deps.sh)")
		}
	}
	sc, err := emulator.ParseScenario("ownposts.yaml", []byte(ownPostsScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRigClock(t, sc, &testClock{real: true})
	var fbKey, igKey string
	var fbAcc emulator.Account
	for k, a := range r.keys {
		if a.Platform == "facebook" {
			fbKey, fbAcc = k, a
		} else {
			igKey = k
		}
	}
	since := time.Now().AddDate(-5, 0, 0).Format(time.DateOnly)
	for _, key := range []string{fbKey, igKey} {
		if code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", since); code != 0 {
			t.Fatalf("backfill %s: exit %d\n%s%s", key, code, out, errs)
		}
	}
	ctx := context.Background()
	st := r.store(t)
	overdue, err := retention.OverduePosts(ctx, st, retention.Plan{}, fbKey, time.Now())
	var young []string
	if all, _, err := st.PostsBetween(ctx, fbKey, time.Now().AddDate(-2, 0, 0), time.Now(), moderation.PostCursor{}, 100); err == nil {
		for _, p := range all {
			young = append(young, p.PlatformID)
		}
	}
	igPosts, _, err := st.PostsBetween(ctx, igKey, time.Unix(1, 0), time.Now(), moderation.PostCursor{}, 100)
	st.Close()
	if err != nil || len(overdue) < 3 || len(young) < 2 || len(igPosts) == 0 {
		t.Fatalf("scenario: got %d overdue, %d young Facebook posts, %d Instagram media, %v; want at least 3, 2 and 1", len(overdue), len(young), len(igPosts), err)
	}
	deletes := func(id string) int {
		n := 0
		for _, a := range r.emu.State("").Actions {
			if a.Kind == "delete" && a.ObjectID == id {
				n++
			}
		}
		return n
	}
	graphGet := func(id string) int {
		resp, err := http.Get(r.graph.URL + "/v23.0/" + id + "?fields=id&access_token=" + fbAcc.Token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// 1. Approval is refused while no snapshot covers the post.
	p1 := overdue[0].Post
	code, out, errs := r.run(t, "retention", "approve", "-config", r.cfgPath, "-account", fbKey, "-post", p1.PlatformID, "-by", "arkivar")
	if code != 1 || !strings.Contains(errs, "in no snapshot") {
		t.Errorf("approve before the snapshot: exit %d, %q %q; want 1 saying it is in no snapshot", code, out, errs)
	}
	if n := deletes(p1.PlatformID); n != 0 || graphGet(p1.PlatformID) != 200 {
		t.Fatalf("the emulator got %d deletions of %s before approval, want 0 and the post still there", n, p1.PlatformID)
	}
	if code, out, _ = r.run(t, "retention", "posts", "-config", r.cfgPath, "-account", fbKey); code != 0 || !strings.Contains(out, "not approved") {
		t.Errorf("retention posts: exit %d, %q", code, out)
	}

	// 2. The snapshot of each overdue year, then the approval deletes on the platform.
	years := map[int]bool{}
	for _, o := range overdue {
		years[o.Post.CreatedAt.Year()] = true
	}
	for y := range years {
		out := filepath.Join(r.dir, "snap-"+strconv.Itoa(y)+".pdf")
		if code, o, e := r.run(t, "snapshot", "-config", r.cfgPath, "-account", fbKey, "-year", strconv.Itoa(y), "-out", out, "-no-browser"); code != 0 {
			t.Fatalf("snapshot %d: exit %d %s%s", y, code, o, e)
		}
	}
	code, out, errs = r.run(t, "retention", "approve", "-config", r.cfgPath, "-account", fbKey, "-post", p1.PlatformID, "-by", "arkivar")
	if code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("approve after the snapshot: exit %d, %q %q", code, out, errs)
	}
	if n := deletes(p1.PlatformID); n != 1 || graphGet(p1.PlatformID) == 200 {
		t.Errorf("after approval: %d deletions of %s on the emulator, want 1 and the post gone", n, p1.PlatformID)
	}

	// 3. A crash between storing the approval and sending it (p2), and one
	// after the platform call but before its outcome was stored (p3): the
	// next run sends each once more, and each post is deleted exactly once.
	p2, p3 := overdue[1].Post, overdue[2].Post
	st = r.store(t)
	d := &retention.Deleter{Store: st, Now: time.Now}
	if _, err := d.Approve(ctx, fbKey, p2.PlatformID, "arkivar"); err != nil {
		t.Fatal(err)
	}
	del3, err := d.Approve(ctx, fbKey, p3.PlatformID, "arkivar")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartPostDeletion(ctx, del3.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	req, _ := http.NewRequest(http.MethodDelete, r.graph.URL+"/v23.0/"+p3.PlatformID+"?access_token="+fbAcc.Token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the call that reached the platform before the crash: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := deletes(p2.PlatformID); n != 0 {
		t.Fatalf("a stored approval was sent before the run: %d deletions", n)
	}
	if code, out, errs = r.run(t, "retention", "resume", "-config", r.cfgPath); code != 0 {
		t.Fatalf("retention resume: exit %d %q %q", code, out, errs)
	}
	if code, out, errs = r.run(t, "retention", "resume", "-config", r.cfgPath); code != 0 {
		t.Fatalf("retention resume again: exit %d %q %q", code, out, errs)
	}
	for _, p := range []moderation.Post{p2, p3} {
		if n := deletes(p.PlatformID); n != 1 || graphGet(p.PlatformID) == 200 {
			t.Errorf("%s: %d deletions on the emulator, want exactly 1 and the post gone", p.PlatformID, n)
		}
	}
	code, out, _ = r.run(t, "retention", "deletions", "-config", r.cfgPath, "-account", fbKey)
	if code != 0 || strings.Count(out, "deleted") != 3 || strings.Contains(out, "pending") {
		t.Errorf("retention deletions: exit %d\n%s; want 3 deleted, none pending", code, out)
	}
	code, out, errs = r.run(t, "retention", "approve", "-config", r.cfgPath, "-account", fbKey, "-all-due", "-by", "arkivar")
	if code != 0 || !strings.Contains(out, strconv.Itoa(len(overdue))+" own posts past their age") {
		t.Errorf("approve -all-due: exit %d %q %q", code, out, errs)
	}
	for _, o := range overdue {
		if n := deletes(o.Post.PlatformID); n != 1 {
			t.Errorf("%s after -all-due: %d deletions on the emulator, want 1", o.Post.PlatformID, n)
		}
	}
	st = r.store(t)
	if del, _ := st.PostDeletion(ctx, del3.ID); del.Attempts != 2 || del.State != moderation.DeletionDone {
		t.Errorf("deletion sent before the crash: got %s after %d attempts, want deleted after 2", del.State, del.Attempts)
	}
	st.Close()

	// 4. An objection to a photo in a young post: evidence first, removal on approval.
	p5 := young[len(young)-1]
	code, out, errs = r.run(t, "objection", "add", "-config", r.cfgPath, "-account", fbKey, "-post", p5, "-by", "Mette Jensen",
		"-reason", "Min datter er på billedet uden samtykke", "-contact", "mette@example.dk", "-lang", "da", "-recorded-by", "kommunikation")
	if code != 0 || !strings.Contains(out, "objection 1 recorded") {
		t.Fatalf("objection add: exit %d %q %q", code, out, errs)
	}
	if n := deletes(p5); n != 0 || graphGet(p5) != 200 {
		t.Fatalf("objection add deleted the post (%d deletions)", n)
	}
	if code, out, _ = r.run(t, "objection", "approve", "-config", r.cfgPath, "-id", "1"); code != 2 {
		t.Errorf("objection approve without -by: exit %d, want 2", code)
	}
	code, out, errs = r.run(t, "objection", "approve", "-config", r.cfgPath, "-id", "1", "-by", "rektor")
	if code != 0 || !strings.Contains(out, "objection 1 is confirmed") || !strings.Contains(out, "Kære Mette Jensen") {
		t.Fatalf("objection approve: exit %d %q %q", code, out, errs)
	}
	if n := deletes(p5); n != 1 || graphGet(p5) == 200 {
		t.Errorf("after the objection's approval: %d deletions of %s, want 1 and the post gone", n, p5)
	}
	st = r.store(t)
	o, err := st.Objection(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var deletedAt time.Time
	for _, a := range r.emu.State("").Actions {
		if a.Kind == "delete" && a.ObjectID == p5 {
			deletedAt = a.Time
		}
	}
	if o.EvidenceAt.IsZero() || !o.EvidenceAt.Before(deletedAt) {
		t.Errorf("objection evidence committed at %s, the delete reached the emulator at %s: want the evidence first",
			o.EvidenceAt.Format(time.RFC3339Nano), deletedAt.Format(time.RFC3339Nano))
	}
	if o.EvidenceKind != "pdfa" {
		t.Errorf("evidence kind: got %q, want pdfa (screenshot of the permalink page and the data, PDF/A)", o.EvidenceKind)
	}
	dir, err := evidence.Open(filepath.Join(r.dir, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.Verify(ctx, evidence.File{SHA256: o.EvidenceSHA256, Path: o.EvidencePath, Size: o.EvidenceSize}); err != nil {
		t.Errorf("evidence file: %v", err)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", filepath.Join(dir.Root(), o.EvidencePath), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{o.RegisterNumber, "Mette Jensen", "Indsigelse", "Skærmbillede"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("evidence PDF lacks %q", want)
		}
	}
	es, _ := st.RegisterEntries(ctx, time.Now().Year())
	found := false
	for _, e := range es {
		found = found || (e.Number == o.RegisterNumber && e.CommentID == 0)
	}
	if !found || o.RegisterNumber == "" {
		t.Errorf("register: no entry %q for the objection in %+v", o.RegisterNumber, es)
	}
	log, _ := st.AuditLog(ctx, 0, 0)
	var actions []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "objection.") {
			actions = append(actions, e.Action)
		}
	}
	if got, want := strings.Join(actions, " "), "objection.received objection.evidence_captured objection.approved objection.removed objection.confirmed"; got != want {
		t.Errorf("audit of the objection:\n got %s\nwant %s", got, want)
	}
	st.Close()

	// 5. A refused objection leaves the post.
	p4 := young[0]
	if code, out, errs = r.run(t, "objection", "add", "-config", r.cfgPath, "-account", fbKey, "-post", p4, "-by", "Lars Nielsen",
		"-reason", "Jeg kan ikke lide billedet"); code != 0 {
		t.Fatalf("objection add: exit %d %q %q", code, out, errs)
	}
	if code, out, errs = r.run(t, "objection", "refuse", "-config", r.cfgPath, "-id", "2", "-by", "rektor", "-reason", "Lars er ikke på billedet"); code != 0 || !strings.Contains(out, "refused") {
		t.Errorf("objection refuse: exit %d %q %q", code, out, errs)
	}
	if deletes(p4) != 0 || graphGet(p4) != 200 {
		t.Errorf("a refused objection deleted the post")
	}

	// 6. Instagram media cannot be deleted through the API: marked for a
	// manual removal, confirmed only once a re-read shows it gone.
	ig := igPosts[0].PlatformID
	if code, out, errs = r.run(t, "objection", "add", "-config", r.cfgPath, "-account", igKey, "-post", ig, "-by", "Mette Jensen",
		"-reason", "Billedet af min søn", "-lang", "da"); code != 0 {
		t.Fatalf("objection add (Instagram): exit %d %q %q", code, out, errs)
	}
	code, out, errs = r.run(t, "objection", "approve", "-config", r.cfgPath, "-id", "3", "-by", "rektor")
	if code != 0 || !strings.Contains(out, "removed by hand") || deletes(ig) != 0 {
		t.Errorf("objection approve (Instagram): exit %d %q %q, %d deletions; want a manual removal and no API call", code, out, errs, deletes(ig))
	}
	if code, out, errs = r.run(t, "objection", "confirm", "-config", r.cfgPath, "-id", "3"); code != 1 || !strings.Contains(errs, "still on the platform") {
		t.Errorf("confirm before the manual removal: exit %d %q %q; want 1, still there", code, out, errs)
	}
	if err := r.emu.DeletePost(ig); err != nil {
		t.Fatal(err)
	}
	if code, out, errs = r.run(t, "objection", "confirm", "-config", r.cfgPath, "-id", "3", "-by", "rektor"); code != 0 || !strings.Contains(out, "confirmed") || !strings.Contains(out, "Instagram") {
		t.Errorf("confirm after the manual removal: exit %d %q %q", code, out, errs)
	}
	if code, out, errs = r.run(t, "objection", "show", "-config", r.cfgPath, "-id", "1"); code != 0 || !strings.Contains(out, "intact") || !strings.Contains(out, "Kære Mette Jensen") {
		t.Errorf("objection show: exit %d %q %q; want the evidence intact and the confirmation", code, out, errs)
	}
	code, out, _ = r.run(t, "objection", "list", "-config", r.cfgPath)
	if code != 0 || strings.Count(out, "confirmed") != 2 || !strings.Contains(out, "refused") {
		t.Errorf("objection list: exit %d\n%s", code, out)
	}
	if code, out, errs = r.run(t, "verify", "-config", r.cfgPath); code != 0 {
		t.Errorf("verify (audit chain): exit %d %q %q", code, out, errs)
	}
	code, out, errs = r.run(t, "register", "list", "-config", r.cfgPath, "-year", time.Now().Format("2006"))
	if code != 0 || !strings.Contains(out, "(objection 1)") || !strings.Contains(out, "(objection 3)") {
		t.Errorf("register list: exit %d %q %q; want the objections' entries naming their posts", code, out, errs)
	}
	// verify re-hashes the objections' evidence too: a changed file is found.
	tampered := filepath.Join(dir.Root(), o.EvidencePath)
	if err := os.Chmod(tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, []byte("%PDF-1.7 changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs = r.run(t, "verify", "-config", r.cfgPath); code != 1 || !strings.Contains(errs, "objection") {
		t.Errorf("verify after the objection's evidence changed: exit %d %q %q; want 1 naming the objection", code, out, errs)
	}
}
