package person

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// Export is the answer to one person's request for access.
type Export struct {
	Records      moderation.PersonRecords
	Municipality string
	// Accounts are the supervised accounts, by key, for their names.
	Accounts map[string]moderation.Account
	Language string // sv, da or en; sv when empty or unknown
	// Recipients are who may read the data in uppsikt, as the answer
	// lists them (roles, the review channels, the registrar).
	Recipients []string
	Retention  string // the retention rule, as the answer states it
	Generated  time.Time
	Location   *time.Location
}

// document is the JSON of an export.
type document struct {
	Generated    time.Time  `json:"generated"`
	Municipality string     `json:"municipality"`
	AuthorID     string     `json:"author_id"`
	Names        []string   `json:"names"`
	About        about      `json:"about"`
	Comments     []comment  `json:"comments"`
	Posts        []post     `json:"posts,omitempty"`
	Deliveries   int        `json:"webhook_deliveries"`
	Erasable     int        `json:"comments_erasable"`
	Kept         int        `json:"comments_kept"`
	Language     string     `json:"language"`
	Notes        []string   `json:"notes"`
	Accounts     []accountJ `json:"accounts"`
}

type about struct {
	Data       string   `json:"data"`
	Purpose    string   `json:"purpose"`
	Recipients []string `json:"recipients"`
	Source     string   `json:"source"`
	Retention  string   `json:"retention"`
	Rights     string   `json:"rights"`
}

type accountJ struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
}

type comment struct {
	Account   string          `json:"account"`
	ID        string          `json:"platform_id"`
	PostID    string          `json:"post_id"`
	ParentID  string          `json:"parent_id,omitempty"`
	Name      string          `json:"author_name"`
	Created   time.Time       `json:"created_at"`
	FirstSeen time.Time       `json:"first_seen_at"`
	Permalink string          `json:"permalink,omitempty"`
	State     string          `json:"state"`
	Versions  []version       `json:"versions"`
	Verdicts  []verdict       `json:"verdicts,omitempty"`
	Cases     []caseJ         `json:"cases,omitempty"`
	Actions   []action        `json:"actions,omitempty"`
	Evidence  []evidenceJ     `json:"evidence,omitempty"`
	Register  []registerEntry `json:"register_entries,omitempty"`
	Keep      []keep          `json:"kept_on_erasure,omitempty"`
}

type version struct {
	Version  int             `json:"version"`
	Text     string          `json:"text"`
	Disposed bool            `json:"disposed,omitempty"`
	SeenAt   time.Time       `json:"seen_at"`
	Source   string          `json:"source"`
	SHA256   string          `json:"text_sha256"`
	Raw      json.RawMessage `json:"platform_answer,omitempty"`
}

type verdict struct {
	Version int                `json:"version"`
	At      time.Time          `json:"at"`
	Verdict moderation.Verdict `json:"verdict"`
}

type caseJ struct {
	ID         int64      `json:"id"`
	State      string     `json:"state"`
	Categories []string   `json:"categories"`
	Opened     time.Time  `json:"opened_at"`
	Decisions  []decision `json:"decisions,omitempty"`
}

type decision struct {
	Kind    string    `json:"kind"`
	By      string    `json:"by"`
	Surface string    `json:"surface"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

type action struct {
	Kind    string    `json:"kind"`
	State   string    `json:"state"`
	Outcome string    `json:"outcome,omitempty"`
	Text    string    `json:"text,omitempty"`
	Created time.Time `json:"created_at"`
	Done    time.Time `json:"done_at,omitzero"`
}

type evidenceJ struct {
	Kind    string    `json:"kind"`
	SHA256  string    `json:"sha256"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	Version int       `json:"version"`
	Created time.Time `json:"created_at"`
}

type registerEntry struct {
	Number  string    `json:"number"`
	Created time.Time `json:"created_at"`
}

