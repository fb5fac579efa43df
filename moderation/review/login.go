package review

import (
	"crypto/subtle"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/moderation"
)

func subtleEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

type loginData struct {
	Token string
	Next  string
	Name  string
	Error string
}

// safeNext keeps a redirect after sign-in (or after a form) on this site:
// it answers next only when it is a path on this site that no browser can
// read as another site, else /cases. Browsers drop tabs and newlines from a
// URL and read a backslash as a slash, so "/\t/example.org" or "/\\example.org"
// would leave the site: any control, space, format character or backslash,
// written or percent-encoded, is refused, as are a scheme, a host, a path
// starting with "//" once decoded, dot segments and the sign-in page itself.
func safeNext(next string) string {
	const fallback = "/cases"
	if !strings.HasPrefix(next, "/") || !plainURL(next) {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !plainURL(u.Path) {
		return fallback
	}
	if strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.EscapedPath(), "//") || u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") {
		return fallback
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return fallback
		}
	}
	return next
}

// plainURL reports whether s has no character a browser might drop or read
// as a slash: no control, space or format character, and no backslash.
func plainURL(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// loginPage shows the sign-in form with a fresh token, kept in a cookie as
// well, that the form must send back (sign-in CSRF).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if who, err := s.session(r); err == nil && who != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	token, err := randomToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, token, 3600)
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	s.renderStatus(w, r, status, "login", "sign_in", 0, loginData{Token: token, Next: safeNext(next), Name: name, Error: msg})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ctx := r.Context()
	now := s.opts.Now()
	t := texts[language(r, s.opts.Language)]
	c, err := r.Cookie(loginCookie)
	if err != nil || !validToken(r.PostFormValue("csrf"), c.Value) {
		s.errorPage(w, r, http.StatusForbidden, "csrf")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	addr := s.clientAddr(r)
	if refused, wait := s.limiter.blocked(now, name, addr); refused {
		s.opts.Logger.Warn("sign-in refused: too many attempts", "user", name, "remote", addr)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.showLogin(w, r, http.StatusTooManyRequests, name, t["too_many"])
		return
	}
	u, err := s.opts.Users.User(ctx, name)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash
	}
	if !CheckPassword(hash, password) || err != nil || u.Disabled || u.PasswordHash == "" {
		s.limiter.fail(now, name, addr)
		s.opts.Logger.Info("sign-in failed", "user", name, "remote", addr)
		s.showLogin(w, r, http.StatusUnauthorized, name, t["bad_login"])
		return
	}
	s.limiter.succeed(name, addr)
	secret, err := randomToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	csrf, err := randomToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	exp := now.Add(s.opts.SessionIdle)
	if err := s.opts.Users.CreateSession(ctx, moderation.Session{ID: sessionID(secret), User: u.Name, CSRF: csrf, CreatedAt: now, LastSeen: now, ExpiresAt: exp}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, u.Name, "user.sign_in", "user/"+u.Name, map[string]any{"surface": "web", "remote": addr})
	s.setCookie(w, r, loginCookie, "", -1)
	s.setCookie(w, r, sessionCookie, secret, int(s.opts.SessionMax.Seconds()))
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	who := userFrom(r.Context())
	if err := s.opts.Users.DeleteSession(r.Context(), who.Session.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, who.User.Name, "user.sign_out", "user/"+who.User.Name, map[string]any{"surface": "web"})
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	who := userFrom(r.Context())
	lang := r.PostFormValue("lang")
	if _, ok := texts[lang]; !ok && lang != "" {
		s.errorPage(w, r, http.StatusBadRequest, "unknown_language")
		return
	}
	u := who.User
	u.Language = lang
	if err := s.opts.Users.SaveUser(r.Context(), u); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
