package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// Fault kinds. An "error" fault answers a Graph error, a "delay" fault slows
// the answer (an error fault may carry a delay too); "html" and "reset" fail
// the way the network in front of Graph does; the webhook kinds change how
// the next webhook deliveries go out.
const (
	FaultError = "error"
	FaultDelay = "delay"
	// FaultHTML answers an HTML error page, not JSON, with HTTPStatus
	// (default 502), as a proxy or load balancer in front of Graph does.
	FaultHTML = "html"
	// FaultReset closes the connection without an answer.
	FaultReset            = "reset"
	FaultWebhookDuplicate = "webhook_duplicate" // deliver the event twice
	FaultWebhookReorder   = "webhook_reorder"   // hold the event back and deliver it after the next one
	FaultWebhookDrop      = "webhook_drop"      // never deliver the event
)

// Fault is an injected failure. It matches calls by Method, Path and
// Account (each empty = any) and fires Count times, or with Probability on
// each matching call, or on every matching call when both are zero.
//
// Path is matched with path.Match against the call's path without the
// version ("/1094810000000001/feed") and against its endpoint pattern
// ("/{page}/feed"), so "/{comment}" or "/*/comments" both work.
type Fault struct {
	Kind          string   `json:"kind,omitempty"`
	Method        string   `json:"method,omitempty"`
	Path          string   `json:"path,omitempty"`
	Account       string   `json:"account,omitempty"`
	Code          int      `json:"code,omitempty"`
	Subcode       int      `json:"error_subcode,omitempty"`
	HTTPStatus    int      `json:"http_status,omitempty"`
	Message       string   `json:"message,omitempty"`
	RegainMinutes int      `json:"regain_minutes,omitempty"` // estimated_time_to_regain_access of a rate limit (default 5)
	Delay         Duration `json:"delay,omitzero"`
	Count         int      `json:"count,omitempty"`
	Probability   float64  `json:"probability,omitempty"`
}

// Duration is a time.Duration written in JSON as "1.5s" or as milliseconds.
type Duration struct{ time.Duration }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "250ms", "2s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("delay %q: %w", s, err)
		}
		d.Duration = v
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("delay: want \"2s\" or milliseconds: %w", err)
	}
	d.Duration = time.Duration(ms * float64(time.Millisecond))
	return nil
}

func (f *Fault) regain() int {
	if f.RegainMinutes > 0 {
		return f.RegainMinutes
	}
	return 5
}

func (f *Fault) isWebhook() bool {
	return strings.HasPrefix(f.Kind, "webhook_")
}

type faultState struct {
	Fault
	ID    int `json:"id"`
	Fired int `json:"fired"`
}

func isRateLimit(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80014)
}

func (f Fault) validate() error {
	switch f.Kind {
	case "", FaultError, FaultDelay, FaultHTML, FaultReset, FaultWebhookDuplicate, FaultWebhookReorder, FaultWebhookDrop:
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if (f.Kind == "" || f.Kind == FaultError) && f.Code == 0 {
		return fmt.Errorf("an error fault needs a code")
	}
	if f.Kind == FaultDelay && f.Delay.Duration <= 0 {
		return fmt.Errorf("a delay fault needs a delay")
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("probability %v: want 0..1", f.Probability)
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			return fmt.Errorf("path %q: %w", f.Path, err)
		}
	}
	return nil
}

// InjectFault adds a fault, as POST /_emulator/faults does.
func (e *Emulator) InjectFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addFaultLocked(f)
}

func (e *Emulator) addFaultLocked(f Fault) int {
	if f.Kind == "" {
		if f.Code != 0 {
			f.Kind = FaultError
		} else if f.Delay.Duration > 0 {
			f.Kind = FaultDelay
		}
	}
	e.nextID++
	e.faults = append(e.faults, &faultState{Fault: f, ID: int(e.nextID)})
	return int(e.nextID)
}

// ClearFaults removes every fault, as DELETE /_emulator/faults does.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	e.faults = nil
	e.mu.Unlock()
}

// fires decides whether a fault fires now and counts it. The caller holds e.mu.
func (e *Emulator) fires(fs *faultState) bool {
	if fs.Count > 0 && fs.Fired >= fs.Count {
		return false
	}
	if fs.Probability > 0 && e.rng.Float64() >= fs.Probability {
		return false
	}
	fs.Fired++
	return true
}

