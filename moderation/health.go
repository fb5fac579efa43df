package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Account health: the guideline asks that every account has a responsible
// administrator and a substitute ("Utse alltid en ersättare vid frånvaro")
// and that no account lies inactive ("Det är viktigt att vi inte har
// inaktiva konton"); an operator needs to know when uppsikt itself cannot
// do its work (a token rejected or expiring, polling failing, the webhook
// subscription gone, work set aside, evidence without screenshots).
// AccountHealth turns what is known of an account into warnings with
// stable codes; the words are HealthWarningText's.

// HealthCode names one kind of warning. The codes are stable: monitoring,
// the Slack alerts' memory and `uppsikt accounts -json` use them.
type HealthCode string

// Health codes.
const (
	HealthDisconnected    HealthCode = "disconnected"     // the platform rejected the token while polling
	HealthTokenInvalid    HealthCode = "token_invalid"    // debug_token says the token is not valid
	HealthTokenExpiring   HealthCode = "token_expiring"   // the token or its data access ends within TokenWarnBefore
	HealthWebhookMissing  HealthCode = "webhook_missing"  // webhooks are on but the page is not subscribed
	HealthPollFailing     HealthCode = "poll_failing"     // every poll has failed for longer than PollFailingAfter
	HealthWorkDead        HealthCode = "work_dead"        // the account's comments set aside by the pipeline
	HealthActionsFailed   HealthCode = "actions_failed"   // the account's platform actions failed for good
	HealthCaptureDegraded HealthCode = "capture_degraded" // evidence is made without screenshots or not as PDF/A
	HealthInactive        HealthCode = "inactive"         // no post by the account for InactiveAfter
	HealthNoOwner         HealthCode = "no_owner"         // no responsible administrator
	HealthNoSubstitute    HealthCode = "no_substitute"    // no substitute
)

// Operational reports whether the warning means uppsikt cannot do its work
// for the account now, which /healthz reports as degraded. The others
// (inactive, no owner or substitute, a token that expires soon) are for the
// account's owners and show on the web page, in Slack and in `uppsikt
// accounts`, but page no one at night.
func (c HealthCode) Operational() bool {
	switch c {
	case HealthInactive, HealthNoOwner, HealthNoSubstitute, HealthTokenExpiring:
		return false
	}
	return true
}

// HealthWarning is one warning about an account.
type HealthWarning struct {
	Code HealthCode `json:"code"`
	// Since is when the condition began, when known (the last own post,
	// the first failed poll, the token's expiry).
	Since time.Time `json:"since,omitzero"`
	// Count is how many (set-aside work items, failed actions), or the
	// days without a post.
	Count int `json:"count,omitempty"`
	// Class is the error class of a failing poll or check (never the
	// error's text, which could carry what the platform echoed).
	Class string `json:"class,omitempty"`
}

// HealthPolicy are the thresholds of the warnings.
type HealthPolicy struct {
	InactiveAfter    time.Duration // default 14 days
	TokenWarnBefore  time.Duration // default 14 days
	PollFailingAfter time.Duration // default 1 hour
	Webhooks         bool          // webhooks are on: a missing subscription is a warning
}

// WithDefaults fills in the default thresholds.
func (p HealthPolicy) WithDefaults() HealthPolicy {
	if p.InactiveAfter <= 0 {
		p.InactiveAfter = 14 * 24 * time.Hour
	}
	if p.TokenWarnBefore <= 0 {
		p.TokenWarnBefore = 14 * 24 * time.Hour
	}
	if p.PollFailingAfter <= 0 {
		p.PollFailingAfter = time.Hour
	}
	return p
}

// TokenCheck is the last answer of Graph's debug_token for an account's
// token. The token itself is never kept here.
type TokenCheck struct {
	CheckedAt           time.Time `json:"checked_at,omitzero"` // zero: never checked
	Valid               bool      `json:"valid"`
	ExpiresAt           time.Time `json:"expires_at,omitzero"`             // zero: does not expire
	DataAccessExpiresAt time.Time `json:"data_access_expires_at,omitzero"` // zero: unknown
	Error               string    `json:"error,omitempty"`                 // the class of the check's failure, when the check itself failed
}

// SubscriptionCheck is the last look at the page's webhook subscription
// (GET /{page-id}/subscribed_apps).
type SubscriptionCheck struct {
	CheckedAt  time.Time `json:"checked_at,omitzero"` // zero: never checked
	Subscribed bool      `json:"subscribed"`
	Error      string    `json:"error,omitempty"` // the class of the check's failure
}

