package review

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// Identity numbers (Swedish personnummer and samordningsnummer, Danish CPR
// numbers) are masked wherever the page shows comment text: their last
// four digits, the serial and check digits, are replaced by maskRune, so
// "850101-1234" reads "850101-••••". The whole text of a comment that was
// hidden or deleted on its platform and flagged for personal data
// (personal_id, sensitive_data) is replaced by a note naming the category.
// Moderators, administrators and archivists may reveal one comment's full
// text on its case or comment page with a form; the reveal is written to
// the audit log (AuditRevealed) and holds for that one response. Viewers
// never see it.

// AuditRevealed is the audit log action of a reveal of a comment's full
// text on the web page.
const AuditRevealed = "comment.revealed"

const maskRune = "•"

// revealers may show a comment's full text. Archivists may: they keep the
// records, and the evidence files they open hold the full text anyway.
var revealers = archivists

// isDigit reports an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// separatorLen is the length of a separator between two digit groups at
// text[i]: one space, dash, plus, dot or slash (an en or em dash, a minus
// sign, a no-break space too), with up to two spaces on either side; 0
// when there is none.
func separatorLen(text string, i int) int {
	k := i
	for k < len(text) && text[k] == ' ' && k-i < 2 {
		k++
	}
	spaces := k - i
	mark := 0
	if k < len(text) {
		switch {
		case strings.ContainsRune("-+./", rune(text[k])):
			mark = 1
		case strings.HasPrefix(text[k:], "–"), strings.HasPrefix(text[k:], "—"), strings.HasPrefix(text[k:], "−"):
			mark = 3
		case strings.HasPrefix(text[k:], "\u00a0"):
			mark = 2
		}
	}
	if mark == 0 {
		return spaces
	}
	k += mark
	for j := 0; j < 2 && k < len(text) && text[k] == ' '; j++ {
		k++
	}
	return k - i
}

// plausibleDate reports whether the ten or twelve digits of d begin with
// a date as identity numbers write it: YYYYMMDD, YYMMDD or DDMMYY, the
// day plus 60 for a samordningsnummer.
func plausibleDate(d []byte) bool {
	two := func(i int) int { return int(d[i]-'0')*10 + int(d[i+1]-'0') }
	day := func(x int) bool { return x >= 1 && x <= 31 || x >= 61 && x <= 91 }
	month := func(x int) bool { return x >= 1 && x <= 12 }
	switch len(d) {
	case 12:
		c := two(0)
		return (c == 18 || c == 19 || c == 20) && month(two(4)) && day(two(6))
	case 10:
		return month(two(2)) && day(two(4)) || day(two(0)) && month(two(2))
	}
	return false
}

// identityNumbers finds what may be identity numbers in text, as byte
// ranges: ten or twelve digits, written together or in groups separated by
// single separators ("850101-1234", "19850101 1234", "85 01 01-1234",
// "8 5 0 1 0 1 1 2 3 4"), whose first digits could be a date. It is
// generous on purpose: a phone number may be masked too, but an identity
// number is never shown because it was written oddly. It is the page's
// own finder; Options.IdentityNumbers adds a more precise one.
func identityNumbers(text string) [][2]int {
	type group struct{ start, end int }
	var out [][2]int
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		var gs []group
		j := i
		for {
			k := j
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			gs = append(gs, group{j, k})
			n := separatorLen(text, k)
			if n == 0 || k+n >= len(text) || !isDigit(text[k+n]) {
				j = k
				break
			}
			j = k + n
		}
		for a := range gs {
			var digits []byte
			for b := a; b < len(gs); b++ {
				digits = append(digits, text[gs[b].start:gs[b].end]...)
				if len(digits) > 12 {
					break
				}
				if (len(digits) == 10 || len(digits) == 12) && plausibleDate(digits) {
					out = append(out, [2]int{gs[a].start, gs[b].end})
				}
			}
		}
		i = j
	}
	return out
}

// mask is the set of byte offsets of digits to hide in one text.
type mask map[int]bool

// newMask hides the last four digits of every span.
func newMask(text string, spans [][2]int) mask {
	m := mask{}
	for _, sp := range spans {
		if sp[0] < 0 || sp[1] > len(text) || sp[0] >= sp[1] {
			continue
		}
		n := 0
		for i := sp[1] - 1; i >= sp[0] && n < 4; i-- {
			if isDigit(text[i]) {
				m[i] = true
				n++
			}
		}
	}
	return m
}

// apply returns part, which starts at byte offset base of the masked
// text, with its hidden digits replaced.
func (m mask) apply(part string, base int) string {
	if len(m) == 0 {
		return part
	}
	var b strings.Builder
	for i := 0; i < len(part); i++ {
		if m[base+i] {
			b.WriteString(maskRune)
		} else {
			b.WriteByte(part[i])
		}
	}
	return b.String()
}

