package emulator

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// The web pages stand in for the platform's own pages, which uppsikt
// captures as evidence and yearly snapshots. All text goes through
// html/template, so a comment is shown as written and never runs.

type webWords struct {
	Comments, Reply, Hidden, Like, Posts, ShowComments, Followers, NoComments, Highlighted, Older string
}

var words = map[string]webWords{
	"sv": {"kommentarer", "Svara", "Dold", "Gilla", "Inlägg", "Visa kommentarer", "följare", "Inga kommentarer", "Länkad kommentar", "Äldre inlägg"},
	"da": {"kommentarer", "Svar", "Skjult", "Synes godt om", "Opslag", "Vis kommentarer", "følgere", "Ingen kommentarer", "Linket kommentar", "Ældre opslag"},
}

type webComment struct {
	ID, Author, Initials, Message, Time, ISO string
	ByPage, Hidden, Highlight                bool
	Likes                                    int
	Replies                                  []webComment
}

type webPost struct {
	ID, Message, Time, ISO, URL, Picture string
	Comments                             []webComment
	CommentCount                         int
	Likes                                int
}

type webPage struct {
	Title     string
	Account   webAccount
	W         webWords
	Posts     []webPost
	Single    bool
	Highlight string
	Lang      string
	Older     string // the address of the next page of older posts
}

// WebPageSize is the number of posts an account page shows; the page links
// to the next, older ones.
const WebPageSize = 25

type webAccount struct {
	ID, Name, Initials, Platform, URL, Avatar string
	Followers, PostCount                      int
	Others                                    []webAccount
}

const webCSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;background:#f0f2f5;color:#1c1e21;font-size:15px}
.top{background:#fff;border-bottom:1px solid #dddfe2;padding:8px 24px;display:flex;align-items:center;gap:10px}
.logo{font-weight:bold;color:#1877f2;font-size:22px}
.instagram .logo{color:#c13584}
.cover{height:150px;background:linear-gradient(120deg,#4267b2,#8fb0e6)}
.instagram .cover{background:linear-gradient(120deg,#f58529,#dd2a7b,#8134af)}
.profile{background:#fff;display:flex;align-items:flex-end;gap:16px;padding:0 32px 16px;border-bottom:1px solid #dddfe2}
.avatar{width:120px;height:120px;border-radius:50%;background:#2d4f8b;color:#fff;display:flex;align-items:center;justify-content:center;font-size:44px;font-weight:bold;border:4px solid #fff;margin-top:-40px}
.instagram .avatar{background:#8134af}
.profile h1{margin:0 0 6px;font-size:28px}
.muted{color:#65676b;font-size:13px}
main{max-width:720px;margin:20px auto;padding:0 12px}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.2);margin-bottom:16px;padding:12px 16px}
.head{display:flex;gap:10px;align-items:center;margin-bottom:8px}
.mini{width:40px;height:40px;border-radius:50%;background:#2d4f8b;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:bold;flex:none}
.small{width:32px;height:32px;font-size:12px;background:#8a8d91}
.byline{font-weight:bold}
.message{white-space:pre-wrap;word-wrap:break-word;margin:6px 0 10px}
.picture{display:block;width:100%;border-radius:4px;margin-bottom:8px;background:#dfe3ee}
.bar{border-top:1px solid #ced0d4;padding-top:6px;color:#65676b;font-size:13px;display:flex;gap:18px}
.comments{margin-top:8px}
.comment{display:flex;gap:8px;margin:8px 0}
.bubble{background:#f0f2f5;border-radius:16px;padding:7px 12px;max-width:560px}
.bubble .message{margin:2px 0}
.replies{margin-left:40px}
.comment.hidden-comment > div > .bubble{opacity:.45}
.hidden-label{font-size:12px;color:#8a8d91;font-style:italic}
.comment.highlight > div > .bubble{background:#fff3c4;box-shadow:0 0 0 2px #f7b928}
.page-reply .mini{background:#2d4f8b}
a{color:#385898;text-decoration:none}
.older{text-align:center;margin:8px 0 24px}
`

const webTemplate = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body class="{{.Account.Platform}}">
<div class="top"><span class="logo">{{if eq .Account.Platform "instagram"}}Instagram{{else}}facebook{{end}}</span><span class="muted">emulator</span></div>
<div class="cover"></div>
<header class="profile" id="profile">
  <div class="avatar" aria-hidden="true">{{.Account.Initials}}</div>
  <div><h1 class="page-name"><a href="{{.Account.URL}}">{{.Account.Name}}</a></h1>
  <div class="muted">{{.Account.Followers}} {{.W.Followers}} · {{.Account.PostCount}} {{.W.Posts}}{{range .Account.Others}} · <a href="{{.URL}}">{{.Name}}</a>{{end}}</div></div>
</header>
<main>
{{range .Posts}}
<article class="card post" id="post-{{.ID}}" data-post-id="{{.ID}}">
  <div class="head"><div class="mini">{{$.Account.Initials}}</div>
   <div><div class="byline">{{$.Account.Name}}</div><a class="muted" href="{{.URL}}"><time datetime="{{.ISO}}">{{.Time}}</time></a></div></div>
  {{if .Message}}<div class="message">{{.Message}}</div>{{end}}
  {{if .Picture}}<img class="picture" src="{{.Picture}}" alt="" width="720" height="405">{{end}}
  <div class="bar"><span>{{.Likes}} {{$.W.Like}}</span><span><a href="{{.URL}}">{{.CommentCount}} {{$.W.Comments}}</a></span></div>
  {{if $.Single}}
  <section class="comments">
  {{range .Comments}}{{template "comment" .}}{{else}}<p class="muted">{{$.W.NoComments}}</p>{{end}}
  </section>
  {{end}}
</article>
{{end}}
{{if .Older}}<p class="older"><a rel="next" href="{{.Older}}">{{.W.Older}}</a></p>{{end}}
</main>
{{if .Highlight}}<script>
(function(){var el=document.querySelector('.comment.highlight');if(el){el.scrollIntoView({block:'center'});}})();
</script>{{end}}
</body></html>
{{define "comment"}}
<div class="comment{{if .Hidden}} hidden-comment{{end}}{{if .Highlight}} highlight{{end}}{{if .ByPage}} page-reply{{end}}" id="comment-{{.ID}}" data-comment-id="{{.ID}}">
  <div class="mini small">{{.Initials}}</div>
  <div><div class="bubble"><div class="byline">{{.Author}}</div><div class="message">{{.Message}}</div></div>
  <div class="muted"><time datetime="{{.ISO}}">{{.Time}}</time>{{if .Likes}} · {{.Likes}} ♥{{end}}{{if .Hidden}} · <span class="hidden-label">{{hiddenWord}}</span>{{end}}</div>
  {{if .Replies}}<div class="replies">{{range .Replies}}{{template "comment" .}}{{end}}</div>{{end}}
  </div>
</div>
{{end}}`

func (e *Emulator) webTemplate(lang string) (*template.Template, error) {
	w, ok := words[lang]
	if !ok {
		w = words["sv"]
	}
	return template.New("page").Funcs(template.FuncMap{"hiddenWord": func() string { return w.Hidden }}).Parse(webTemplate)
}

var months = map[string][]string{
	"sv": {"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
	"da": {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
}

func webTime(lang string, t time.Time) string {
	t = t.In(time.FixedZone("CET", 3600))
	m := months[lang]
	if m == nil {
		m = months["sv"]
	}
	return fmt.Sprintf("%d %s %d kl. %02d:%02d", t.Day(), m[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

func initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		r := []rune(f)
		if len(r) > 0 && b.Len() < 6 {
			b.WriteString(strings.ToUpper(string(r[0])))
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// serveWeb answers /web/...: the account pages, post pages (with
// ?comment_id= highlighting a comment) and placeholder images.
func (e *Emulator) serveWeb(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	segs := strings.Split(rest, "/")
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case rest == "":
		var b strings.Builder
		b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>emulator</title></head><body><ul>")
		for _, a := range e.accounts {
			fmt.Fprintf(&b, `<li><a href="%s">%s</a> (%s)</li>`, template.HTMLEscapeString(e.base+"web/"+a.ID), template.HTMLEscapeString(a.Name), a.Platform)
		}
		b.WriteString("</ul></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	case len(segs) == 2 && segs[0] == "picture" && strings.HasSuffix(segs[1], ".svg"):
		p := e.posts[strings.TrimSuffix(segs[1], ".svg")]
		if p == nil {
			http.NotFound(w, r)
			return
		}
		writeSVG(w, pictureSVG(p))
		return
	}
	a := e.byID[segs[0]]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	page := webPage{Account: e.webAccount(a), W: words[a.Language], Lang: a.Language}
	switch {
	case len(segs) == 1:
		// ?since= and ?until= (unix or ISO 8601) limit the posts, say to a
		// year for a yearly snapshot; ?threads=1 shows every comment thread.
		q := r.URL.Query()
		var since, until time.Time
		for key, dst := range map[string]*time.Time{"since": &since, "until": &until} {
			if v := q.Get(key); v != "" {
				t, ok := parseTime(v)
				if !ok {
					http.Error(w, key+": want unix time or ISO 8601", http.StatusBadRequest)
					return
				}
				*dst = t
			}
		}
		page.Title = a.Name
		page.Single = q.Get("threads") == "1" || q.Get("threads") == "true"
		// The page shows WebPageSize posts, newest first, and links to the
		// next, older ones (rel="next", ?before= the last post shown), as
		// a platform's page loads older posts only when asked.
		before := q.Get("before")
		skipping := before != ""
		for _, p := range a.posts {
			if skipping {
				skipping = p.ID != before
				continue
			}
			if p.Deleted || (!since.IsZero() && p.Created.Before(since)) || (!until.IsZero() && p.Created.After(until)) {
				continue
			}
			if len(page.Posts) == WebPageSize {
				next := r.URL.Query()
				next.Set("before", page.Posts[len(page.Posts)-1].ID)
				page.Older = page.Account.URL + "?" + next.Encode()
				break
			}
			page.Posts = append(page.Posts, e.webPost(a, p, ""))
		}
	case len(segs) == 2 && segs[1] == "avatar.svg":
		writeSVG(w, fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120"><circle cx="60" cy="60" r="60" fill="#2d4f8b"/><text x="60" y="75" font-size="44" text-anchor="middle" fill="#fff" font-family="sans-serif">%s</text></svg>`, template.HTMLEscapeString(initials(a.Name))))
		return
	case len(segs) == 3 && segs[1] == "posts":
		p := e.posts[segs[2]]
		if p == nil || p.Deleted || p.Account != a {
			http.NotFound(w, r)
			return
		}
		hl := r.URL.Query().Get("comment_id")
		page.Single = true
		page.Highlight = hl
		page.Title = a.Name + " – " + firstLine(p.Message)
		page.Posts = []webPost{e.webPost(a, p, hl)}
	default:
		http.NotFound(w, r)
		return
	}
	t, err := e.webTemplate(a.Language)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	data := struct {
		webPage
		CSS template.CSS
	}{page, template.CSS(webCSS)}
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func (e *Emulator) webAccount(a *account) webAccount {
	wa := webAccount{ID: a.ID, Name: a.Name, Initials: initials(a.Name), Platform: a.Platform, URL: e.base + "web/" + a.ID, Followers: 1200 + len(a.posts)*13, PostCount: len(liveMedia(a))}
	for _, o := range e.accounts {
		if o != a && (o.Page == a.ID || a.Page == o.ID) {
			wa.Others = append(wa.Others, webAccount{Name: o.Name, URL: e.base + "web/" + o.ID})
		}
	}
	return wa
}

func (e *Emulator) webPost(a *account, p *post, hl string) webPost {
	wp := webPost{ID: p.ID, Message: p.Message, Time: webTime(a.Language, p.Created), ISO: p.Created.UTC().Format(time.RFC3339), URL: e.permalinkPost(p), Likes: p.Likes}
	if p.Picture {
		wp.Picture = e.base + "web/picture/" + p.ID + ".svg"
	}
	var conv func(c *comment) webComment
	conv = func(c *comment) webComment {
		name := c.From.Name
		if a.Platform == "instagram" {
			name = c.From.Username
		}
		wc := webComment{ID: c.ID, Author: name, Initials: initials(c.From.Name), Message: c.Message, Time: webTime(a.Language, c.Created),
			ISO: c.Created.UTC().Format(time.RFC3339), ByPage: c.ByPage, Hidden: c.Hidden, Highlight: c.ID == hl, Likes: c.Likes}
		for _, r := range c.sortedReplies() {
			wc.Replies = append(wc.Replies, conv(r))
		}
		return wc
	}
	for _, c := range p.threadComments(false) {
		wp.Comments = append(wp.Comments, conv(c))
	}
	wp.CommentCount = len(p.threadComments(true))
	return wp
}

func pictureSVG(p *post) string {
	hue := idSalt(p.ID) * 360 / 1000
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="720" height="405" viewBox="0 0 720 405"><rect width="720" height="405" fill="hsl(%d,45%%,70%%)"/><path d="M0 330 L180 200 L300 290 L460 150 L720 330 L720 405 L0 405 Z" fill="hsl(%d,35%%,45%%)"/><circle cx="600" cy="90" r="40" fill="#fff6c8"/></svg>`, hue, hue)
}

func writeSVG(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write([]byte(s))
}
