package review

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Password hashes are PBKDF2-HMAC-SHA256 from Go's standard library, with a
// random 16-byte salt and the iteration count OWASP recommends (600,000),
// written as "pbkdf2-sha256$<iterations>$<salt>$<key>" in unpadded base64.
// argon2id and bcrypt live in golang.org/x/crypto, which uppsikt does not
// depend on; the hash names its algorithm so another can be added later.
const (
	hashScheme     = "pbkdf2-sha256"
	hashIterations = 600_000
	hashKeyLen     = 32
)

// HashPassword returns the stored form of a password.
func HashPassword(password string) (string, error) {
	return hashWith(password, hashIterations)
}

func hashWith(password string, iterations int) (string, error) {
	if password == "" {
		return "", errors.New("hash password: the password is empty")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, hashKeyLen)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash made by
// HashPassword, in time that does not depend on where they differ.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a user does not exist, so that an
// unknown name takes as long to refuse as a wrong password.
var dummyHash = "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// randomToken returns 32 random bytes, hex encoded.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// sessionID is what the store keeps of a cookie's secret.
func sessionID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const (
	sessionCookie = "uppsikt_session"
	loginCookie   = "uppsikt_login"
)

// signedIn is the person behind a request.
type signedIn struct {
	User    moderation.User
	Session moderation.Session
}

type ctxKey struct{}

func userFrom(ctx context.Context) *signedIn {
	u, _ := ctx.Value(ctxKey{}).(*signedIn)
	return u
}

// secure reports whether cookies must carry the Secure flag: always when
// configured, and whenever the request came over https.
func (s *Server) secure(r *http.Request) bool {
	return s.opts.SecureCookies || r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// session finds the request's session and user, and extends the session's
// idle expiry (never beyond its maximum age).
func (s *Server) session(r *http.Request) (*signedIn, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	ctx := r.Context()
	now := s.opts.Now()
	se, err := s.opts.Users.Session(ctx, sessionID(c.Value), now)
	if errors.Is(err, moderation.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := s.opts.Users.User(ctx, se.User)
	if errors.Is(err, moderation.ErrNotFound) || (err == nil && u.Disabled) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(se.LastSeen) > time.Minute {
		exp := now.Add(s.opts.SessionIdle)
		if max := se.CreatedAt.Add(s.opts.SessionMax); exp.After(max) {
			exp = max
		}
		if err := s.opts.Users.TouchSession(ctx, se.ID, now, exp); err != nil {
			return nil, err
		}
		se.LastSeen, se.ExpiresAt = now, exp
	}
	return &signedIn{User: u, Session: se}, nil
}

// limiter refuses sign-in attempts after too many failures for one name or
// from one address within a window.
type limiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	failures map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, failures: map[string][]time.Time{}}
}

func (l *limiter) recent(key string, now time.Time) []time.Time {
	kept := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = kept
	return kept
}

// blocked reports whether any key has reached the limit.
func (l *limiter) blocked(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if len(l.recent(k, now)) >= l.max {
			return true
		}
	}
	return false
}

func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.failures[k] = append(l.recent(k, now), now)
	}
}

func (l *limiter) clear(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
