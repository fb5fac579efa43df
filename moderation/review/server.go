package review

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/report"
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
	// OpenEvidence, when set, opens an evidence file by its path from
	// where evidence is kept (an S3 bucket), in place of EvidenceDir.
	OpenEvidence func(ctx context.Context, rel string) (io.ReadCloser, error)
	// SecureCookies sets the Secure flag on every cookie, for a page served
	// over https behind a proxy. Requests arriving over TLS get it anyway.
	SecureCookies bool
	// SessionIdle signs a session out after this long without a request
	// (default 30 minutes); SessionMax after this long in any case (default
	// 12 hours).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// LoginAttempts failed sign-ins for one name within LoginWindow (from
	// any address) are allowed before that name's further attempts are
	// refused (default 5 in 15 minutes). AddressAttempts failed sign-ins
	// from one address (any names) within the window refuse that address's
	// further attempts for the names that failed from it, and only those
	// (default 4 × LoginAttempts): a colleague behind the same proxy who has
	// not failed is never refused.
	LoginAttempts   int
	AddressAttempts int
	LoginWindow     time.Duration
	// TrustedProxies are the reverse proxies in front of the page. A request
	// from one of them is counted against the client address its
	// ClientAddrHeader (default X-Forwarded-For) names: the right-most
	// address there that is not itself a trusted proxy. From any other peer
	// the header is ignored.
	TrustedProxies   []netip.Prefix
	ClientAddrHeader string
	// IdentityNumbers finds identity numbers in a text as byte ranges
	// (cmd wires the rule packs' detectors); the page masks them with
	// those its own generous finder sees. Nil: the page's finder alone.
	IdentityNumbers func(text string) [][2]int
	// ReplyPreview returns the reply the author of a comment gets when
	// its removal is carried out (cmd wires the action executor's), for
	// the confirmation of a removal. Nil: the confirmation says the
	// configured reply is sent, without its text.
	ReplyPreview func(ctx context.Context, commentID int64) (string, error)
	// AnswerClock gives the answer clock's figures per account for the
	// monthly report's period [from, to) (cmd wires the clock's); nil: the
	// report says the clock has none.
	AnswerClock func(ctx context.Context, from, to time.Time) ([]report.AnswerClock, error)
	// ReportPDF renders the monthly report of the month that starts at
	// month as a PDF/A in lang (cmd wires archive/report); nil: the page
	// offers no PDF.
	ReportPDF func(ctx context.Context, month time.Time, lang string) ([]byte, error)
	// InactiveDays without a post of its own make an account inactive in
	// the monthly report (report.DefaultInactiveDays when 0).
	InactiveDays int
	// HitWords returns a rule hit with its explanation and citation in a
	// reader's language (sv, da or en) and the guideline cited against the
	// municipality's (cmd wires the evidence PDF's way of saying hits);
	// nil shows hits as the classifier stored them.
	HitWords func(h moderation.Hit, lang string) moderation.Hit
	// Health reports the accounts' health, evidence capture and the work
	// queues (cmd wires bot/health's Checker.Report), for the overview's
	// accounts table and /healthz. Nil: neither shows it.
	Health func(ctx context.Context) (moderation.HealthReport, error)
	// Answers is the answer clock's Questions page; nil leaves it out.
	Answers *Answers
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
	if opts.AddressAttempts <= 0 {
		opts.AddressAttempts = 4 * opts.LoginAttempts
	}
	if opts.ClientAddrHeader == "" {
		opts.ClientAddrHeader = "X-Forwarded-For"
	}
	if opts.LoginWindow <= 0 {
		opts.LoginWindow = 15 * time.Minute
	}
	if opts.Decide == nil {
		opts.Decide = decide.New(decide.Options{Store: opts.Store, Logger: opts.Logger, Now: opts.Now})
	}
	s := &Server{opts: opts, pages: map[string]*template.Template{}, mux: http.NewServeMux(),
		limiter: newLimiter(opts.LoginAttempts, opts.AddressAttempts, opts.LoginWindow)}
	for _, name := range []string{"overview", "comment", "login", "cases", "case", "search", "register", "error", "confirm", "report", "questions"} {
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
	s.handle("GET /favicon.ico", nil, s.favicon)
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
	if _, ok := opts.Store.(moderation.ActivityStore); ok {
		s.handle("GET /report", archivists, s.reportPage)
	}
	if opts.ReportPDF != nil {
		s.handle("GET /report/pdf", archivists, s.reportPDF)
	}
	if opts.Answers != nil {
		s.handle("GET /questions", everyone, s.questions)
		s.handle("POST /questions/{id}/mark", deciders, s.markQuestion)
	}
	return s, nil
}

// favicon serves the page's icon (an eye), which browsers ask for at
// /favicon.ico whatever the page says.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/favicon.ico")
	if err != nil {
		s.fail(w, r, fmt.Errorf("favicon: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
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
			s.errorPage(w, r, http.StatusUnauthorized, "signed_out")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, who))
		if !slices.Contains(roles, who.User.Role) {
			s.errorPage(w, r, http.StatusForbidden, "forbidden")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !validToken(r.PostFormValue("csrf"), who.Session.CSRF) {
				s.errorPage(w, r, http.StatusForbidden, "csrf")
				return
			}
		}
		h(w, r)
	})
}

