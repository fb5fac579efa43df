package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

const explainScenario = `name: Förklaringsby kommun
language: sv
seed: 11
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094860000000001", name: Förklaringsby kommun, token: EMU-explain-1, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
  - {key: ig, platform: instagram, id: "17841400000000601", name: forklaringsby, page: fb, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts:
  - "Simhallen stänger för renovering i sommar."
  - {account: ig, text: "Sommarbild från badplatsen."}
comments: ["Tack för beskedet"]
`

// approve opens a case for the comment and approves its removal through
// the decision service, as a reviewer on the web page does.
func (r *actRig) approve(t *testing.T, cid int64) moderation.Case {
	t.Helper()
	ctx := context.Background()
	now := r.clock.Now()
	cs, _, err := r.st.OpenCase(ctx, moderation.Case{CommentID: cid, Version: 1, AccountKey: r.key, State: moderation.CaseOpen,
		Categories: []string{moderation.CatHarassment}, OpenedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	svc := decide.New(decide.Options{Store: r.st, Now: r.clock.Now})
	if _, err := svc.Decide(ctx, decide.Request{CaseID: cs.ID, Kind: moderation.DecideRemove, By: "anna", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
		t.Fatal(err)
	}
	return cs
}

// rounds runs the action executor n times, a minute apart.
func (r *actRig) rounds(t *testing.T, n int) {
	t.Helper()
	for range n {
		r.drain(t)
		r.clock.Advance(time.Minute)
	}
}

// refusedRemoval adds a rude comment, approves its removal with the
// platform refusing deletions (Graph error 10, a missing permission) and
// runs the executor; it returns the comment's platform id, uppsikt's id
// and its case.
func (r *actRig) refusedRemoval(t *testing.T) (string, int64, moderation.Case) {
	t.Helper()
	id, cid := r.add(t, "Du är en idiot")
	r.emu.InjectFault(emulator.Fault{Code: 10, Method: "DELETE", Path: "/{comment}"})
	cs := r.approve(t, cid)
	r.rounds(t, 3)
	return id, cid, cs
}

// explanation finds what the page told the author of the removed comment
// id: a comment the page made after the deletion that addresses the
// author, and where it is. ok is false when there is none.
func explanation(st emulator.State, id string) (act emulator.Action, made emulator.StateComment, ok bool) {
	deletedAt := -1
	for i, a := range st.Actions {
		if a.ObjectID == id && a.Kind == "delete" {
			deletedAt = i
		}
	}
	for i, a := range st.Actions {
		if (a.Kind != "reply" && a.Kind != "comment") || !strings.Contains(a.Message, "Din kommentar har tagits bort") {
			continue
		}
		if deletedAt < 0 || i < deletedAt {
			return a, emulator.StateComment{}, true // sent, but before the removal
		}
		for _, acc := range st.Accounts {
			for _, p := range acc.Posts {
				for _, c := range p.Comments {
					if c.ID == a.NewID {
						return a, c, true
					}
				}
			}
		}
		return a, emulator.StateComment{}, true
	}
	return emulator.Action{}, emulator.StateComment{}, false
}

// TestExplanationFollowsRemoval approves the removal of a top-level
// comment and of a reply in a thread, on Facebook and Instagram, and
// checks that the author's explanation is sent after the deletion, where
// it is still visible afterwards (not under the deleted comment, whose
// replies go with it), addressed to the author.
func TestExplanationFollowsRemoval(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		nested    bool
		prefix    string // how the explanation addresses the author
		where     string // "post" (on the post or media) or "thread" (under the top-level comment)
	}{
		{"facebook top-level", "facebook-0", false, "Kalle Svensson: ", "post"},
		{"facebook reply", "facebook-0", true, "Kalle Svensson: ", "thread"},
		{"instagram top-level", "instagram-1", false, "@kalle.svensson ", "post"},
		{"instagram reply", "instagram-1", true, "@kalle.svensson ", "thread"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newActRigFor(t, explainScenario, tc.key, "")
			ctx := context.Background()
			parent := r.postID
			var top string
			if tc.nested {
				var err error
				if top, err = r.emu.AddComment(r.postID, "Berit Holm", "Vad bra!"); err != nil {
					t.Fatal(err)
				}
				parent = top
			}
			id, err := r.emu.AddComment(parent, "Kalle Svensson", "Du är en idiot")
			if err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(time.Second)
			r.poll(t)
			c, err := r.st.CommentByPlatformID(ctx, r.key, id)
			if err != nil {
				t.Fatal(err)
			}
			if tc.key == "instagram-1" && c.Author.Name != "kalle.svensson" {
				t.Fatalf("stored Instagram author %q, want the username kalle.svensson", c.Author.Name)
			}
			r.approve(t, c.ID)
			r.rounds(t, 4)
			st := r.emu.State("")
			if !r.emuComment(id).Deleted {
				t.Fatalf("the approved comment is not deleted; platform actions %v", r.platformActions(id))
			}
			a, made, ok := explanation(st, id)
			if !ok {
				t.Fatalf("no explanation sent; platform actions %+v", st.Actions)
			}
			if made.ID == "" {
				t.Fatalf("explanation %+v sent before the deletion or not found on the platform", a)
			}
			t.Logf("the emulator records: %s on %s -> %s %q (by page %v, gone %v); the removed comment %s: deleted %v",
				a.Kind, a.ObjectID, a.NewID, made.Message, made.ByPage, made.Gone, id, r.emuComment(id).Deleted)
			if made.Gone || !made.ByPage {
				t.Errorf("explanation %+v: gone %v, by page %v; want it visible after the removal, by the page", made, made.Gone, made.ByPage)
			}
			if !strings.HasPrefix(made.Message, tc.prefix) {
				t.Errorf("explanation %q, want it to begin with %q", made.Message, tc.prefix)
			}
			wantObject := r.postID
			if tc.where == "thread" {
				wantObject = top
			}
			if a.ObjectID != wantObject {
				t.Errorf("explanation made on %s, want %s (%s)", a.ObjectID, wantObject, tc.where)
			}
			if got := r.platformActions(id); !slices.Equal(got, []string{"delete"}) {
				t.Errorf("calls on the removed comment itself: %v, want only the delete", got)
			}
			acts, err := r.st.Actions(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range acts {
				if x.State != moderation.ActionDone {
					t.Errorf("%s: %s (%s), want done", x.Kind, x.State, x.LastError)
				}
			}
		})
	}
}

// TestFailedRemovalReopensCase: the platform refuses the deletion of an
// approved comment (Graph error 10, a missing permission). The author is
// not told the comment was removed, the case is open again with uppsikt's
// reason, the account's owners get one alert, in their language; approved
// again once the cause is fixed, the comment is deleted and explained.
func TestFailedRemovalReopensCase(t *testing.T) {
	r := newActRigFor(t, explainScenario, "facebook-0", "")
	ctx := context.Background()
	id, cid, cs := r.refusedRemoval(t)
	if r.emuComment(id).Deleted {
		t.Fatal("the comment was deleted despite the fault")
	}
	if a, _, ok := explanation(r.emu.State(""), id); ok {
		t.Fatalf("the author was told of a removal that failed: %+v", a)
	}
	got, err := r.st.Case(ctx, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != moderation.CaseOpen {
		t.Errorf("case state %s after the removal failed, want open", got.State)
	}
	ds, err := r.st.Decisions(ctx, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := ds[len(ds)-1]; last.Kind != moderation.DecideReopen || last.By != "uppsikt" || !strings.Contains(last.Reason, "#10") {
		t.Errorf("last decision %+v, want uppsikt's reopen naming the platform's error", last)
	}
	acts, err := r.st.Actions(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, a := range acts {
		states[a.Kind] = a.State + "/" + a.Outcome + " " + a.LastError
	}
	if !strings.HasPrefix(states[moderation.ActDelete], moderation.ActionFailed+"/") ||
		states[moderation.ActReply] != moderation.ActionDone+"/"+moderation.ActionCancelled+" "+moderation.NoteRemovalFailed {
		t.Errorf("actions %v, want the delete failed and the reply cancelled, not sent", states)
	}

	f := newFakeSlack(t)
	n := uslack.New(uslack.Options{
		Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
		Store:  r.st, Users: r.st, Language: "sv", BaseURL: "https://uppsikt.example/",
		Channel: func(string) string { return "C7" },
	})
	if err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	posts, _, _ := f.snapshot()
	var alerts []string
	for _, p := range posts {
		if strings.Contains(p.Get("text"), "kunde inte") {
			alerts = append(alerts, p.Get("text"))
		}
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0], "ta bort kommentar") {
		t.Fatalf("alerts %q, want one, for the deletion", alerts)
	}
	if strings.Contains(alerts[0], "Permissions error") || !strings.Contains(alerts[0], "behörighet") {
		t.Errorf("alert %q: want the reason in Swedish, not the platform's English", alerts[0])
	}

	// The page's access is mended; a reviewer approves again.
	r.emu.ClearFaults()
	svc := decide.New(decide.Options{Store: r.st, Now: r.clock.Now})
	if _, err := svc.Decide(ctx, decide.Request{CaseID: cs.ID, Kind: moderation.DecideRemove, By: "anna", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb}); err != nil {
		t.Fatal(err)
	}
	r.rounds(t, 3)
	if !r.emuComment(id).Deleted {
		t.Fatal("approved again, the comment is still not deleted")
	}
	if _, made, ok := explanation(r.emu.State(""), id); !ok || made.ID == "" || made.Gone {
		t.Errorf("approved again: explanation %+v (found %v), want one made after the deletion and visible", made, ok)
	}
}

// TestPlatformErrorsInReadersLanguage: a removal that failed on Instagram
// with the platform's English error ("(#100) Replies can only be made to
// top-level comments") and a reopened case are shown to a Danish moderator
// in Danish; only an administrator also sees the platform's own words.
func TestPlatformErrorsInReadersLanguage(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	cs := r.cases[1]
	const igErr = "instagram: reply to comment: (#100) Replies can only be made to top-level comments"
	a, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: cs.CommentID, CaseID: cs.ID, Kind: moderation.ActReply})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.FinishAction(ctx, a.ID, moderation.ActionFailed, "", igErr); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.RecordDecision(ctx, moderation.Decision{CaseID: cs.ID, Kind: moderation.DecideReopen, By: "uppsikt", Surface: "platform",
		Reason: "facebook: delete comment: (#10) Permissions error", At: r.now}, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseOpen); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user      string
		technical bool
	}{{"moderator", false}, {"admin", true}} {
		u, err := r.st.User(ctx, tc.user)
		if err != nil {
			t.Fatal(err)
		}
		u.Language = "da"
		if err := r.st.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		c := signIn(t, r.srv.URL, tc.user, testPassword)
		page := get(t, c, r.srv.URL+"/cases/"+fmt.Sprint(cs.ID))
		for _, want := range []string{"øverste niveau", "(Graph #100)", "genåbnede sagen", "tilladelser", "(Graph #10)", "platformen"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the case page lacks %q", tc.user, want)
			}
		}
		if got := strings.Contains(page, "Replies can only be made"); got != tc.technical {
			t.Errorf("%s: the platform's English message shown: %v, want %v", tc.user, got, tc.technical)
		}
		if strings.Contains(page, "Permissions error") {
			t.Errorf("%s: the reopen reason is shown in the platform's English", tc.user)
		}
	}
}