// idSpans returns the byte ranges of the identity numbers in text: the
// page's own finder's and Options.IdentityNumbers' together.
func (s *Server) idSpans(text string) [][2]int {
	spans := identityNumbers(text)
	if s.opts.IdentityNumbers != nil {
		for _, sp := range s.opts.IdentityNumbers(text) {
			if sp[0] >= 0 && sp[0] < sp[1] && sp[1] <= len(text) {
				spans = append(spans, sp)
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	return spans
}

// maskIDs returns text with its identity numbers masked.
func (s *Server) maskIDs(text string) string {
	return newMask(text, s.idSpans(text)).apply(text, 0)
}

// sensitive reports whether categories name personal data: an identity
// number or sensitive personal data.
func sensitive(categories []string) bool {
	return slices.Contains(categories, moderation.CatPersonalID) || slices.Contains(categories, moderation.CatSensitiveData)
}

// hiddenWhole reports whether a comment's whole text is hidden by default:
// it is no longer shown on its platform (uppsikt hid it, or it was
// deleted) and was flagged for personal data.
func hiddenWhole(state moderation.CommentState, categories []string) bool {
	return state != moderation.StateVisible && sensitive(categories)
}

// hiddenNote is what stands in the place of a comment's hidden text.
func hiddenNote(t map[string]string, lang string, categories []string) string {
	var names []string
	for _, c := range categories {
		if n := decide.CategoryName(lang, c); (c == moderation.CatPersonalID || c == moderation.CatSensitiveData) && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return fmt.Sprintf(t["text_hidden"], strings.Join(names, ", "))
}

// protect prepares a comment text for a list: masked, or replaced by the
// note when the whole text is hidden.
func (s *Server) protect(r *http.Request, text string, state moderation.CommentState, categories []string) string {
	if hiddenWhole(state, categories) {
		lang := s.lang(r, userFrom(r.Context()))
		return hiddenNote(texts[lang], lang, categories)
	}
	return s.maskIDs(text)
}

// privacy is what the case and comment pages say about the text they show.
type privacy struct {
	Hidden    bool   // the whole text is hidden (Note says why)
	Note      string // the note shown instead
	Masked    bool   // something was masked or hidden
	Revealed  bool   // this response shows the full text
	CanReveal bool   // the user may reveal it
}

type revealKey struct{}

// revealing reports whether the request is a reveal the audit log has
// recorded.
func revealing(ctx context.Context) bool {
	v, _ := ctx.Value(revealKey{}).(bool)
	return v
}

// reveal records in the audit log that the signed-in user reveals a
// comment's full text on page (case or comment) and returns the request
// that renders it. Without the audit entry nothing is revealed.
func (s *Server) reveal(r *http.Request, page string, commentID, caseID int64) (*http.Request, error) {
	who := userFrom(r.Context())
	detail := map[string]any{"surface": "web", "page": page, "comment": commentID, "role": string(who.User.Role)}
	if caseID != 0 {
		detail["case"] = caseID
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return nil, err
	}
	if _, err := s.opts.Store.AppendAudit(r.Context(), moderation.AuditEntry{At: s.opts.Now(), Actor: who.User.Name, Action: AuditRevealed,
		Subject: fmt.Sprintf("comment/%d", commentID), Detail: b}); err != nil {
		return nil, fmt.Errorf("audit the reveal of comment %d: %w", commentID, err)
	}
	s.opts.Logger.Info("comment text revealed", "user", who.User.Name, "comment_id", commentID, "case_id", caseID, "page", page)
	return shownAt(r.WithContext(context.WithValue(r.Context(), revealKey{}, true)), strings.TrimSuffix(r.URL.Path, "/reveal")), nil
}

// shownAt returns the request with the address of the page it renders, for
// the forms that come back to it (the language setting): the answer to a
// form is shown at the page's own address, which answers GET.
func shownAt(r *http.Request, path string) *http.Request {
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = path, "", ""
	r2 := *r
	r2.URL = &u
	return &r2
}

// revealCase shows a case page with its comment's full text.
func (s *Server) revealCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.opts.Store.Case(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r, err = s.reveal(r, "case", c.CommentID, c.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.caseData(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "case", "case", 0, d)
}

// revealComment shows a comment page with the comment's full text.
func (s *Server) revealComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.opts.Store.Comment(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if r, err = s.reveal(r, "comment", id, 0); err != nil {
		s.fail(w, r, err)
		return
	}
	s.comment(w, r)
}

// canReveal reports whether the signed-in user may reveal full texts.
func canReveal(ctx context.Context) bool {
	who := userFrom(ctx)
	return who != nil && slices.Contains(revealers, who.User.Role)
}

// protectHits masks the hits' matched text (or blanks it, with the model's
// words, when the whole text is hidden) in a copy of the verdict.
func (s *Server) protectHits(v *moderation.StoredVerdict, hidden bool) *moderation.StoredVerdict {
	if v == nil {
		return nil
	}
	out := *v
	out.Verdict.Hits = slices.Clone(v.Verdict.Hits)
	for i := range out.Verdict.Hits {
		h := &out.Verdict.Hits[i]
		if hidden {
			h.Match, h.Explanation = "", ""
		} else {
			h.Match = s.maskIDs(h.Match)
			h.Explanation = s.maskIDs(h.Explanation)
		}
	}
	if m := v.Verdict.Model; m != nil {
		mc := *m
		mc.Scores = slices.Clone(m.Scores)
		for i := range mc.Scores {
			// The model's strongest words come from the text: none of a
			// hidden text, and none with digits, which may be part of a
			// number.
			mc.Scores[i].Features = slices.DeleteFunc(slices.Clone(mc.Scores[i].Features), func(f moderation.ModelFeature) bool {
				return hidden || strings.ContainsAny(f.Text, "0123456789")
			})
		}
		out.Verdict.Model = &mc
	}
	return &out
}

// exposure is what keeping a hidden comment makes public: its text (masked)
// with the identity numbers and sensitive words marked, and each masked
// identity number.
type exposure struct {
	Text    []segment
	Numbers []string
}

// exposed is the exposure of text (the comment's latest version) given the
// verdict's hits.
func (s *Server) exposed(text string, hits []moderation.Hit) exposure {
	spans := s.idSpans(text)
	m := newMask(text, spans)
	var marks []moderation.Hit
	var e exposure
	for _, sp := range spans {
		marks = append(marks, moderation.Hit{Start: sp[0], End: sp[1], Category: moderation.CatPersonalID, RuleID: "id"})
		e.Numbers = append(e.Numbers, m.apply(text[sp[0]:sp[1]], sp[0]))
	}
	for _, h := range hits {
		if h.Category == moderation.CatPersonalID || h.Category == moderation.CatSensitiveData {
			marks = append(marks, h)
		}
	}
	e.Numbers = slices.Compact(e.Numbers)
	e.Text = maskSegments(highlight(text, marks), m)
	return e
}

// maskSegments masks the segments of one text, which follow each other.
func maskSegments(segs []segment, m mask) []segment {
	out := make([]segment, len(segs))
	pos := 0
	for i, sg := range segs {
		out[i] = sg
		out[i].Text = m.apply(sg.Text, pos)
		pos += len(sg.Text)
	}
	return out
}

// protectVersions masks a comment's versions and verdict for its page,
// unless the request is a reveal, and says what was done.
func (s *Server) protectVersions(r *http.Request, state moderation.CommentState, categories []string, vs []moderation.CommentVersion, v *moderation.StoredVerdict) (privacy, []moderation.CommentVersion, *moderation.StoredVerdict) {
	ctx := r.Context()
	p := privacy{Revealed: revealing(ctx), CanReveal: canReveal(ctx), Hidden: hiddenWhole(state, categories)}
	if p.Hidden {
		lang := s.lang(r, userFrom(ctx))
		p.Note = hiddenNote(texts[lang], lang, categories)
	}
	p.Masked = p.Hidden
	for _, cv := range vs {
		p.Masked = p.Masked || len(s.idSpans(cv.Message)) > 0
	}
	if p.Revealed {
		p.Hidden = false
		return p, vs, v
	}
	out := slices.Clone(vs)
	for i := range out {
		if p.Hidden {
			out[i].Message = p.Note
		} else {
			out[i].Message = s.maskIDs(out[i].Message)
		}
	}
	return p, out, s.protectHits(v, p.Hidden)
}

// protectCase masks what a case page shows of its comment (unless the
// request is a reveal), of the comment it answers, of its post and of
// what reviewers wrote.
func (s *Server) protectCase(r *http.Request, d *caseData) {
	ctx := r.Context()
	var cats []string
	cats = append(cats, d.Case.Categories...)
	if d.Verdict != nil {
		cats = append(cats, d.Verdict.Verdict.Categories...)
	}
	var text strings.Builder
	for _, sg := range d.Text {
		text.WriteString(sg.Text)
	}
	d.Privacy, d.Versions, d.Verdict = s.protectVersions(r, d.Comment.State, cats, d.Versions, d.Verdict)
	d.Privacy.Masked = d.Privacy.Masked || len(s.idSpans(text.String())) > 0
	switch {
	case d.Privacy.Revealed:
	case d.Privacy.Hidden:
		d.Text = []segment{{Text: d.Privacy.Note}}
	default:
		d.Text = maskSegments(d.Text, newMask(text.String(), s.idSpans(text.String())))
	}
	if d.Parent != nil {
		var pcats []string
		if v, err := s.opts.Store.LatestVerdict(ctx, d.Parent.ID); err == nil {
			pcats = v.Verdict.Categories
		}
		d.ParentText = s.protect(r, d.ParentText, d.Parent.State, pcats)
	}
	d.Post.Message = s.maskIDs(d.Post.Message)
	d.Decisions = slices.Clone(d.Decisions)
	for i := range d.Decisions {
		d.Decisions[i].Reason = s.maskIDs(d.Decisions[i].Reason)
	}
	d.Actions = slices.Clone(d.Actions)
	for i := range d.Actions {
		d.Actions[i].Payload = s.maskIDs(d.Actions[i].Payload)
	}
}
