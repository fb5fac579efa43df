package facebook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/moderation"
)

// ClientOptions configure a Client.
type ClientOptions struct {
	GraphURL  string // e.g. https://graph.facebook.com/ (trailing slash added when missing)
	Version   string // e.g. v23.0
	AppID     string
	AppSecret string // when set, every call carries appsecret_proof
	// Tokens maps an account key to its access token (a page token; an
	// Instagram account uses the token of its linked page).
	Tokens     map[string]string
	HTTPClient *http.Client
	Now        func() time.Time
	// Sleep waits for d or until ctx ends (tests make it instant).
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
	// Attempts is how many times a transient failure (codes 1 and 2, 5xx,
	// timeouts) is tried before giving up (default 4).
	Attempts int
	// MaxWait is the longest a call waits in place for a rate limit to
	// pass (default 1 minute); a longer wait returns a *ThrottledError and
	// the account is not called again until it has passed.
	MaxWait time.Duration
	// BaseBackoff is the first wait after a transient failure, doubled on
	// each try, with as much again added at random (default 500 ms).
	BaseBackoff time.Duration
	// MaxPause is the longest an account is paused after calls that failed
	// on transient errors one after the other (default 10 minutes).
	MaxPause time.Duration
}

// Client calls the Graph API for uppsikt's accounts. It reads the usage
// headers of every answer and slows down before Meta's limits are reached,
// waits out rate limits, retries transient failures with backoff, and turns
// a rejected token into a *TokenError.
//
// A call that still fails on transient errors after its Attempts pauses
// the account: it is not called again for BaseBackoff·2^(n+3) (n the
// calls failed in a row, at most MaxPause, a quarter more at random), calls
// before then return an *UnavailableError at once, and while the account
// is failing each call makes one attempt only. So the poller, the action
// executor and the webhook processor, which all call through one Client,
// together send fewer requests to a failing platform, not four times as
// many, and the first answer (any answer but a transient error) ends the
// pause. The pause is per account: the others are called as usual.
//
// It is safe for concurrent use.
type Client struct {
	opts ClientOptions
	app  *fb.App

	mu       sync.Mutex
	appGate  time.Time            // no call to any account before this
	gates    map[string]time.Time // per account key
	requests map[string]int       // per account key, since the client was made
	outages  map[string]*outage   // per account key, while its calls fail
}

// outage is an account whose calls failed on transient errors.
type outage struct {
	failures int       // calls failed in a row
	until    time.Time // no call before this
	err      error     // the last failure
}

// NewClient returns a Client.
func NewClient(opts ClientOptions) *Client {
	if !strings.HasSuffix(opts.GraphURL, "/") {
		opts.GraphURL += "/"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 4
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = time.Minute
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = 500 * time.Millisecond
	}
	if opts.MaxPause <= 0 {
		opts.MaxPause = 10 * time.Minute
	}
	app := fb.New(opts.AppID, opts.AppSecret)
	app.EnableAppsecretProof = opts.AppSecret != ""
	return &Client{opts: opts, app: app, gates: map[string]time.Time{}, requests: map[string]int{}, outages: map[string]*outage{}}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TokenError says the platform rejected an account's token (Graph error
// 190): the account must be marked disconnected and not called again until
// a human replaces the token.
type TokenError struct {
	AccountKey  string
	Code        int
	Subcode     int
	Fingerprint string // TokenFingerprint of the rejected token
	Err         error
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("account %s: token rejected (code %d, subcode %d)", e.AccountKey, e.Code, e.Subcode)
}

func (e *TokenError) Unwrap() error { return e.Err }

// StatusNote is the note stored with the disconnected account for the
// alert in the web page. It carries the token's fingerprint, so that a new
// token in the configuration can be told from the rejected one.
func (e *TokenError) StatusNote() string {
	return fmt.Sprintf("Meta rejected the access token (error %d/%d); replace the token in the configuration and restart. %s%s",
		e.Code, e.Subcode, fingerprintLabel, e.Fingerprint)
}

const fingerprintLabel = "token fingerprint: "

// TokenFingerprint is a short, one-way name for a token: the first 12 hex
// digits of its SHA-256. It tells tokens apart without storing them.
func TokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:6])
}