// TestOwnCommentRemovedWithoutExplanation: the page's own reply with an
// identity number in it, removed in review, is deleted, and the page does
// not answer itself.
func TestOwnCommentRemovedWithoutExplanation(t *testing.T) {
	r := newActRigFor(t, explainScenario, "facebook-0", "")
	ctx := context.Background()
	citizen, _ := r.add(t, "När öppnar simhallen igen?")
	acct, err := r.st.Account(ctx, r.key)
	if err != nil {
		t.Fatal(err)
	}
	own, err := facebook.New(facebook.Options{Client: r.sup.client}).Reply(ctx, acct, citizen, "Hej! Ditt ärende med personnummer 811218-9876 är mottaget.")
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Second)
	r.poll(t)
	c, err := r.st.CommentByPlatformID(ctx, r.key, own)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: c.ID, Version: 1, At: r.clock.Now(),
		Verdict: moderation.Verdict{Categories: []string{moderation.CatPersonalID}, Own: true}}); err != nil {
		t.Fatal(err)
	}
	r.approve(t, c.ID)
	r.rounds(t, 3)
	if !r.emuComment(own).Deleted {
		t.Fatal("the page's own comment was not deleted")
	}
	if a, _, ok := explanation(r.emu.State(""), own); ok {
		t.Errorf("the page explained the removal to itself: %+v", a)
	}
	acts, err := r.st.Actions(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.Kind == moderation.ActReply && (a.Outcome != moderation.ActionCancelled || a.LastError != moderation.NoteOwnComment) {
			t.Errorf("reply: %s/%s (%s), want done and cancelled as the account's own", a.State, a.Outcome, a.LastError)
		}
	}
}
