package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

const (
	fullNumber   = "199001011234" // in the rig's first comment
	maskedNumber = "19900101••••"
	hiddenText   = "Min son Nils har diabetes, hans cpr är 010145-1234"
	hiddenNote   = "[Texten är dold: känsliga personuppgifter]"
)

// hiddenSensitive adds a comment uppsikt hid for sensitive personal data,
// with its open case, and returns the case.
func (r *reviewRig) hiddenSensitive(t *testing.T) moderation.Case {
	t.Helper()
	ctx := context.Background()
	res, err := r.st.RecordComment(ctx, moderation.CommentObservation{
		AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_9", Author: moderation.Author{ID: "9", Name: "Förälder"},
		Message: hiddenText, CreatedAt: r.now, Source: moderation.SourcePoll, SeenAt: r.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	cat := moderation.CatSensitiveData
	start := strings.Index(hiddenText, "diabetes")
	if err := r.st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, At: r.now,
		Verdict: moderation.Verdict{Categories: []string{cat}, Hits: []moderation.Hit{{RuleID: "sv.health", Category: cat, Start: start, End: start + 8, Match: "diabetes"}}}}); err != nil {
		t.Fatal(err)
	}
	c, _, err := r.st.OpenCase(ctx, moderation.Case{CommentID: res.CommentID, Version: 1, Categories: []string{cat}, OpenedAt: r.now})
	if err != nil {
		t.Fatal(err)
	}
	r.hide(t, c)
	return c
}

// hide records that uppsikt hid the case's comment.
func (r *reviewRig) hide(t *testing.T, c moderation.Case) {
	t.Helper()
	ctx := context.Background()
	a, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActHide})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.FinishAction(ctx, a.ID, moderation.ActionDone, "", ""); err != nil {
		t.Fatal(err)
	}
	cm, err := r.st.Comment(ctx, c.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.RecordStateChange(ctx, moderation.StateChange{AccountKey: "fb", PlatformID: cm.PlatformID, State: moderation.StateHidden,
		At: r.now, Source: moderation.SourceAction}); err != nil {
		t.Fatal(err)
	}
}

// post posts a form with the session's token and returns the status and
// body of the answer (redirects not followed).
func post(t *testing.T, c *http.Client, base, path string, form url.Values) (int, string, string) {
	t.Helper()
	cl := *c
	cl.CheckRedirect = noRedirect
	form.Set("csrf", formToken(t, c, base+"/cases"))
	resp, err := cl.PostForm(base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// TestReviewMasksIdentityNumbers: every page that shows comment text masks
// identity numbers for every role and hides the whole text of a comment
// uppsikt hid for personal data; only the roles that may reveal get the
// control, and only the roles that may open evidence see its links.
func TestReviewMasksIdentityNumbers(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	hid := r.hiddenSensitive(t)
	x := r.cases[0]
	if _, err := r.st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: x.CommentID, Kind: moderation.EvidencePDF, SHA256: strings.Repeat("a", 64),
		Path: "aa/evidence.pdf", Size: 10, CreatedAt: r.now, Version: 1}); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		path, wantMasked string
		reveal           string // the reveal form's action, "" where there is none
		archivistsOnly   bool
	}{
		{"/cases", maskedNumber, "", false},
		{"/cases?state=all", hiddenNote, "", false},
		{fmt.Sprintf("/cases/%d", x.ID), maskedNumber, fmt.Sprintf("/cases/%d/reveal", x.ID), false},
		{fmt.Sprintf("/cases/%d", hid.ID), hiddenNote, fmt.Sprintf("/cases/%d/reveal", hid.ID), false},
		{"/", maskedNumber, "", false},
		{"/?flagged=1", hiddenNote, "", false},
		{fmt.Sprintf("/comments/%d", x.CommentID), maskedNumber, fmt.Sprintf("/comments/%d/reveal", x.CommentID), false},
		{fmt.Sprintf("/comments/%d", hid.CommentID), hiddenNote, fmt.Sprintf("/comments/%d/reveal", hid.CommentID), false},
		{"/search?q=citat", maskedNumber, "", true},
		{"/search?q=Nils", hiddenNote, "", true},
	}
	for _, role := range []moderation.Role{moderation.RoleViewer, moderation.RoleArchivist, moderation.RoleModerator, moderation.RoleAdmin} {
		c := signIn(t, r.srv.URL, string(role), testPassword)
		for _, p := range pages {
			t.Run(string(role)+" "+p.path, func(t *testing.T) {
				status, body := page(t, c, "GET", r.srv.URL+p.path)
				if p.archivistsOnly && role == moderation.RoleViewer {
					if status != http.StatusForbidden {
						t.Errorf("status: got %d, want 403", status)
					}
					return
				}
				if status != http.StatusOK {
					t.Fatalf("status: got %d, want 200", status)
				}
				for _, secret := range []string{fullNumber, "010145-1234", "diabetes", "Min son Nils"} {
					if strings.Contains(body, secret) {
						t.Errorf("the page shows %q", secret)
					}
				}
				if !strings.Contains(body, p.wantMasked) {
					t.Errorf("the page lacks %q:\n%s", p.wantMasked, body)
				}
				if p.reveal != "" {
					got := strings.Contains(body, `action="`+p.reveal+`"`) && strings.Contains(body, "Visa hela texten")
					if want := role != moderation.RoleViewer; got != want {
						t.Errorf("reveal control: got %v, want %v", got, want)
					}
				}
				if p.path == fmt.Sprintf("/cases/%d", x.ID) {
					got := strings.Contains(body, `href="/evidence/`)
					if want := role != moderation.RoleViewer; got != want {
						t.Errorf("evidence link: got %v, want %v", got, want)
					}
				}
			})
		}
	}
}