// NoteFingerprint returns the token fingerprint in a status note written by
// TokenError.StatusNote, or "" when there is none.
func NoteFingerprint(note string) string {
	_, fp, ok := strings.Cut(note, fingerprintLabel)
	if !ok {
		return ""
	}
	return strings.TrimSpace(fp)
}

// ThrottledError says that Meta's rate limits allow no call to the account
// before Until.
type ThrottledError struct {
	AccountKey string
	Until      time.Time
	Err        error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("account %s: rate limited until %s", e.AccountKey, e.Until.UTC().Format(time.RFC3339))
}

func (e *ThrottledError) Unwrap() error { return e.Err }

// RetryAt is when the account may be called again; the poller schedules
// the next poll no earlier.
func (e *ThrottledError) RetryAt() time.Time { return e.Until }

// UnavailableError says that the platform failed an account's calls with
// transient errors (5xx answers, Graph codes 1 and 2, timeouts, refused
// connections) and that the account is not called again before Until.
type UnavailableError struct {
	AccountKey string
	Until      time.Time
	Failures   int // calls failed in a row
	Err        error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("account %s: platform unavailable (%d calls failed in a row), next try at %s: %v",
		e.AccountKey, e.Failures, e.Until.UTC().Format(time.RFC3339), e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// RetryAt is when the account may be called again; the poller, the action
// executor and the webhook processor wait until then.
func (e *UnavailableError) RetryAt() time.Time { return e.Until }

// IsGone reports whether err says the object does not exist (any more):
// Graph error 100 with subcode 33, which a deleted comment answers.
func IsGone(err error) bool {
	var fe *fb.Error
	return errors.As(err, &fe) && fe.Code == 100 && fe.ErrorSubcode == 33
}

func isRateLimit(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80014)
}

// Requests returns how many HTTP requests the client has sent for an
// account, retries included.
func (c *Client) Requests(accountKey string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[accountKey]
}

// Token returns the configured token of an account.
func (c *Client) Token(accountKey string) string { return c.opts.Tokens[accountKey] }

// session returns a Graph session for an account, bound to ctx.
func (c *Client) session(ctx context.Context, accountKey string) (*fb.Session, error) {
	token := c.opts.Tokens[accountKey]
	if token == "" {
		return nil, fmt.Errorf("account %s: no access token configured", accountKey)
	}
	s := c.app.Session(token)
	s.BaseURL = c.opts.GraphURL
	s.Version = c.opts.Version
	s.HttpClient = c.opts.HTTPClient
	return s.WithContext(ctx), nil
}

// Get calls GET path with params for an account. The account's platform id
// names its entry in X-Business-Use-Case-Usage. n, when not nil, counts the
// requests sent.
func (c *Client) Get(ctx context.Context, a moderation.Account, path string, params fb.Params, n *int) (fb.Result, error) {
	return c.do(ctx, a, n, func(s *fb.Session) (fb.Result, error) {
		p := fb.Params{}
		for k, v := range params {
			p[k] = v
		}
		return s.Get(path, p)
	})
}

// Post calls POST path with params for an account.
func (c *Client) Post(ctx context.Context, a moderation.Account, path string, params fb.Params, n *int) (fb.Result, error) {
	return c.do(ctx, a, n, func(s *fb.Session) (fb.Result, error) {
		p := fb.Params{}
		for k, v := range params {
			p[k] = v
		}
		return s.Post(path, p)
	})
}

// Next follows an absolute paging.next URL of a list.
func (c *Client) Next(ctx context.Context, a moderation.Account, next string, n *int) (fb.Result, error) {
	u, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("paging url: %w", err)
	}
	return c.do(ctx, a, n, func(s *fb.Session) (fb.Result, error) {
		q := u.Query()
		if c.opts.AppSecret != "" && q.Get("appsecret_proof") == "" {
			q.Set("appsecret_proof", s.AppsecretProof())
		}
		if q.Get("access_token") == "" {
			q.Set("access_token", s.AccessToken())
		}
		v := *u
		v.RawQuery = q.Encode()
		req, err := http.NewRequest(http.MethodGet, v.String(), nil)
		if err != nil {
			return nil, err
		}
		return s.Request(req)
	})
}

