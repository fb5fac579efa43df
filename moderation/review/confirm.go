package review

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// A removal cannot be taken back on the platform, so the page asks before
// it records one: "Approve removal" shows a confirmation of what will
// happen — the comment (masked), the reason, the categories and the reply
// its author will get — and only the confirmation's form (confirm=1)
// records the decision. The same goes for keeping a comment uppsikt hid
// for personal data, which shows it to everyone again. After a confirmed
// approval the case page offers Undo until the decision service's grace
// ends (decide.Options.Grace); only then does the action executor carry
// the removal out.

// undoData is the case page's offer to undo an approved removal.
type undoData struct {
	Until   string // when the removal is carried out, HH:MM:SS on the page's clock
	CanUndo bool   // the user may undo it
}

// undoData offers the undo while the case's grace lasts and none of its
// removal's actions is queued.
func (s *Server) undoData(r *http.Request, d caseData) undoData {
	until, ok := s.opts.Decide.UndoUntil(d.Case, d.Decisions)
	if !ok || !s.opts.Now().Before(until) {
		return undoData{}
	}
	if slices.ContainsFunc(d.Actions, func(a moderation.Action) bool {
		return a.CaseID == d.Case.ID && a.Outcome != moderation.ActionCancelled &&
			(a.Kind == moderation.ActDelete || a.Kind == moderation.ActReply || a.Kind == moderation.ActPrivateReply)
	}) {
		return undoData{}
	}
	who := userFrom(r.Context())
	return undoData{Until: until.In(s.opts.Location).Format("15:04:05"), CanUndo: who != nil && decide.Allowed(who.User.Role)}
}

// confirmData is the confirmation page of a removal or of keeping a hidden
// comment.
type confirmData struct {
	Case   caseData
	Kind   string // moderation.DecideRemove or DecideKeep
	Reason string
	// Removal: the reply to the author (ReplyKnown false when it could not
	// be written here), whether a second reviewer must still approve, and
	// the grace for undoing it.
	Reply      string
	ReplyKnown bool
	First      bool
	Grace      string
	// Keep: what becomes visible to everyone.
	Exposure exposure
}

// confirmStep shows the confirmation a decision needs before it is
// recorded — every removal, and keeping a comment uppsikt hid for personal
// data — and reports whether it did. A case no longer undecided gets no
// confirmation: the decision service answers with who decided it.
func (s *Server) confirmStep(w http.ResponseWriter, r *http.Request, id int64, kind string) (bool, error) {
	if kind != moderation.DecideRemove && kind != moderation.DecideKeep {
		return false, nil
	}
	d, err := s.caseData(r, id)
	if err != nil {
		return false, err
	}
	if !slices.Contains(d.Kinds, kind) {
		return false, nil // the decision service refuses it, and says why
	}
	c := confirmData{Case: d, Kind: kind, Reason: r.PostFormValue("reason")}
	switch kind {
	case moderation.DecideKeep:
		if c.Exposure, err = s.keepExposes(r, d); err != nil || c.Exposure.Text == nil {
			return false, err
		}
		// The page shows a text the case page hides whole: a reveal.
		if d.Privacy.Hidden {
			if _, err := s.reveal(r, "keep", d.Comment.ID, d.Case.ID); err != nil {
				return false, err
			}
		}
	case moderation.DecideRemove:
		c.First = d.FourEyes && !(d.Case.State == moderation.CaseEscalated && len(d.Decisions) > 0 &&
			d.Decisions[len(d.Decisions)-1].Kind == moderation.DecideRemove)
		if g := s.opts.Decide.Grace(); g > 0 {
			t := texts[s.lang(r, userFrom(r.Context()))]
			c.Grace = fmt.Sprintf(t["n_seconds"], int(g.Seconds()))
		}
		if s.opts.ReplyPreview != nil {
			reply, err := s.opts.ReplyPreview(r.Context(), d.Comment.ID)
			if err != nil {
				return false, fmt.Errorf("reply to the author of comment %d: %w", d.Comment.ID, err)
			}
			c.Reply, c.ReplyKnown = s.maskIDs(reply), true
		}
	}
	title := "confirm_remove"
	if kind == moderation.DecideKeep {
		title = "confirm_keep"
	}
	s.render(w, shownAt(r, fmt.Sprintf("/cases/%d", id)), "confirm", title, 0, c)
	return true, nil
}

// keepExposes returns what keeping the case's comment makes visible to
// everyone when uppsikt hid it and it was flagged for personal data: its
// latest text with the identity numbers and sensitive words marked (the
// numbers masked). A zero exposure (nil Text) needs no confirmation.
func (s *Server) keepExposes(r *http.Request, d caseData) (exposure, error) {
	cats := slices.Clone(d.Case.Categories)
	var hits []moderation.Hit
	if d.Verdict != nil {
		cats = append(cats, d.Verdict.Verdict.Categories...)
	}
	hid := slices.ContainsFunc(d.Actions, func(a moderation.Action) bool {
		return a.Kind == moderation.ActHide && a.State == moderation.ActionDone
	})
	if !sensitive(cats) || !hid || d.Comment.State != moderation.StateHidden {
		return exposure{}, nil
	}
	// caseData masked the versions and hits: read them again.
	vs, err := s.opts.Store.CommentVersions(r.Context(), d.Comment.ID)
	if err != nil || len(vs) == 0 {
		return exposure{}, err
	}
	latest := vs[len(vs)-1]
	if v, err := s.opts.Store.LatestVerdict(r.Context(), d.Comment.ID); err == nil && v.Version == latest.Version {
		hits = v.Verdict.Hits
	}
	return s.exposed(latest.Message, hits), nil
}
