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
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web page.
type Options struct {
	Store        moderation.Store
	Users        moderation.UserStore
	Decide       *decide.Service
	Municipality string
	Language     string // default language: sv, da or en
	Location     *time.Location
	Logger       *slog.Logger
	Now          func() time.Time
	// Search finds comments by their words (full-text search); nil hides
	// the search page's results.
	Search func(ctx context.Context, query string, limit int) ([]moderation.CommentView, error)
	// EvidenceDir is the folder evidence file paths are relative to.
	EvidenceDir string
	// SecureCookies sets the Secure flag on every cookie, for a page served
	// over https behind a proxy. Requests arriving over TLS get it anyway.
	SecureCookies bool
	// SessionIdle signs a session out after this long without a request
	// (default 30 minutes); SessionMax after this long in any case (default
	// 12 hours).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// LoginAttempts failed sign-ins per name or address within LoginWindow
	// are allowed before further attempts are refused (default 5 in 15
	// minutes).
	LoginAttempts int
	LoginWindow   time.Duration
	// IdentityNumbers finds identity numbers in a text as byte ranges
	// (cmd wires the rule packs' detectors); the page masks them with
	// those its own generous finder sees. Nil: the page's finder alone.
	IdentityNumbers func(text string) [][2]int
	// ReplyPreview returns the reply the author of a comment gets when
	// its removal is carried out (cmd wires the action executor's), for
	// the confirmation of a removal. Nil: the confirmation says the
	// configured reply is sent, without its text.
	ReplyPreview func(ctx context.Context, commentID int64) (string, error)
}

// Route is one page or form of the web page and the roles that may use it.
type Route struct {
	Method  string
	Pattern string
	Roles   []moderation.Role // nil: anyone, signed in or not
}

// Server serves the web page.
type Server struct {
	opts    Options
	pages   map[string]*template.Template
	mux     *http.ServeMux
	routes  []Route
	limiter *limiter
}

var (
	everyone   = moderation.Roles()
	archivists = []moderation.Role{moderation.RoleAdmin, moderation.RoleModerator, moderation.RoleArchivist}
	deciders   = []moderation.Role{moderation.RoleAdmin, moderation.RoleModerator}
	admins     = []moderation.Role{moderation.RoleAdmin}
)

// New parses the embedded templates and returns the web page's handler.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Users == nil {
		return nil, errors.New("review: a store and a user store are required")
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 30 * time.Minute
	}
	if opts.SessionMax <= 0 {
		opts.SessionMax = 12 * time.Hour
	}
	if opts.LoginAttempts <= 0 {
		opts.LoginAttempts = 5
	}
	if opts.LoginWindow <= 0 {
		opts.LoginWindow = 15 * time.Minute
	}
	if opts.Decide == nil {
		opts.Decide = decide.New(decide.Options{Store: opts.Store, Logger: opts.Logger, Now: opts.Now})
	}
	s := &Server{opts: opts, pages: map[string]*template.Template{}, mux: http.NewServeMux(),
		limiter: newLimiter(opts.LoginAttempts, opts.LoginWindow)}
	for _, name := range []string{"overview", "comment", "login", "cases", "case", "search", "register", "confirm"} {
		t, err := template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	s.handle("GET /static/", nil, http.StripPrefix("/static/", http.FileServerFS(static)).ServeHTTP)
	s.handle("GET /healthz", nil, s.healthz)
	s.handle("GET /login", nil, s.loginPage)
	s.handle("POST /login", nil, s.login)
	s.handle("POST /logout", everyone, s.logout)
	s.handle("POST /settings/language", everyone, s.setLanguage)
	s.handle("GET /{$}", everyone, s.overview)
	s.handle("GET /comments/{id}", everyone, s.comment)
	s.handle("GET /cases", everyone, s.cases)
	s.handle("GET /cases/{id}", everyone, s.casePage)
	s.handle("POST /cases/{id}/decide", deciders, s.decide)
	s.handle("POST /cases/{id}/reveal", revealers, s.revealCase)
	s.handle("POST /comments/{id}/reveal", revealers, s.revealComment)
	s.handle("GET /search", archivists, s.search)
	s.handle("GET /register", archivists, s.register)
	s.handle("GET /evidence/{id}", archivists, s.evidence)
	s.handle("GET /audit", admins, s.auditLog)
	s.handle("POST /work/{id}/retry", admins, s.retryWork)
	s.handle("POST /actions/{id}/retry", admins, s.retryAction)
	return s, nil
}