// Each reads a Graph list from path to its end, following paging.next,
// and hands each item of data to fn; an error from fn stops the walk.
func (c *Client) Each(ctx context.Context, a moderation.Account, path string, params fb.Params, n *int, fn func(json.RawMessage) error) error {
	res, err := c.Get(ctx, a, path, params, n)
	for {
		if err != nil {
			return err
		}
		var list struct {
			Data   []json.RawMessage `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := Decode(res, &list); err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		for _, item := range list.Data {
			if err := fn(item); err != nil {
				return fmt.Errorf("list %s: %w", path, err)
			}
		}
		if list.Paging.Next == "" || len(list.Data) == 0 {
			return nil
		}
		res, err = c.Next(ctx, a, list.Paging.Next, n)
	}
}

// do runs one Graph call with the limits, retries and error handling
// described on Client.
func (c *Client) do(ctx context.Context, a moderation.Account, n *int, call func(*fb.Session) (fb.Result, error)) (fb.Result, error) {
	s, err := c.session(ctx, a.Key)
	if err != nil {
		return nil, err
	}
	attempts := c.opts.Attempts
	if c.failing(a.Key) {
		attempts = 1 // the platform is failing this account: one try per call
	}
	var lastErr error
	transient := false
	for attempt := 0; attempt < attempts; attempt++ {
		if err := c.waitGate(ctx, a.Key); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.requests[a.Key]++
		c.mu.Unlock()
		if n != nil {
			*n++
		}
		res, err := call(s)
		c.readUsage(a, res)
		if err == nil {
			c.answered(a.Key)
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr, transient = err, false
		var fe *fb.Error
		if errors.As(err, &fe) && !(fe.Code == 1 || fe.Code == 2 || (fe.IsTransient && !isRateLimit(fe.Code))) {
			c.answered(a.Key) // the platform answered, if with an error
		}
		if errors.As(err, &fe) {
			switch {
			case fe.Code == 190:
				return nil, &TokenError{AccountKey: a.Key, Code: fe.Code, Subcode: fe.ErrorSubcode,
					Fingerprint: TokenFingerprint(c.opts.Tokens[a.Key]), Err: err}
			case isRateLimit(fe.Code):
				wait := c.regain(a, res)
				if wait <= 0 {
					wait = c.backoff(attempt + 2) // no estimate: a few seconds, growing
				}
				c.block(a.Key, fe.Code == 4, c.opts.Now().Add(wait))
				c.opts.Logger.Warn("rate limited", "account", a.Key, "code", fe.Code, "wait", wait.String())
				continue // waitGate waits, or gives up with a *ThrottledError
			case fe.Code == 1 || fe.Code == 2 || fe.IsTransient:
				// transient: back off below
			default:
				return nil, err // permanent: permissions, bad request, gone
			}
		}
		// Transient Graph errors, 5xx answers that are not JSON, timeouts
		// and refused connections are retried with backoff.
		transient = true
		if attempt+1 < attempts {
			d := c.backoff(attempt)
			c.opts.Logger.Debug("retrying graph call", "account", a.Key, "attempt", attempt+1, "wait", d.String(), "error", err)
			if err := c.opts.Sleep(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	if transient {
		return nil, c.fail(a.Key, attempts, lastErr)
	}
	return nil, fmt.Errorf("account %s: %d attempts failed: %w", a.Key, attempts, lastErr)
}

// failing reports whether the account's last call failed on transient errors.
func (c *Client) failing(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outages[key] != nil
}

// fail pauses an account after a call that failed on transient errors and
// returns the *UnavailableError that says until when.
func (c *Client) fail(key string, attempts int, err error) error {
	c.mu.Lock()
	o := c.outages[key]
	if o == nil {
		o = &outage{}
		c.outages[key] = o
	}
	o.failures++
	d := min(c.opts.BaseBackoff<<min(o.failures+3, 30), c.opts.MaxPause)
	d += rand.N(d/4 + 1)
	o.until, o.err = c.opts.Now().Add(d), err
	ue := &UnavailableError{AccountKey: key, Until: o.until, Failures: o.failures,
		Err: fmt.Errorf("%d attempts failed: %w", attempts, err)}
	c.mu.Unlock()
	c.opts.Logger.Warn("graph calls failing, account paused", "account", key, "failures", ue.Failures, "pause", d.Round(time.Millisecond).String(), "error", err)
	return ue
}

// answered ends an account's pause: the platform answered.
func (c *Client) answered(key string) {
	c.mu.Lock()
	o := c.outages[key]
	delete(c.outages, key)
	c.mu.Unlock()
	if o != nil {
		c.opts.Logger.Info("graph answers again", "account", key, "failures", o.failures)
	}
}

// backoff is BaseBackoff·2^attempt plus up to as much again at random.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.BaseBackoff << min(attempt, 10)
	return d + rand.N(d)
}

// waitGate waits until the account may be called, or returns a
// *ThrottledError when that is further away than MaxWait or ctx's deadline,
// or an *UnavailableError while the account is paused after failures.
func (c *Client) waitGate(ctx context.Context, key string) error {
	c.mu.Lock()
	if o := c.outages[key]; o != nil && c.opts.Now().Before(o.until) {
		ue := &UnavailableError{AccountKey: key, Until: o.until, Failures: o.failures, Err: o.err}
		c.mu.Unlock()
		return ue
	}
	until := c.gates[key]
	if c.appGate.After(until) {
		until = c.appGate
	}
	c.mu.Unlock()
	wait := until.Sub(c.opts.Now())
	if wait <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); wait > c.opts.MaxWait || (ok && c.opts.Now().Add(wait).After(dl)) {
		return &ThrottledError{AccountKey: key, Until: until}
	}
	return c.opts.Sleep(ctx, wait)
}

func (c *Client) block(key string, app bool, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if app {
		if until.After(c.appGate) {
			c.appGate = until
		}
		return
	}
	if until.After(c.gates[key]) {
		c.gates[key] = until
	}
}

// regain returns the account's estimated_time_to_regain_access, or 0.
func (c *Client) regain(a moderation.Account, res fb.Result) time.Duration {
	if res == nil {
		return 0
	}
	u := res.UsageInfo()
	if u == nil {
		return 0
	}
	var most int
	for _, l := range u.BusinessUseCase[a.PlatformID] {
		most = max(most, l.EstimatedTimeToRegainAccess)
	}
	return time.Duration(most) * time.Minute
}

// Usage thresholds (percent of a limit) and the pause kept between calls
// above them, so that uppsikt slows down before Meta throttles it.
const (
	usageSlow  = 75
	usageCrawl = 90
	pauseSlow  = 2 * time.Second
	pauseCrawl = 30 * time.Second
)

// readUsage reads X-App-Usage and X-Business-Use-Case-Usage and spaces the
// next calls accordingly.
func (c *Client) readUsage(a moderation.Account, res fb.Result) {
	if res == nil {
		return
	}
	u := res.UsageInfo()
	if u == nil {
		return
	}
	now := c.opts.Now()
	appPct := max(u.App.CallCount, u.App.TotalTime, u.App.TotalCPUTime)
	if d := pause(appPct); d > 0 {
		c.block(a.Key, true, now.Add(d))
	}
	pagePct, regain := 0, 0
	for _, l := range u.BusinessUseCase[a.PlatformID] {
		pagePct = max(pagePct, l.CallCount, l.TotalTime, l.TotalCPUTime)
		regain = max(regain, l.EstimatedTimeToRegainAccess)
	}
	switch {
	case regain > 0:
		// Throttled, and Meta says for how long.
		c.block(a.Key, false, now.Add(time.Duration(regain)*time.Minute))
	case pause(pagePct) > 0:
		c.block(a.Key, false, now.Add(pause(pagePct)))
	}
	if appPct >= usageSlow || pagePct >= usageSlow {
		c.opts.Logger.Info("graph usage high, slowing down", "account", a.Key, "app_pct", appPct, "page_pct", pagePct)
	}
}

func pause(pct int) time.Duration {
	switch {
	case pct >= 100:
		return 5 * time.Minute
	case pct >= usageCrawl:
		return pauseCrawl
	case pct >= usageSlow:
		return pauseSlow
	}
	return 0
}