// TestReviewRevealIsAuditedAndOneOff: a moderator or archivist reveals the
// full text with a form, the audit log records who, where and what, and
// the next page is masked again; a viewer cannot.
func TestReviewRevealIsAuditedAndOneOff(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	hid := r.hiddenSensitive(t)
	x := r.cases[0]
	tests := []struct {
		name, user, path, page string
		commentID, caseID      int64
		want                   string
	}{
		{"moderator, case page", "moderator", fmt.Sprintf("/cases/%d/reveal", x.ID), "case", x.CommentID, x.ID, fullNumber},
		{"admin, hidden case", "admin", fmt.Sprintf("/cases/%d/reveal", hid.ID), "case", hid.CommentID, hid.ID, hiddenText},
		{"archivist, comment page", "archivist", fmt.Sprintf("/comments/%d/reveal", x.CommentID), "comment", x.CommentID, 0, fullNumber},
		{"viewer is refused", "viewer", fmt.Sprintf("/cases/%d/reveal", x.ID), "", 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := signIn(t, r.srv.URL, tc.user, testPassword)
			before, _ := r.st.AuditLog(ctx, 0, 0)
			status, body, _ := post(t, c, r.srv.URL, tc.path, url.Values{})
			after, _ := r.st.AuditLog(ctx, 0, 0)
			if tc.want == "" {
				if status != http.StatusForbidden || strings.Contains(body, fullNumber) || len(after) != len(before) {
					t.Errorf("got %d, number shown %v, %d audit entries added; want 403, no number, none", status, strings.Contains(body, fullNumber), len(after)-len(before))
				}
				return
			}
			if status != http.StatusOK || !strings.Contains(body, tc.want) || !strings.Contains(body, "Att du visade den är loggat") {
				t.Fatalf("reveal: got %d, want 200 with the full text:\n%s", status, body)
			}
			// The language form comes back to the page, not to the reveal.
			if want := `name="next" value="` + strings.TrimSuffix(tc.path, "/reveal") + `"`; !strings.Contains(body, want) {
				t.Errorf("the revealed page lacks %s", want)
			}
			if len(after) != len(before)+1 {
				t.Fatalf("audit: %d entries added, want 1", len(after)-len(before))
			}
			e := after[len(after)-1]
			var d struct {
				Surface, Page string
				Comment, Case int64
			}
			if err := json.Unmarshal(e.Detail, &d); err != nil {
				t.Fatal(err)
			}
			if e.Action != "comment.revealed" || e.Actor != tc.user || e.Subject != fmt.Sprintf("comment/%d", tc.commentID) ||
				d.Surface != "web" || d.Page != tc.page || d.Comment != tc.commentID || d.Case != tc.caseID {
				t.Errorf("audit entry: got %s by %s on %s %s, want comment.revealed by %s on comment/%d, page %s, case %d",
					e.Action, e.Actor, e.Subject, e.Detail, tc.user, tc.commentID, tc.page, tc.caseID)
			}
			// The next page is masked again.
			_, next := page(t, c, "GET", r.srv.URL+strings.TrimSuffix(tc.path, "/reveal"))
			if strings.Contains(next, tc.want) {
				t.Errorf("the page after the reveal still shows the full text")
			}
		})
	}
}