// AccountFacts is what a store knows of an account's health.
type AccountFacts struct {
	LastPollOK          time.Time         `json:"last_poll_ok,omitzero"`
	LastPollFailed      time.Time         `json:"last_poll_failed,omitzero"`
	LastPollError       string            `json:"last_poll_error,omitempty"` // error class of the last failed poll
	FailingSince        time.Time         `json:"failing_since,omitzero"`    // the first of the failures in a row; zero when the last poll succeeded
	ConsecutiveFailures int               `json:"consecutive_failures"`
	Token               TokenCheck        `json:"token"`
	Subscription        SubscriptionCheck `json:"subscription"`
	LastOwnPost         time.Time         `json:"last_own_post,omitzero"` // the newest stored post the account wrote itself
	DeadWork            int               `json:"dead_work"`              // the account's work items set aside
	FailedActions       int               `json:"failed_actions"`         // the account's actions failed for good
}

// CaptureHealth says whether evidence is captured as it should be.
type CaptureHealth struct {
	Disabled bool   `json:"disabled"` // capture.disabled: text-only evidence on purpose
	Degraded bool   `json:"degraded"` // wanted but unavailable or failing
	Reason   string `json:"reason,omitempty"`
}

// AccountHealth is the warnings about one account, with what they are
// drawn from.
type AccountHealth struct {
	Account  Account         `json:"-"`
	Purpose  string          `json:"-"`
	Facts    AccountFacts    `json:"facts"`
	Warnings []HealthWarning `json:"warnings"`
}

// Has reports whether the account has a warning with the code.
func (h AccountHealth) Has(c HealthCode) bool {
	return slices.ContainsFunc(h.Warnings, func(w HealthWarning) bool { return w.Code == c })
}

// WorkHealth is whether the pipeline and the action executor keep up.
type WorkHealth struct {
	OldestPending time.Time `json:"oldest_pending,omitzero"` // the oldest work item or action still waiting
	Stalled       bool      `json:"stalled"`                 // OldestPending is older than the threshold
}

// HealthReport is the health of every account, of evidence capture and of
// the work queues at one moment.
type HealthReport struct {
	At       time.Time       `json:"at"`
	Accounts []AccountHealth `json:"accounts"`
	Capture  CaptureHealth   `json:"capture"`
	Work     WorkHealth      `json:"work"`
}

// Account returns the health of the account with the key.
func (r HealthReport) Account(key string) (AccountHealth, bool) {
	for _, a := range r.Accounts {
		if a.Account.Key == key {
			return a, true
		}
	}
	return AccountHealth{}, false
}

// HealthProblem is one thing that makes the service degraded.
type HealthProblem struct {
	Code    HealthCode `json:"code"`
	Account string     `json:"account,omitempty"` // the account key; empty for the whole service
}

// HealthWorkStalled is the problem code of work waiting too long.
const HealthWorkStalled HealthCode = "work_stalled"

// Problems lists what makes the service degraded: every operational
// warning of an account (capture is listed once, for the service, not per
// account), and stalled work.
func (r HealthReport) Problems() []HealthProblem {
	var out []HealthProblem
	for _, a := range r.Accounts {
		for _, w := range a.Warnings {
			if w.Code.Operational() && w.Code != HealthCaptureDegraded {
				out = append(out, HealthProblem{Code: w.Code, Account: a.Account.Key})
			}
		}
	}
	if r.Capture.Degraded {
		out = append(out, HealthProblem{Code: HealthCaptureDegraded})
	}
	if r.Work.Stalled {
		out = append(out, HealthProblem{Code: HealthWorkStalled})
	}
	return out
}