// Routes lists every page and form with the roles allowed to use it.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// handle registers a route. Routes with roles need a signed-in user of one
// of them; anyone else is sent to /login (signed out) or refused (403).
// Every POST must carry the session's CSRF token.
func (s *Server) handle(pattern string, roles []moderation.Role, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path, Roles: roles})
	if roles == nil {
		s.mux.HandleFunc(pattern, h)
		return
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		who, err := s.session(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if who == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, s.text(r, nil, "signed_out"), http.StatusUnauthorized)
			return
		}
		if !slices.Contains(roles, who.User.Role) {
			http.Error(w, s.text(r, who, "forbidden"), http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !validToken(r.PostFormValue("csrf"), who.Session.CSRF) {
				http.Error(w, s.text(r, who, "csrf"), http.StatusForbidden)
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, who)))
	})
}

func validToken(got, want string) bool {
	return want != "" && len(got) == len(want) && subtleEq(got, want)
}

// ServeHTTP serves the web page with headers that keep a browser from
// running or framing anything but uppsikt's own page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

type page struct {
	Lang         string
	T            map[string]string
	Municipality string
	Title        string
	Refresh      int
	User         *moderation.User
	CSRF         string
	Path         string
	Data         any
}

// lang is the signed-in user's language, else the browser's, else the default.
func (s *Server) lang(r *http.Request, who *signedIn) string {
	if who != nil {
		if _, ok := texts[who.User.Language]; ok {
			return who.User.Language
		}
	}
	return language(r, s.opts.Language)
}

func (s *Server) text(r *http.Request, who *signedIn, key string) string {
	return texts[s.lang(r, who)][key]
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title string, refresh int, data any) {
	s.renderStatus(w, r, http.StatusOK, name, title, refresh, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, title string, refresh int, data any) {
	who := userFrom(r.Context())
	lang := s.lang(r, who)
	t := texts[lang]
	p := page{Lang: lang, T: t, Municipality: s.opts.Municipality, Title: t[title], Refresh: refresh, Data: data, Path: r.URL.RequestURI()}
	if who != nil {
		p.User, p.CSRF = &who.User, who.Session.CSRF
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages[name].Execute(w, p); err != nil {
		s.opts.Logger.Error("render page", "page", name, "error", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	who := userFrom(r.Context())
	if errors.Is(err, moderation.ErrNotFound) {
		http.Error(w, s.text(r, who, "not_found"), http.StatusNotFound)
		return
	}
	s.opts.Logger.Error("web page", "path", r.URL.Path, "error", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.opts.Location).Format("2006-01-02 15:04")
		},
		"excerpt": func(str string, n int) string {
			r := []rune(str)
			if len(r) <= n {
				return str
			}
			return string(r[:n]) + "…"
		},
		"catname": func(lang, c string) string { return decide.CategoryName(lang, c) },
		"has": func(roles []moderation.Role, u *moderation.User) bool {
			return u != nil && slices.Contains(roles, u.Role)
		},
		"archivists": func() []moderation.Role { return archivists },
		"deciders":   func() []moderation.Role { return deciders },
		"admins":     func() []moderation.Role { return admins },
		"tr": func(t map[string]string, key any) string {
			k := fmt.Sprint(key)
			if v, ok := t[k]; ok {
				return v
			}
			return k
		},
	}
}
