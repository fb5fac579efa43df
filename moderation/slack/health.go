package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
)

// AlertHealthAction is the audit log action recording that an account
// health warning was announced on Slack; its subject is the account key
// and its detail the warning's code and the channel. AlertHealthCleared
// records that an announced warning is gone, so that it is announced again
// when it comes back. The audit log is where HealthAlerts remembers what it
// announced, so a restart announces nothing twice.
const (
	AlertHealthAction  = "slack.health_warning"
	AlertHealthCleared = "slack.health_cleared"
)

type healthDetail struct {
	Code    moderation.HealthCode `json:"code"`
	Channel string                `json:"channel,omitempty"`
}

// HealthAlerts posts each new account health warning to the account's
// review channel, once, in the way AlertDisconnected posts a disconnected
// account: a disconnection and failed actions, which those alerts already
// announce, are left to them.
type HealthAlerts struct {
	n     *Notifier
	mu    sync.Mutex
	after int64           // the audit log is read up to this entry
	open  map[string]bool // account key + code announced and not cleared
}

// NewHealthAlerts returns the health alerts of a Notifier.
func NewHealthAlerts(n *Notifier) *HealthAlerts {
	return &HealthAlerts{n: n, open: map[string]bool{}}
}

func healthKey(account string, code moderation.HealthCode) string {
	return account + "\x00" + string(code)
}

// announcedElsewhere are the warnings other alerts post.
func announcedElsewhere(c moderation.HealthCode) bool {
	return c == moderation.HealthDisconnected || c == moderation.HealthActionsFailed
}

// load reads the audit log entries written since the last pass.
func (h *HealthAlerts) load(ctx context.Context) error {
	for {
		es, err := h.n.opts.Store.AuditLog(ctx, h.after, 1000)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		for _, e := range es {
			h.after = e.Seq
			if e.Action != AlertHealthAction && e.Action != AlertHealthCleared {
				continue
			}
			var d healthDetail
			if json.Unmarshal(e.Detail, &d) != nil {
				continue
			}
			h.open[healthKey(e.Subject, d.Code)] = e.Action == AlertHealthAction
		}
		if len(es) < 1000 {
			return nil
		}
	}
}

// Alert posts the report's new warnings to each account's review channel
// and records warnings that are gone. Accounts without a Slack channel are
// left to the web page. A failure to post is retried with the next report.
func (h *HealthAlerts) Alert(ctx context.Context, r moderation.HealthReport) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.load(ctx); err != nil {
		return err
	}
	n := h.n
	var errs []error
	record := func(action, key string, d healthDetail) {
		detail, _ := json.Marshal(d)
		if _, err := n.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: n.opts.Now(), Actor: "uppsikt",
			Action: action, Subject: key, Detail: detail}); err != nil {
			errs = append(errs, fmt.Errorf("record health alert for %s: %w", key, err))
		}
	}
	for _, ah := range r.Accounts {
		a := ah.Account
		ch := n.channel(a.Key)
		if ch == "" {
			continue
		}
		now := map[moderation.HealthCode]bool{}
		for _, w := range ah.Warnings {
			if announcedElsewhere(w.Code) {
				continue
			}
			now[w.Code] = true
			k := healthKey(a.Key, w.Code)
			if h.open[k] {
				continue
			}
			text := HealthAlertText(ah, w, n.opts.Language)
			if _, _, err := n.opts.Client.PostMessageContext(ctx, ch, slack.MsgOptionText(text, false)); err != nil {
				n.opts.Logger.Warn("slack alert for an account health warning", "account", a.Key, "code", w.Code, "channel", ch, "error", err)
				errs = append(errs, fmt.Errorf("health alert for %s to slack: %w", a.Key, err))
				continue
			}
			h.open[k] = true
			record(AlertHealthAction, a.Key, healthDetail{Code: w.Code, Channel: ch})
			n.opts.Logger.Info("slack alert for an account health warning posted", "account", a.Key, "code", w.Code, "channel", ch)
		}
		for k, open := range h.open {
			account, code, _ := strings.Cut(k, "\x00")
			if open && account == a.Key && !now[moderation.HealthCode(code)] {
				h.open[k] = false
				record(AlertHealthCleared, a.Key, healthDetail{Code: moderation.HealthCode(code)})
			}
		}
	}
	return errors.Join(errs...)
}

// HealthAlertText is the Slack message of one warning about an account, in
// the municipality's language (sv, da, en), escaped for Slack's mrkdwn: the
// account, the warning in words, and who is responsible.
func HealthAlertText(ah moderation.AccountHealth, w moderation.HealthWarning, lang string) string {
	a := ah.Account
	name := a.Name
	if name == "" {
		name = a.Key
	}
	head, who := "Kontots hälsa", "Ansvariga: %s. Ersättare: %s."
	switch lang {
	case "da":
		head, who = "Kontoens sundhed", "Ansvarlige: %s. Stedfortrædere: %s."
	case "en":
		head, who = "Account health", "Responsible: %s. Substitutes: %s."
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "-"
		}
		return Escape(strings.Join(xs, ", "))
	}
	return fmt.Sprintf(":warning: *%s: %s* (%s, %s)\n%s\n%s", head, Escape(name), Escape(a.Key), Escape(string(a.Platform)),
		Escape(moderation.HealthWarningText(lang, w, nil)), fmt.Sprintf(who, list(a.Owners), list(a.Substitutes)))
}
