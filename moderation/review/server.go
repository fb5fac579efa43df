package review

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web page.
type Options struct {
	Store        moderation.Store
	Municipality string
	Language     string // default language: sv, da or en
	Location     *time.Location
	Logger       *slog.Logger
	Now          func() time.Time
}

// Server serves the web page.
type Server struct {
	opts  Options
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New parses the embedded templates and returns the web page's handler.
func New(opts Options) (*Server, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(opts.Location).Format("2006-01-02 15:04")
		},
		"excerpt": func(s string, n int) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			return string(r[:n]) + "…"
		},
	}
	for _, name := range []string{"overview", "comment"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.overview)
	s.mux.HandleFunc("GET /comments/{id}", s.comment)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := opts.Store.Stats(r.Context()); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return s, nil
}

// ServeHTTP serves the web page with headers that keep a browser from
// running or framing anything but uppsikt's own page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	s.mux.ServeHTTP(w, r)
}

type page struct {
	Lang         string
	T            map[string]string
	Municipality string
	Title        string
	Refresh      int
	Data         any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title string, refresh int, data any) {
	lang := language(r, s.opts.Language)
	t := texts[lang]
	p := page{Lang: lang, T: t, Municipality: s.opts.Municipality, Title: t[title], Refresh: refresh, Data: data}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages[name].Execute(w, p); err != nil {
		s.opts.Logger.Error("render page", "page", name, "error", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if errors.Is(err, moderation.ErrNotFound) {
		http.Error(w, texts[language(r, s.opts.Language)]["not_found"], http.StatusNotFound)
		return
	}
	s.opts.Logger.Error("web page", "path", r.URL.Path, "error", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

type accountRow struct {
	moderation.Account
	Schedule moderation.Schedule
}

type overviewData struct {
	Accounts []accountRow
	Comments []moderation.CommentView
	Stats    moderation.Stats
	Account  string
	Flagged  bool
	Older    int64
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := overviewData{Account: q.Get("account"), Flagged: q.Get("flagged") == "1"}
	accounts, err := s.opts.Store.Accounts(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range accounts {
		sc, err := s.opts.Store.Schedule(ctx, a.Key)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		d.Accounts = append(d.Accounts, accountRow{Account: a, Schedule: sc})
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	const pageSize = 50
	d.Comments, err = s.opts.Store.ListComments(ctx, moderation.CommentFilter{AccountKey: d.Account, Flagged: d.Flagged, Limit: pageSize, BeforeID: before})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.Comments) == pageSize {
		d.Older = d.Comments[len(d.Comments)-1].ID
	}
	if d.Stats, err = s.opts.Store.Stats(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	refresh := 0
	if before == 0 {
		refresh = 10 // the newest comments keep arriving
	}
	s.render(w, r, "overview", "comments", refresh, d)
}

type commentData struct {
	Comment  moderation.Comment
	Post     moderation.Post
	Versions []moderation.CommentVersion
	Verdict  *moderation.StoredVerdict
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, fmt.Errorf("comment id: %w", moderation.ErrNotFound))
		return
	}
	var d commentData
	if d.Comment, err = s.opts.Store.Comment(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Versions, err = s.opts.Store.CommentVersions(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p, err := s.opts.Store.Post(ctx, d.Comment.AccountKey, d.Comment.PostID); err == nil {
		d.Post = p
	} else if !errors.Is(err, moderation.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	if v, err := s.opts.Store.LatestVerdict(ctx, id); err == nil {
		d.Verdict = &v
	} else if !errors.Is(err, moderation.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "comment", "comments", 0, d)
}