// TestReviewKeepHiddenPersonalDataAsksFirst: keeping a comment uppsikt hid
// for an identity number shows what becomes public and decides nothing
// until confirmed; other keeps are decided at once.
func TestReviewKeepHiddenPersonalDataAsksFirst(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	pid := r.cases[0] // personal_id, 199001011234
	r.hide(t, pid)
	visible := r.cases[3] // personal_id, not hidden
	hiddenRude := r.cases[1]
	r.hide(t, hiddenRude) // hidden, but harassment
	c := signIn(t, r.srv.URL, "moderator", testPassword)
	tests := []struct {
		name    string
		cs      moderation.Case
		confirm bool // a confirmation page is wanted
	}{
		{"hidden identity number", pid, true},
		{"identity number still visible", visible, false},
		{"hidden harassment", hiddenRude, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/cases/%d/decide", tc.cs.ID)
			status, body, _ := post(t, c, r.srv.URL, path, url.Values{"kind": {"keep"}, "reason": {"inget fel"}})
			ds, _ := r.st.Decisions(ctx, tc.cs.ID)
			if !tc.confirm {
				if status != http.StatusSeeOther || len(ds) != 1 {
					t.Errorf("keep: got %d and %d decisions, want 303 and the decision", status, len(ds))
				}
				return
			}
			if status != http.StatusOK || len(ds) != 0 {
				t.Fatalf("keep: got %d and %d decisions, want the confirmation (200) and none", status, len(ds))
			}
			for _, want := range []string{
				"Det här identitetsnumret blir synligt för alla: " + maskedNumber,
				`<mark class="exposed">` + maskedNumber + `</mark>`,
				`name="confirm" value="1"`, `name="reason" value="inget fel"`,
				`name="next" value="` + fmt.Sprintf("/cases/%d", tc.cs.ID) + `"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("confirmation lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, fullNumber) {
				t.Errorf("the confirmation shows the full number")
			}
			// The case page hides the text whole: showing it here is a
			// reveal, in the audit log.
			log, _ := r.st.AuditLog(ctx, 0, 0)
			if e := log[len(log)-1]; e.Action != "comment.revealed" || e.Actor != "moderator" || !strings.Contains(string(e.Detail), `"page":"keep"`) {
				t.Errorf("last audit entry: %s by %s %s, want comment.revealed by moderator on the keep page", e.Action, e.Actor, e.Detail)
			}
			if acts, _ := r.st.Actions(ctx, tc.cs.CommentID); len(acts) != 1 {
				t.Errorf("actions before confirming: %d, want only the hide", len(acts))
			}
			status, _, _ = post(t, c, r.srv.URL, path, url.Values{"kind": {"keep"}, "reason": {"inget fel"}, "confirm": {"1"}})
			cs, _ := r.st.Case(ctx, tc.cs.ID)
			acts, _ := r.st.Actions(ctx, tc.cs.CommentID)
			if status != http.StatusSeeOther || cs.State != moderation.CaseKept || len(acts) != 2 || acts[1].Kind != moderation.ActUnhide {
				t.Errorf("confirmed: got %d, case %s, %d actions; want 303, kept, hide and unhide", status, cs.State, len(acts))
			}
		})
	}
}

// TestReviewRemovalConfirmAndUndo: "Approve removal" shows what will happen
// and records nothing; the confirmation records the approval, the case
// page offers the undo until the grace ends, the undo opens the case again
// and nothing is ever queued for it; approved again, the executor queues
// the removal after the grace, and then it is too late to undo.
func TestReviewRemovalConfirmAndUndo(t *testing.T) {
	r := newReviewRigWith(t, rigOptions{grace: time.Minute})
	ctx := context.Background()
	cs := r.cases[1] // "Du är en idiot", harassment
	c := signIn(t, r.srv.URL, "moderator", testPassword)
	path := fmt.Sprintf("/cases/%d/decide", cs.ID)
	status, body, _ := post(t, c, r.srv.URL, path, url.Values{"kind": {"remove"}, "reason": {"personangrepp"}})
	if status != http.StatusOK {
		t.Fatalf("approve: got %d, want the confirmation (200)", status)
	}
	for _, want := range []string{
		"Bekräfta borttagningen", "Du är en idiot", `<dd class="reason">personangrepp</dd>`, `<span class="cat">trakasserier</span>`,
		"Din kommentar har tagits bort eftersom den innehöll trakasserier eller personangrepp", // the reply
		"Under 60 sekunder efter godkännandet kan borttagningen ångras", `name="confirm" value="1"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}
	if ds, _ := r.st.Decisions(ctx, cs.ID); len(ds) != 0 {
		t.Fatalf("approve without confirming recorded %+v", ds)
	}
	confirm := url.Values{"kind": {"remove"}, "reason": {"personangrepp"}, "confirm": {"1"}}
	if status, _, loc := post(t, c, r.srv.URL, path, confirm); status != http.StatusSeeOther || !strings.HasSuffix(loc, "done=remove") {
		t.Fatalf("confirm: got %d to %q, want 303 to the case", status, loc)
	}
	_, body = page(t, c, "GET", fmt.Sprintf("%s/cases/%d", r.srv.URL, cs.ID))
	if !strings.Contains(body, "Borttagningen genomförs kl. 10:01:00") || !strings.Contains(body, `name="kind" value="undo"`) {
		t.Errorf("case page after approving lacks the undo until 10:01:00:\n%s", body)
	}
	if acts, _ := r.st.Actions(ctx, cs.CommentID); len(acts) != 0 {
		t.Errorf("actions during the grace: %+v, want none", acts)
	}
	r.advance(59 * time.Second)
	if status, _, loc := post(t, c, r.srv.URL, path, url.Values{"kind": {"undo"}, "confirm": {"1"}}); status != http.StatusSeeOther || !strings.HasSuffix(loc, "done=undo") {
		t.Fatalf("undo: got %d to %q, want 303", status, loc)
	}
	_, body = page(t, c, "GET", fmt.Sprintf("%s/cases/%d?done=undo", r.srv.URL, cs.ID))
	if !strings.Contains(body, "Borttagningen är ångrad") || !strings.Contains(body, "ångrade borttagningen") || !strings.Contains(body, `value="remove"`) {
		t.Errorf("case page after the undo: want the message, the undo in the history and the decision buttons:\n%s", body)
	}
	if got, _ := r.st.Case(ctx, cs.ID); got.State != moderation.CaseOpen {
		t.Errorf("case after undo: %s, want open", got.State)
	}
	r.advance(5 * time.Minute)
	if _, err := r.exec.Drain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if acts, _ := r.st.Actions(ctx, cs.CommentID); len(acts) != 0 {
		t.Errorf("actions after the undo and the grace: %+v, want none", acts)
	}

	// Approved again; after the grace the executor queues the removal and
	// the undo is too late.
	if status, _, _ := post(t, c, r.srv.URL, path, confirm); status != http.StatusSeeOther {
		t.Fatalf("approve again: got %d", status)
	}
	r.advance(61 * time.Second)
	if err := r.exec.FollowDecisions(ctx); err != nil {
		t.Fatal(err)
	}
	acts, _ := r.st.Actions(ctx, cs.CommentID)
	if len(acts) != 2 {
		t.Fatalf("actions after the grace: %+v, want reply and delete", acts)
	}
	status, body, _ = post(t, c, r.srv.URL, path, url.Values{"kind": {"undo"}, "confirm": {"1"}})
	if status != http.StatusConflict || !strings.Contains(body, "för sent att ångra") {
		t.Errorf("undo after the grace: got %d, want 409 saying it is too late", status)
	}
	if got, _ := r.st.Case(ctx, cs.ID); got.State != moderation.CaseApproved {
		t.Errorf("case after a late undo: %s, want approved", got.State)
	}
}

// TestReviewFourEyesRemovalConfirms: both approvals of a removal that needs
// two reviewers go through the confirmation; the first says a second is
// needed.
func TestReviewFourEyesRemovalConfirms(t *testing.T) {
	r := newReviewRigWith(t, rigOptions{fourEyes: []string{moderation.CatPersonalID}, grace: time.Minute})
	ctx := context.Background()
	cs := r.cases[3]
	path := fmt.Sprintf("/cases/%d/decide", cs.ID)
	for i, who := range []string{"moderator", "moderator2"} {
		c := signIn(t, r.srv.URL, who, testPassword)
		status, body, _ := post(t, c, r.srv.URL, path, url.Values{"kind": {"remove"}})
		if status != http.StatusOK || !strings.Contains(body, "Bekräfta borttagningen") {
			t.Fatalf("%s: got %d, want the confirmation", who, status)
		}
		if got, want := strings.Contains(body, "en andra granskare måste också godkänna"), i == 0; got != want {
			t.Errorf("%s: says a second reviewer is needed: %v, want %v", who, got, want)
		}
		if ds, _ := r.st.Decisions(ctx, cs.ID); len(ds) != i {
			t.Errorf("%s: decisions before confirming: %d, want %d", who, len(ds), i)
		}
		if status, _, _ := post(t, c, r.srv.URL, path, url.Values{"kind": {"remove"}, "confirm": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("%s confirms: got %d", who, status)
		}
		r.advance(30 * time.Second)
	}
	if got, _ := r.st.Case(ctx, cs.ID); got.State != moderation.CaseApproved {
		t.Errorf("after both approvals: %s, want approved", got.State)
	}
}
