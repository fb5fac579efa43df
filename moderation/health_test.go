package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAccountWarnings(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ok := Account{Key: "kommun", Platform: Facebook, PlatformID: "1", Owners: []string{"anna"}, Substitutes: []string{"bertil"}, Status: AccountActive}
	healthy := AccountFacts{LastPollOK: now.Add(-time.Minute), LastOwnPost: now.Add(-2 * day),
		Token:        TokenCheck{CheckedAt: now.Add(-time.Hour), Valid: true, DataAccessExpiresAt: now.Add(60 * day)},
		Subscription: SubscriptionCheck{CheckedAt: now.Add(-time.Hour), Subscribed: true}}
	policy := HealthPolicy{Webhooks: true}
	with := func(fn func(a *Account, f *AccountFacts, c *CaptureHealth, p *HealthPolicy)) func() (Account, AccountFacts, CaptureHealth, HealthPolicy) {
		return func() (Account, AccountFacts, CaptureHealth, HealthPolicy) {
			a, f, c, p := ok, healthy, CaptureHealth{}, policy
			a.Owners, a.Substitutes = slices.Clone(ok.Owners), slices.Clone(ok.Substitutes)
			fn(&a, &f, &c, &p)
			return a, f, c, p
		}
	}
	for _, tc := range []struct {
		name  string
		setup func() (Account, AccountFacts, CaptureHealth, HealthPolicy)
		want  []HealthCode
	}{
		{"healthy", with(func(*Account, *AccountFacts, *CaptureHealth, *HealthPolicy) {}), nil},
		{"disconnected", with(func(a *Account, _ *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) { a.Status = AccountDisconnected }), []HealthCode{HealthDisconnected}},
		{"no substitute", with(func(a *Account, _ *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) { a.Substitutes = nil }), []HealthCode{HealthNoSubstitute}},
		{"no owner and no substitute", with(func(a *Account, _ *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			a.Owners, a.Substitutes = nil, nil
		}),
			[]HealthCode{HealthNoOwner, HealthNoSubstitute}},
		{"inactive after 14 days", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.LastOwnPost = now.Add(-14 * day)
		}),
			[]HealthCode{HealthInactive}},
		{"13 days is not inactive", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.LastOwnPost = now.Add(-13 * day)
		}), nil},
		{"inactive threshold configured", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, p *HealthPolicy) {
			f.LastOwnPost = now.Add(-8 * day)
			p.InactiveAfter = 7 * day
		}), []HealthCode{HealthInactive}},
		{"never posted, read successfully", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) { f.LastOwnPost = time.Time{} }),
			[]HealthCode{HealthInactive}},
		{"never read: inactivity not judged", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.LastOwnPost, f.LastPollOK = time.Time{}, time.Time{}
		}), nil},
		{"a website has no own posts", with(func(a *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			a.Platform = Webpage
			f.LastOwnPost = time.Time{}
		}), nil},
		{"token invalid", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) { f.Token.Valid = false }), []HealthCode{HealthTokenInvalid}},
		{"token expiring within 14 days", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.Token.ExpiresAt = now.Add(13 * day)
		}),
			[]HealthCode{HealthTokenExpiring}},
		{"token expiring in 15 days is fine", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.Token.ExpiresAt = now.Add(15 * day)
		}), nil},
		{"data access expiring", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.Token.DataAccessExpiresAt = now.Add(day)
		}),
			[]HealthCode{HealthTokenExpiring}},
		{"a failed token check says nothing of the token", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.Token.Valid, f.Token.Error = false, "throttled"
		}), nil},
		{"webhook subscription missing", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.Subscription.Subscribed = false
		}),
			[]HealthCode{HealthWebhookMissing}},
		{"no subscription needed without webhooks", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, p *HealthPolicy) {
			f.Subscription.Subscribed, p.Webhooks = false, false
		}), nil},
		{"polling failing for over an hour", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.LastPollOK, f.FailingSince, f.ConsecutiveFailures, f.LastPollError = now.Add(-2*time.Hour), now.Add(-61*time.Minute), 12, "throttled"
		}), []HealthCode{HealthPollFailing}},
		{"polling failing for half an hour is not yet a warning", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.LastPollOK, f.FailingSince, f.ConsecutiveFailures = now.Add(-2*time.Hour), now.Add(-30*time.Minute), 6
		}), nil},
		{"dead work and failed actions", with(func(_ *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			f.DeadWork, f.FailedActions = 2, 1
		}),
			[]HealthCode{HealthWorkDead, HealthActionsFailed}},
		{"capture degraded", with(func(_ *Account, _ *AccountFacts, c *CaptureHealth, _ *HealthPolicy) {
			c.Degraded, c.Reason = true, "chromium_missing"
		}),
			[]HealthCode{HealthCaptureDegraded}},
		{"capture disabled on purpose is no warning", with(func(_ *Account, _ *AccountFacts, c *CaptureHealth, _ *HealthPolicy) { c.Disabled = true }), nil},
		{"several at once, most urgent first", with(func(a *Account, f *AccountFacts, _ *CaptureHealth, _ *HealthPolicy) {
			a.Status, a.Substitutes = AccountDisconnected, nil
			f.Token.Valid = false
			f.LastOwnPost = now.Add(-30 * day)
		}), []HealthCode{HealthDisconnected, HealthTokenInvalid, HealthInactive, HealthNoSubstitute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, f, c, p := tc.setup()
			var got []HealthCode
			for _, w := range AccountWarnings(a, f, c, p, now) {
				got = append(got, w.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHealthProblems(t *testing.T) {
	r := HealthReport{
		Accounts: []AccountHealth{
			{Account: Account{Key: "a"}, Warnings: []HealthWarning{{Code: HealthNoSubstitute}, {Code: HealthDisconnected}, {Code: HealthCaptureDegraded}}},
			{Account: Account{Key: "b"}, Warnings: []HealthWarning{{Code: HealthInactive}, {Code: HealthTokenExpiring}}},
		},
		Capture: CaptureHealth{Degraded: true},
		Work:    WorkHealth{Stalled: true},
	}
	got := fmt.Sprint(r.Problems())
	want := fmt.Sprint([]HealthProblem{{Code: HealthDisconnected, Account: "a"}, {Code: HealthCaptureDegraded}, {Code: HealthWorkStalled}})
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

type tokenErr struct{}

func (tokenErr) Error() string      { return "code 190: the token EAAB-secret was rejected" }
func (tokenErr) StatusNote() string { return "rejected" }

func TestErrorClass(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"none", nil, ""},
		{"token", fmt.Errorf("poll: %w", tokenErr{}), "token"},
		{"timeout", fmt.Errorf("poll: %w", context.DeadlineExceeded), "timeout"},
		{"graph code", errors.New("poll kommun: (#100) Unsupported get request"), "graph_100"},
		{"other", errors.New("dial tcp: refused"), "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorClass(tc.err); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHealthWarningTextInEveryLanguage(t *testing.T) {
	codes := []HealthCode{HealthDisconnected, HealthTokenInvalid, HealthTokenExpiring, HealthWebhookMissing, HealthPollFailing,
		HealthWorkDead, HealthActionsFailed, HealthCaptureDegraded, HealthInactive, HealthNoOwner, HealthNoSubstitute}
	for _, lang := range HealthLanguages() {
		for _, c := range codes {
			w := HealthWarning{Code: c, Count: 3, Since: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
			got := HealthWarningText(lang, w, nil)
			if got == string(c) || strings.Contains(got, "{") {
				t.Errorf("%s %s: got %q, want words with the placeholders filled in", lang, c, got)
			}
		}
		for k := range healthTexts["sv"] {
			if healthTexts[lang][k] == "" {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
	if got, want := HealthWarningText("da", HealthWarning{Code: HealthInactive, Count: 20, Since: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, nil),
		"Intet opslag fra kontoen i 20 dage (senest 2026-02-01). Inaktive konti skal lukkes."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