func validToken(got, want string) bool {
	return want != "" && len(got) == len(want) && subtleEq(got, want)
}

// pageCSP keeps a browser from running or loading anything but uppsikt's
// own stylesheet and images: the page has no script at all.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// evidenceCSP is the policy of an HTML evidence file (the evidence view):
// its own inline style, nothing else, in a sandbox without scripts.
const evidenceCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP serves the web page with headers that keep a browser from
// running or framing anything but uppsikt's own page. An error that a
// handler answers as plain text (the router's 404 and 405, the file
// server's) is shown as the site's error page, with the same status.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	pw := &plainErrors{ResponseWriter: w}
	s.mux.ServeHTTP(pw, r)
	if pw.status != 0 {
		s.errorPage(w, r, pw.status, "")
	}
}

// plainErrors holds back an error a handler starts to answer as plain text
// (http.Error), for ServeHTTP to answer it as a page.
type plainErrors struct {
	http.ResponseWriter
	status  int
	written bool
}

func (p *plainErrors) WriteHeader(code int) {
	if p.status != 0 || p.written {
		return
	}
	if code >= 400 && strings.HasPrefix(p.Header().Get("Content-Type"), "text/plain") {
		p.status = code
		return
	}
	p.written = code >= 200 // an informational 1xx comes before the real status
	p.ResponseWriter.WriteHeader(code)
}

func (p *plainErrors) Write(b []byte) (int, error) {
	if p.status != 0 {
		return len(b), nil
	}
	p.written = true
	return p.ResponseWriter.Write(b)
}

func (p *plainErrors) Unwrap() http.ResponseWriter { return p.ResponseWriter }

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
	Questions    bool // the Questions page is in the menu
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
	p := page{Lang: lang, T: t, Municipality: s.opts.Municipality, Title: t[title], Refresh: refresh, Data: data, Path: r.URL.RequestURI(),
		Questions: s.opts.Answers != nil}
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
	if errors.Is(err, moderation.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "")
		return
	}
	s.opts.Logger.Error("web page", "path", r.URL.Path, "error", err)
	s.errorPage(w, r, http.StatusInternalServerError, "")
}

type errorData struct {
	Message  string
	Back     string
	BackText string
}

// errorPage answers status with the site's page: a title naming what went
// wrong, msg (a text key; empty: the status's own text) and a way back, to
// the queue for someone signed in, else to sign in.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	who := userFrom(r.Context())
	if who == nil {
		if u, err := s.session(r); err == nil && u != nil {
			who = u
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, u))
		}
	}
	key := strconv.Itoa(status)
	t := texts[s.lang(r, who)]
	if _, ok := t["error_"+key]; !ok {
		key = "400"
		if status >= 500 {
			key = "500"
		}
	}
	if msg == "" {
		msg = "error_text_" + key
	}
	d := errorData{Message: t[msg], Back: "/login", BackText: t["sign_in"]}
	if who != nil {
		d.Back, d.BackText = "/cases", t["back_to_queue"]
	}
	h := w.Header()
	for _, k := range []string{"Content-Disposition", "Content-Length", "Content-Range", "Content-Encoding"} {
		h.Del(k)
	}
	h.Set("Content-Security-Policy", pageCSP)
	s.renderStatus(w, r, status, "error", "error_"+key, 0, d)
}

// when is a time as the page shows it: in the municipality's time zone,
// to the minute, with the zone's name ("2026-12-05 14:03 CET").
func (s *Server) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(s.opts.Location).Format("2006-01-02 15:04 MST")
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"when": s.when,
		// n writes a count with the noun after it, singular for one when the
		// language has a singular (key+"_1"): "1 träff", "4 träffar".
		"n": func(t map[string]string, n int, key string) string {
			if v, ok := t[key+"_1"]; ok && n == 1 {
				return "1 " + v
			}
			return strconv.Itoa(n) + " " + t[key]
		},
		// acct is an account's name, or its key when it has none.
		"acct": func(names map[string]string, key string) string {
			if n := names[key]; n != "" {
				return n
			}
			return key
		},
		"excerpt": func(str string, n int) string {
			r := []rune(str)
			if len(r) <= n {
				return str
			}
			return string(r[:n]) + "…"
		},
		"catname": func(lang, c string) string { return decide.CategoryName(lang, c) },
		// hitwords says a hit's explanation and citation in the reader's
		// language (Options.HitWords); as stored without it.
		"hitwords": func(lang string, h moderation.Hit) moderation.Hit {
			if s.opts.HitWords == nil {
				return h
			}
			return s.opts.HitWords(h, lang)
		},
		// platformerr says why a platform action failed in the reader's
		// language; the platform's own English message is for administrators.
		"platformerr": moderation.PlatformErrorText,
		// healthtext says an account health warning in the reader's language.
		"healthtext": func(lang string, w moderation.HealthWarning) string {
			return moderation.HealthWarningText(lang, w, s.opts.Location)
		},
		"has": func(roles []moderation.Role, u *moderation.User) bool {
			return u != nil && slices.Contains(roles, u.Role)
		},
		"in":         func(list []string, v string) bool { return slices.Contains(list, v) },
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
