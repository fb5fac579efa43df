package evidencepdf

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// View is what the evidence view shows.
type View struct {
	Language       string // sv, da or en (sv when empty): the view's texts and category names
	Municipality   string
	RegisterNumber string
	Account        moderation.Account
	Post           moderation.Post
	Comment        moderation.Comment
	Versions       []moderation.CommentVersion
	Verdict        *moderation.StoredVerdict // the latest verdict, whose hits are marked
	Thread         []ThreadComment           // the comments around the documented one in thread order, itself included
	// OmittedBefore and OmittedAfter count the post's comments not shown,
	// before and after Thread.
	OmittedBefore, OmittedAfter int
	Location                    *time.Location
	RenderedAt                  time.Time
}

// ThreadComment is one comment of the thread shown around the documented one.
type ThreadComment struct {
	PlatformID string
	Author     string
	CreatedAt  time.Time
	Message    string
	State      moderation.CommentState
	Target     bool // the comment being documented
	Depth      int  // 0 for a top-level comment, 1 for a reply, …
	Disposed   bool // its text was disposed
}

// segment is a piece of a text, marked when a hit covers it.
type segment struct {
	Text     string
	Hit      bool
	Category string
}

// markHits splits text into segments at the hits' byte offsets. Overlapping
// or out-of-range hits are merged or skipped; the text is never altered.
func markHits(text string, hits []moderation.Hit) []segment {
	hs := make([]moderation.Hit, 0, len(hits))
	for _, h := range hits {
		if h.Start >= 0 && h.End > h.Start && h.End <= len(text) {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].Start < hs[j].Start })
	var out []segment
	pos := 0
	for _, h := range hs {
		if h.End <= pos {
			continue
		}
		start := max(h.Start, pos)
		if start > pos {
			out = append(out, segment{Text: text[pos:start]})
		}
		out = append(out, segment{Text: text[start:h.End], Hit: true, Category: h.Category})
		pos = h.End
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out
}

var viewTemplate = template.Must(template.New("view").Funcs(template.FuncMap{
	"when": func(loc *time.Location, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		s := t.UTC().Format("2006-01-02 15:04:05") + " UTC"
		if loc != nil && loc != time.UTC {
			s += " · " + t.In(loc).Format("2006-01-02 15:04:05 MST")
		}
		return s
	},
	"trunc": truncateText,
}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.W.view_title}} {{.V.Comment.PlatformID}}</title>
<style>
body{font-family:"DejaVu Sans",sans-serif;margin:24px;color:#111;font-size:15px;max-width:1180px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:13px} .post{background:#f4f4f4;padding:12px;border-radius:6px;white-space:pre-wrap}
.c{border-left:3px solid #ddd;padding:6px 10px;margin:6px 0;white-space:pre-wrap}
.reply{margin-left:36px} .hidden{color:#777} .deleted{color:#999;text-decoration:line-through}
.target{border-left:6px solid #c00;background:#fff2f2}
mark{background:#ffd84d;outline:2px solid #c00} .cat{font-size:11px;color:#c00;vertical-align:super}
.v{border:1px solid #ccc;padding:8px;margin:8px 0;white-space:pre-wrap} table{border-collapse:collapse}
td{padding:2px 10px 2px 0;vertical-align:top} .omitted{color:#555;font-style:italic;margin:8px 0}
</style></head><body>
<h1>{{.W.view_title}} {{.V.Comment.PlatformID}}</h1>
<div class="meta">{{.V.Municipality}} · {{.V.Account.Name}} ({{.V.Account.Platform}}) · {{.W.register}} {{if .V.RegisterNumber}}{{.V.RegisterNumber}}{{else}}{{.W.not_registered}}{{end}} · {{.W.rendered}} {{when .V.Location .V.RenderedAt}}</div>
<h2>{{.W.post}}</h2>
<div class="meta">{{.V.Post.PlatformID}} · {{.V.Post.Author.Name}} · {{when .V.Location .V.Post.CreatedAt}}</div>
<div class="post">{{trunc .V.Post.Message 2000}}</div>
<h2>{{.W.thread}}</h2>
{{if .V.OmittedBefore}}<div class="omitted">… {{.V.OmittedBefore}} {{.W.before}}</div>
{{end}}{{range .V.Thread}}<div class="c{{if .Depth}} reply{{end}}{{if eq .State "hidden"}} hidden{{end}}{{if eq .State "deleted"}} deleted{{end}}{{if .Target}} target{{end}}">
<div class="meta">{{.Author}} · {{when $.V.Location .CreatedAt}} · {{.PlatformID}}{{if ne .State "visible"}} · {{.State}}{{end}}{{if .Target}} · <b>{{$.W.target}}</b>{{end}}</div>
{{if .Target}}{{range $.Marked}}{{if .Hit}}<mark>{{.Text}}</mark><span class="cat">{{index $.Cats .Category}}</span>{{else}}{{.Text}}{{end}}{{end}}{{else if .Disposed}}<i>{{$.W.disposed}}</i>{{else}}{{.Message}}{{end}}</div>
{{end}}{{if .V.OmittedAfter}}<div class="omitted">… {{.V.OmittedAfter}} {{.W.after}}</div>
{{end}}
<h2>{{.W.versions}}</h2>
<table><tr><td>{{.W.author}}</td><td>{{.V.Comment.Author.Name}} (id {{.V.Comment.Author.ID}})</td></tr>
<tr><td>{{.W.written}}</td><td>{{when .V.Location .V.Comment.CreatedAt}}</td></tr>
<tr><td>{{.W.permalink}}</td><td>{{.V.Comment.PermalinkURL}}</td></tr></table>
{{range .V.Versions}}<div class="meta">Version {{.Version}}, {{$.W.seen}} {{when $.V.Location .SeenAt}} ({{.Source}}) · SHA-256 {{.Hash}}</div><div class="v">{{.Message}}</div>
{{end}}
{{if .V.Verdict}}<h2>{{.W.hits}}</h2><table>{{range .V.Verdict.Verdict.Hits}}<tr><td>{{index $.Cats .Category}}</td><td>»{{.Match}}«</td><td>{{.Citation.Document}} {{.Citation.Section}}</td></tr>{{end}}</table>{{end}}
</body></html>
`))

// RenderView renders the evidence view as a self-contained HTML document
// (no external resources). Every text is escaped.
func RenderView(v View) ([]byte, error) {
	var marked []segment
	if len(v.Versions) > 0 {
		text := v.Versions[len(v.Versions)-1].Message
		var hits []moderation.Hit
		if v.Verdict != nil {
			for _, ver := range v.Versions {
				if ver.Version == v.Verdict.Version {
					text = ver.Message
				}
			}
			hits = v.Verdict.Verdict.Hits
		}
		marked = markHits(text, hits)
	}
	lang := pdf.Lang(v.Language)
	cats := map[string]string{}
	for _, c := range moderation.Categories() {
		cats[c] = pdf.CategoryWords(lang, c)
	}
	if v.Verdict != nil {
		for _, h := range v.Verdict.Verdict.Hits {
			if _, ok := cats[h.Category]; !ok {
				cats[h.Category] = pdf.CategoryWords(lang, h.Category)
			}
		}
	}
	var buf bytes.Buffer
	if err := viewTemplate.Execute(&buf, struct {
		V      View
		Marked []segment
		Lang   string
		W      map[string]string
		Cats   map[string]string
	}{v, marked, lang, wordsFor(lang), cats}); err != nil {
		return nil, fmt.Errorf("evidence view: %w", err)
	}
	return buf.Bytes(), nil
}