// matchFault finds the first API fault that matches and fires. The caller holds e.mu.
func (e *Emulator) matchFault(c *call, pattern string, a *account) *Fault {
	_, patPath, _ := strings.Cut(pattern, " ")
	for _, fs := range e.faults {
		if fs.isWebhook() {
			continue
		}
		if fs.Method != "" && !strings.EqualFold(fs.Method, c.method) {
			continue
		}
		if fs.Path != "" {
			m1, _ := path.Match(fs.Path, "/"+c.path)
			m2, _ := path.Match(fs.Path, patPath)
			if !m1 && !m2 {
				continue
			}
		}
		if fs.Account != "" && (a == nil || a.ID != fs.Account) {
			continue
		}
		if e.fires(fs) {
			f := fs.Fault
			return &f
		}
	}
	return nil
}

// matchWebhookFault finds a webhook fault for an event of account a.
func (e *Emulator) matchWebhookFault(a *account) string {
	for _, fs := range e.faults {
		if !fs.isWebhook() {
			continue
		}
		if fs.Account != "" && (a == nil || a.ID != fs.Account) {
			continue
		}
		if e.fires(fs) {
			return fs.Kind
		}
	}
	return ""
}

// faultError turns a firing error fault into its Graph error; a 190 with a
// subcode revokes the token until POST /_emulator/tokens. The caller holds e.mu.
func (e *Emulator) faultError(c *call, f *Fault, a *account) *graphError {
	var g *graphError
	switch code := f.Code; {
	case code == 4:
		g = &graphError{Status: http.StatusForbidden, Type: "OAuthException", Code: 4, Transient: true, Message: "(#4) Application request limit reached"}
	case code == 17:
		g = &graphError{Status: http.StatusForbidden, Type: "OAuthException", Code: 17, Message: "(#17) User request limit reached"}
	case code == 32:
		g = &graphError{Status: http.StatusForbidden, Type: "OAuthException", Code: 32, Message: "(#32) Page request limit reached"}
	case code == 613:
		g = &graphError{Status: http.StatusBadRequest, Type: "OAuthException", Code: 613, Message: "(#613) Calls to this api have exceeded the rate limit."}
	case code >= 80001 && code <= 80014:
		g = bucLimit(code)
	case code == 190:
		g = tokenErr(f.Subcode)
		tok := c.token
		if tok == "" && a != nil {
			tok = a.Token
		}
		if f.Subcode != 0 && tok != "" {
			e.revoked[tok] = f.Subcode
		}
	case code == 100 && f.Subcode == 33:
		id := c.path
		if len(c.segs) > 0 {
			id = c.segs[0]
		}
		g = unsupported(c.method, id)
	case code == 1:
		g = &graphError{Status: http.StatusInternalServerError, Type: "OAuthException", Code: 1, Transient: true, Message: "An unknown error occurred"}
	case code == 2:
		g = &graphError{Status: http.StatusServiceUnavailable, Type: "OAuthException", Code: 2, Transient: true, Message: "An unexpected error has occurred. Please retry your request later."}
	case code == 368:
		g = oauthErr(368, f.Subcode, "(#368) The action attempted has been deemed abusive or is otherwise disallowed")
	case code == 10 || (code >= 200 && code <= 299):
		g = &graphError{Status: http.StatusForbidden, Type: "OAuthException", Code: code, Message: fmt.Sprintf("(#%d) Application does not have permission for this action", code)}
	default:
		g = oauthErr(code, f.Subcode, fmt.Sprintf("(#%d) Emulated error", code))
	}
	if f.Subcode != 0 {
		g.Subcode = f.Subcode
	}
	if f.HTTPStatus != 0 {
		g.Status = f.HTTPStatus
	}
	if f.Message != "" {
		g.Message = f.Message
	}
	return g
}

// ResetTokens clears revoked tokens (all, or only the given account's).
func (e *Emulator) ResetTokens(accountID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if accountID == "" {
		clear(e.revoked)
		return
	}
	if a := e.byID[accountID]; a != nil {
		delete(e.revoked, a.Token)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return "", false
		}
	}
	return string(b), true
}
