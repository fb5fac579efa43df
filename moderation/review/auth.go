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
	"net/netip"
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

// limiter counts failed sign-ins within a sliding window and decides
// whether a further attempt is refused:
//
//   - a name with max failures (from any address) is refused;
//   - an address with addrMax failures (any names) is refused only for
//     names that have themselves failed from that address.
//
// So one person trying passwords for alice locks out alice for a while, and
// a password sprayer gets a few tries per name, but a colleague behind the
// same proxy who has not failed is never refused for someone else's
// failures.
type limiter struct {
	mu        sync.Mutex
	max       int
	addrMax   int
	window    time.Duration
	failures  map[string][]time.Time
	lastSweep time.Time
}

func newLimiter(max, addrMax int, window time.Duration) *limiter {
	return &limiter{max: max, addrMax: addrMax, window: window, failures: map[string][]time.Time{}}
}

func nameKey(name string) string       { return "name\x00" + name }
func addrKey(addr string) string       { return "addr\x00" + addr }
func pairKey(addr, name string) string { return "pair\x00" + addr + "\x00" + name }

// recent returns the key's failures within the window, oldest first, and
// forgets older ones.
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

// until is how long until fewer than limit of the failures ts (oldest
// first) are within the window; zero when fewer already are.
func (l *limiter) until(ts []time.Time, limit int, now time.Time) time.Duration {
	if limit <= 0 || len(ts) < limit {
		return 0
	}
	return ts[len(ts)-limit].Add(l.window).Sub(now)
}

// blocked reports whether a sign-in as name from addr is refused now, and
// if so how long until it would not be.
func (l *limiter) blocked(now time.Time, name, addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wait := l.until(l.recent(nameKey(name), now), l.max, now)
	if pair := l.recent(pairKey(addr, name), now); len(pair) > 0 {
		// Refused until the address falls under its limit or this name's
		// failures from it leave the window, whichever comes first.
		if a := l.until(l.recent(addrKey(addr), now), l.addrMax, now); a > 0 {
			wait = max(wait, min(a, pair[len(pair)-1].Add(l.window).Sub(now)))
		}
	}
	return wait > 0, wait
}

// fail counts a failed sign-in as name from addr.
func (l *limiter) fail(now time.Time, name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{nameKey(name), addrKey(addr), pairKey(addr, name)} {
		l.failures[k] = append(l.recent(k, now), now)
	}
	// Forget names and addresses that stopped failing, once per window, so
	// that a spray of names does not grow the map for ever.
	if now.Sub(l.lastSweep) >= l.window {
		for k := range l.failures {
			l.recent(k, now)
		}
		l.lastSweep = now
	}
}

// succeed forgets name's failures after a correct password from addr; the
// address's count stays.
func (l *limiter) succeed(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, nameKey(name))
	delete(l.failures, pairKey(addr, name))
}

// clientAddr is the address of the person behind a request: the direct
// peer, or, when the peer is a configured trusted proxy, the right-most
// address in the client address header (X-Forwarded-For by default) that is
// not itself a trusted proxy. A header from any other peer is ignored: anyone
// can write it.
func (s *Server) clientAddr(r *http.Request) string {
	peer := remoteAddr(r.RemoteAddr)
	if !peer.IsValid() || !s.trusted(peer) {
		if peer.IsValid() {
			return peer.String()
		}
		return r.RemoteAddr
	}
	var hops []string
	for _, v := range r.Header.Values(s.opts.ClientAddrHeader) {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := remoteAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			// Not an address: what is left of it cannot be trusted either.
			break
		}
		client = a
		if !s.trusted(a) {
			break
		}
	}
	return client.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteAddr parses "host:port", "[v6]:port" or a bare address; the zero
// Addr when it is none of them.
func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