type keep struct {
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

type post struct {
	Account string    `json:"account"`
	ID      string    `json:"platform_id"`
	Name    string    `json:"author_name"`
	Text    string    `json:"text"`
	Created time.Time `json:"created_at"`
}

// build turns the export into its JSON document.
func build(e Export) document {
	l := labelsFor(e.Language)
	d := document{Generated: e.Generated.UTC(), Municipality: e.Municipality, AuthorID: e.Records.AuthorID,
		Deliveries: e.Records.WebhookDeliveries, Language: l.lang, Names: []string{}, Comments: []comment{},
		About: about{Data: l.data, Purpose: l.purpose, Recipients: e.Recipients, Source: l.source, Retention: e.Retention, Rights: l.rights},
		Notes: []string{l.noteContext, l.noteSnapshots}}
	if d.About.Retention == "" {
		d.About.Retention = l.retention
	}
	seenName := map[string]bool{}
	keys := map[string]bool{}
	for _, pc := range e.Records.Comments {
		if n := pc.Author.Name; n != "" && !seenName[n] {
			seenName[n] = true
			d.Names = append(d.Names, n)
		}
		keys[pc.AccountKey] = true
		c := comment{Account: pc.AccountKey, ID: pc.PlatformID, PostID: pc.PostID, ParentID: pc.ParentID, Name: pc.Author.Name,
			Created: pc.CreatedAt.UTC(), FirstSeen: pc.FirstSeenAt.UTC(), Permalink: pc.PermalinkURL, State: string(pc.State)}
		for _, v := range pc.Versions {
			raw := json.RawMessage(nil)
			if len(v.Raw) > 0 && json.Valid(v.Raw) {
				raw = json.RawMessage(v.Raw)
			}
			c.Versions = append(c.Versions, version{Version: v.Version, Text: v.Message, Disposed: v.Message == "" && len(v.Raw) == 0,
				SeenAt: v.SeenAt.UTC(), Source: string(v.Source), SHA256: v.Hash, Raw: raw})
		}
		for _, v := range pc.Verdicts {
			c.Verdicts = append(c.Verdicts, verdict{Version: v.Version, At: v.At.UTC(), Verdict: v.Verdict})
		}
		for _, k := range pc.Cases {
			cj := caseJ{ID: k.ID, State: string(k.State), Categories: k.Categories, Opened: k.OpenedAt.UTC()}
			for _, dd := range pc.Decisions {
				if dd.CaseID == k.ID {
					cj.Decisions = append(cj.Decisions, decision{Kind: dd.Kind, By: dd.By, Surface: dd.Surface, Reason: dd.Reason, At: dd.At.UTC()})
				}
			}
			c.Cases = append(c.Cases, cj)
		}
		for _, a := range pc.Actions {
			c.Actions = append(c.Actions, action{Kind: a.Kind, State: a.State, Outcome: a.Outcome, Text: a.Payload, Created: a.CreatedAt.UTC(), Done: a.DoneAt.UTC()})
		}
		for _, f := range pc.Evidence {
			c.Evidence = append(c.Evidence, evidenceJ{Kind: f.Kind, SHA256: f.SHA256, Path: f.Path, Size: f.Size, Version: f.Version, Created: f.CreatedAt.UTC()})
		}
		for _, r := range pc.Register {
			c.Register = append(c.Register, registerEntry{Number: r.Number, Created: r.CreatedAt.UTC()})
		}
		for _, k := range pc.Keep {
			c.Keep = append(c.Keep, keep{Kind: k.Kind, Ref: k.Ref, Reason: l.keep[k.Kind]})
		}
		if len(pc.Keep) > 0 {
			d.Kept++
		} else {
			d.Erasable++
		}
		d.Comments = append(d.Comments, c)
	}
	for _, p := range e.Records.Posts {
		keys[p.AccountKey] = true
		d.Posts = append(d.Posts, post{Account: p.AccountKey, ID: p.PlatformID, Name: p.Author.Name, Text: p.Message, Created: p.CreatedAt.UTC()})
	}
	for k := range keys {
		a := e.Accounts[k]
		d.Accounts = append(d.Accounts, accountJ{Key: k, Name: a.Name, Platform: string(a.Platform)})
	}
	sortAccounts(d.Accounts)
	return d
}

func sortAccounts(as []accountJ) {
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && as[j].Key < as[j-1].Key; j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

// JSON renders the export as indented JSON.
func JSON(e Export) ([]byte, error) {
	b, err := json.MarshalIndent(build(e), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("person export: %w", err)
	}
	return append(b, '\n'), nil
}

// PDF renders the export as a readable PDF and converts it to PDF/A-3b with
// the JSON attached. When the conversion fails (no Ghostscript) it returns
// the plain PDF and the reason.
func PDF(ctx context.Context, e Export, opts pdf.Options) (out []byte, conversionFailure string, err error) {
	draft, err := layout(e)
	if err != nil {
		return nil, "", err
	}
	data, err := JSON(e)
	if err != nil {
		return nil, "", err
	}
	l := labelsFor(e.Language)
	at := e.Generated
	if at.IsZero() {
		at = time.Now()
	}
	out, err = pdf.ConvertPDFA3(ctx, draft, pdf.Metadata{Title: pdf.ASCII(l.title + " " + e.Records.AuthorID), Subject: "uppsikt person export", Author: "uppsikt"},
		[]pdf.Attachment{{Name: "person.json", MIME: "application/json", Relationship: "Data", Description: l.title, Data: data, ModTime: at}}, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return draft, err.Error(), nil
	}
	return out, "", nil
}

const marginMM = 15.0

func layout(e Export) ([]byte, error) {
	d := build(e)
	l := labelsFor(e.Language)
	loc := e.Location
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	f := fpdf.New("P", "mm", "A4", "")
	glyphs, err := pdf.NewGlyphs()
	if err != nil {
		return nil, fmt.Errorf("person export: PDF: %w", err)
	}
	// Every text as it was written, emoji included (see pdf.Text).
	tx := pdf.NewText(f, nil, "", glyphs)
	f.SetMargins(marginMM, marginMM, marginMM)
	f.SetAutoPageBreak(true, marginMM+5)
	f.AliasNbPages("{nb}")
	f.SetCreator("uppsikt", true)
	f.SetTitle(pdf.Clean(l.title), true)
	f.SetFooterFunc(func() {
		style, size := tx.Style()
		f.SetY(-marginMM)
		tx.Font("", 8)
		tx.Cell(0, 5, pdf.Prepare(l.title+" – "+d.AuthorID), 0, "L")
		f.SetX(marginMM)
		tx.Cell(0, 5, fmt.Sprintf("%d / {nb}", f.PageNo()), 0, "R")
		tx.Font(style, size)
	})
	heading := func(s string, size float64) {
		tx.Font("B", size)
		tx.Multi(0, size*0.55, pdf.Prepare(s), "", false)
		f.Ln(1)
	}
	para := func(s string) {
		tx.Font("", 9.5)
		tx.Multi(0, 5, pdf.Prepare(s), "", false)
		f.Ln(1.5)
	}
	row := func(label, value string) { tx.Row(pdf.Prepare(label), pdf.Prepare(value)) }

	f.AddPage()
	heading(l.title, 16)
	row(l.municipality, d.Municipality)
	row(l.person, d.AuthorID)
	row(l.names, strings.Join(d.Names, ", "))
	row(l.generated, when(d.Generated))
	var accts []string
	for _, a := range d.Accounts {
		accts = append(accts, fmt.Sprintf("%s (%s, %s)", a.Name, a.Key, a.Platform))
	}
	row(l.accounts, strings.Join(accts, "; "))
	row(l.summary, fmt.Sprintf(l.summaryFmt, len(d.Comments), d.Erasable, d.Kept, len(d.Posts), d.Deliveries))
	f.Ln(3)
	for _, s := range []struct{ h, t string }{
		{l.hData, d.About.Data}, {l.hPurpose, d.About.Purpose}, {l.hRecipients, strings.Join(d.About.Recipients, "; ")},
		{l.hSource, d.About.Source}, {l.hRetention, d.About.Retention}, {l.hRights, d.About.Rights},
	} {
		heading(s.h, 11)
		para(s.t)
	}
	for _, n := range d.Notes {
		para(n)
	}

	for i, c := range d.Comments {
		f.Ln(3)
		heading(fmt.Sprintf("%s %d: %s", l.comment, i+1, c.ID), 12)
		row(l.account, c.Account)
		row(l.post, c.PostID)
		if c.ParentID != "" {
			row(l.replyTo, c.ParentID)
		}
		row(l.written, when(c.Created))
		row(l.state, c.State)
		if c.Permalink != "" {
			row(l.permalink, c.Permalink)
		}
		for _, v := range c.Versions {
			text := v.Text
			if v.Disposed {
				text = l.disposed
			}
			row(fmt.Sprintf("%s %d", l.version, v.Version), text)
			row("", fmt.Sprintf("%s %s (%s)", l.seen, when(v.SeenAt), v.Source))
		}
		for _, v := range c.Verdicts {
			cats := strings.Join(v.Verdict.Categories, ", ")
			if cats == "" {
				cats = l.noCategory
			}
			row(fmt.Sprintf("%s %d", l.verdict, v.Version), cats)
		}
		for _, k := range c.Cases {
			row(l.caseL, fmt.Sprintf("%d – %s – %s", k.ID, k.State, strings.Join(k.Categories, ", ")))
			for _, dd := range k.Decisions {
				row("", fmt.Sprintf("%s: %s (%s) %s %s", dd.Kind, dd.By, dd.Surface, when(dd.At), dd.Reason))
			}
		}
		for _, a := range c.Actions {
			s := fmt.Sprintf("%s – %s %s", a.Kind, a.State, a.Outcome)
			if a.Text != "" {
				s += ": " + a.Text
			}
			row(l.action, s)
		}
		for _, ev := range c.Evidence {
			row(l.evidence, fmt.Sprintf("%s %s (%s, %d bytes)", ev.Kind, ev.Path, when(ev.Created), ev.Size))
		}
		for _, r := range c.Register {
			row(l.register, r.Number)
		}
		if len(c.Keep) == 0 {
			row(l.erasure, l.erasable)
		}
		for _, k := range c.Keep {
			row(l.erasure, l.keptBecause+" "+k.Reason+" ("+k.Ref+")")
		}
	}
	if len(d.Comments) == 0 {
		f.Ln(3)
		para(l.noComments)
	}
	for _, p := range d.Posts {
		f.Ln(3)
		heading(l.postBy+" "+p.ID, 12)
		row(l.account, p.Account)
		row(l.written, when(p.Created))
		row(l.text, p.Text)
	}
	var buf bytes.Buffer
	if err := tx.Output(&buf); err != nil {
		return nil, fmt.Errorf("person export: PDF: %w", err)
	}
	return buf.Bytes(), nil
}