// AccountWarnings returns the warnings about an account at now, in a
// fixed order (most urgent first). It is a pure function of its
// arguments; p is taken with its defaults.
func AccountWarnings(a Account, f AccountFacts, capture CaptureHealth, p HealthPolicy, now time.Time) []HealthWarning {
	p = p.WithDefaults()
	var out []HealthWarning
	add := func(w HealthWarning) { out = append(out, w) }
	if a.Status == AccountDisconnected {
		add(HealthWarning{Code: HealthDisconnected, Since: a.UpdatedAt})
	}
	tok := f.Token
	meta := a.Platform == Facebook || a.Platform == Instagram
	if meta && !tok.CheckedAt.IsZero() && tok.Error == "" {
		switch {
		case !tok.Valid:
			add(HealthWarning{Code: HealthTokenInvalid, Since: tok.CheckedAt})
		case !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Sub(now) < p.TokenWarnBefore:
			add(HealthWarning{Code: HealthTokenExpiring, Since: tok.ExpiresAt})
		case !tok.DataAccessExpiresAt.IsZero() && tok.DataAccessExpiresAt.Sub(now) < p.TokenWarnBefore:
			add(HealthWarning{Code: HealthTokenExpiring, Since: tok.DataAccessExpiresAt, Class: "data_access"})
		}
	}
	sub := f.Subscription
	if a.Platform == Facebook && p.Webhooks && !sub.CheckedAt.IsZero() && sub.Error == "" && !sub.Subscribed {
		add(HealthWarning{Code: HealthWebhookMissing, Since: sub.CheckedAt})
	}
	if f.ConsecutiveFailures > 0 && !f.FailingSince.IsZero() && now.Sub(f.FailingSince) >= p.PollFailingAfter &&
		f.LastPollOK.Before(f.FailingSince) {
		add(HealthWarning{Code: HealthPollFailing, Since: f.FailingSince, Count: f.ConsecutiveFailures, Class: f.LastPollError})
	}
	if f.DeadWork > 0 {
		add(HealthWarning{Code: HealthWorkDead, Count: f.DeadWork})
	}
	if f.FailedActions > 0 {
		add(HealthWarning{Code: HealthActionsFailed, Count: f.FailedActions})
	}
	if capture.Degraded && !capture.Disabled {
		add(HealthWarning{Code: HealthCaptureDegraded, Class: capture.Reason})
	}
	// An account is inactive when the newest post it wrote itself is
	// older than the threshold. A website's comment section has no posts
	// of its own, and an account never read successfully is not judged.
	if a.Platform != Webpage && !f.LastPollOK.IsZero() {
		switch {
		case f.LastOwnPost.IsZero():
			add(HealthWarning{Code: HealthInactive})
		case now.Sub(f.LastOwnPost) >= p.InactiveAfter:
			add(HealthWarning{Code: HealthInactive, Since: f.LastOwnPost, Count: int(now.Sub(f.LastOwnPost) / (24 * time.Hour))})
		}
	}
	if len(a.Owners) == 0 {
		add(HealthWarning{Code: HealthNoOwner})
	}
	if len(a.Substitutes) == 0 {
		add(HealthWarning{Code: HealthNoSubstitute})
	}
	return out
}

// ErrorClass names the kind of a failed poll or check without its text,
// which may carry what the platform echoed: "token" (the platform rejected
// the token), "throttled" (rate limited or paused after failures),
// "timeout", "canceled", "graph_N" (a Graph error code) or "other".
func ErrorClass(err error) string {
	if err == nil {
		return ""
	}
	var token interface{ StatusNote() string }
	var wait interface{ RetryAt() time.Time }
	switch {
	case errors.As(err, &token):
		return "token"
	case errors.As(err, &wait):
		return "throttled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	if m := graphCode.FindStringSubmatch(err.Error()); m != nil {
		s := m[1]
		if s == "" {
			s = m[2]
		}
		if n, err := strconv.Atoi(s); err == nil {
			return fmt.Sprintf("graph_%d", n)
		}
	}
	return "other"
}

// HealthStore keeps what the health checks need. archive/sqlite implements
// it; it is optional beside Store.
type HealthStore interface {
	// RecordPoll records the outcome of one poll of the account: errClass
	// empty for a successful one, else its ErrorClass.
	RecordPoll(ctx context.Context, accountKey string, at time.Time, errClass string) error
	// RecordTokenCheck records the last debug_token answer for the
	// account's token.
	RecordTokenCheck(ctx context.Context, accountKey string, c TokenCheck) error
	// RecordSubscriptionCheck records the last look at the account's
	// webhook subscription.
	RecordSubscriptionCheck(ctx context.Context, accountKey string, c SubscriptionCheck) error
	// AccountFacts returns what is known of the account's health;
	// ErrNotFound for an unknown account.
	AccountFacts(ctx context.Context, accountKey string) (AccountFacts, error)
	// OldestPendingWork returns when the oldest work item or platform
	// action still waiting (not set aside, not failed) was created; zero
	// when none waits.
	OldestPendingWork(ctx context.Context) (time.Time, error)
}
