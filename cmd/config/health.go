package config

import (
	"fmt"
	"time"
)

// Health configures the account health warnings (bot/health) and what
// /healthz reports as degraded.
type Health struct {
	// InactiveAfter: no post by the account itself for this long is a
	// warning (default 14 days: "336h").
	InactiveAfter Duration `yaml:"inactive_after"`
	// TokenWarnBefore: a token, or its data access, that ends within this
	// long is a warning (default 14 days).
	TokenWarnBefore Duration `yaml:"token_warn_before"`
	// PollFailingAfter: an account whose polls have all failed for this
	// long is a warning (default 1h).
	PollFailingAfter Duration `yaml:"poll_failing_after"`
	// WorkStalledAfter: work (a comment to classify and document, a
	// platform action) waiting longer than this makes /healthz degraded
	// (default 1h).
	WorkStalledAfter Duration `yaml:"work_stalled_after"`
	// CheckEvery is how often each token is checked with debug_token and
	// each page's webhook subscription is looked at (default 24h).
	CheckEvery Duration `yaml:"check_every"`
}

// Default health thresholds.
const (
	DefaultInactiveAfter    = 14 * 24 * time.Hour
	DefaultTokenWarnBefore  = 14 * 24 * time.Hour
	DefaultPollFailingAfter = time.Hour
	DefaultWorkStalledAfter = time.Hour
	DefaultHealthCheckEvery = 24 * time.Hour
)

func (c *Config) healthDefaults() {
	h := &c.Health
	for _, d := range []struct {
		v   *Duration
		def time.Duration
	}{
		{&h.InactiveAfter, DefaultInactiveAfter},
		{&h.TokenWarnBefore, DefaultTokenWarnBefore},
		{&h.PollFailingAfter, DefaultPollFailingAfter},
		{&h.WorkStalledAfter, DefaultWorkStalledAfter},
		{&h.CheckEvery, DefaultHealthCheckEvery},
	} {
		if *d.v == 0 {
			*d.v = Duration(d.def)
		}
	}
}

func (c *Config) validateHealth(loc *locator, cerr *Error) {
	h := c.Health
	for _, f := range []struct {
		field string
		v     Duration
		min   time.Duration
	}{
		{"health.inactive_after", h.InactiveAfter, 24 * time.Hour},
		{"health.token_warn_before", h.TokenWarnBefore, time.Hour},
		{"health.poll_failing_after", h.PollFailingAfter, time.Minute},
		{"health.work_stalled_after", h.WorkStalledAfter, time.Minute},
		{"health.check_every", h.CheckEvery, time.Minute},
	} {
		if f.v.D() < f.min {
			cerr.add(loc, f.field, fmt.Sprintf("%s: write at least %s", f.v.D(), f.min))
		}
	}
}
