package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
)

// AlertAction is the audit log action recording that a disconnected
// account was announced on Slack; its subject is the account key and its
// detail the status note. The audit log is where the notifier remembers
// which disconnections it announced, so a restart does not announce one
// twice.
const AlertAction = "slack.account_disconnected"

// alerts remembers which disconnections were announced, as account key and
// status note (the note carries the rejected token's fingerprint, so a new
// token rejected later is a new disconnection).
type alerts struct {
	mu     sync.Mutex
	loaded bool
	sent   map[string]bool
}

func alertKey(account, note string) string { return account + "\x00" + note }

type alertDetail struct {
	Note    string `json:"note"`
	Channel string `json:"channel"`
}

// load reads the announcements already made from the audit log, once.
func (n *Notifier) loadAlerts(ctx context.Context) error {
	if n.alerts.loaded {
		return nil
	}
	sent := map[string]bool{}
	var after int64
	for {
		es, err := n.opts.Store.AuditLog(ctx, after, 1000)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		for _, e := range es {
			after = e.Seq
			if e.Action != AlertAction {
				continue
			}
			var d alertDetail
			if err := json.Unmarshal(e.Detail, &d); err == nil {
				sent[alertKey(e.Subject, d.Note)] = true
			}
		}
		if len(es) < 1000 {
			break
		}
	}
	n.alerts.sent, n.alerts.loaded = sent, true
	return nil
}

// AlertDisconnected posts an alert to the review channel of every
// disconnected account (the platform rejected its token) not yet announced
// for this disconnection: which account, why (the status note, which never
// holds the token) and what to do. A failure is retried on the next pass.
// Sync calls it; accounts without a Slack channel are left to the web page.
func (n *Notifier) AlertDisconnected(ctx context.Context) error {
	n.alerts.mu.Lock()
	defer n.alerts.mu.Unlock()
	accounts, err := n.opts.Store.Accounts(ctx)
	if err != nil {
		return fmt.Errorf("read accounts: %w", err)
	}
	var errs []error
	for _, a := range accounts {
		if a.Status != moderation.AccountDisconnected {
			continue
		}
		ch := n.channel(a.Key)
		if ch == "" {
			continue
		}
		if err := n.loadAlerts(ctx); err != nil {
			return err
		}
		k := alertKey(a.Key, a.StatusNote)
		if n.alerts.sent[k] {
			continue
		}
		text := AlertText(a, n.opts.Language)
		if _, _, err := n.opts.Client.PostMessageContext(ctx, ch, slack.MsgOptionText(text, false)); err != nil {
			n.opts.Logger.Warn("slack alert for a disconnected account", "account", a.Key, "channel", ch, "error", err)
			errs = append(errs, fmt.Errorf("alert for %s to slack: %w", a.Key, err))
			continue
		}
		n.alerts.sent[k] = true
		detail, _ := json.Marshal(alertDetail{Note: a.StatusNote, Channel: ch})
		if _, err := n.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: n.opts.Now(), Actor: "uppsikt",
			Action: AlertAction, Subject: a.Key, Detail: detail}); err != nil {
			errs = append(errs, fmt.Errorf("record alert for %s: %w", a.Key, err))
		}
		n.opts.Logger.Info("slack alert for a disconnected account posted", "account", a.Key, "channel", ch)
	}
	return errors.Join(errs...)
}

// AlertText is the alert for a disconnected account, in the language of
// the municipality (sv, da, en), escaped for Slack's mrkdwn.
func AlertText(a moderation.Account, lang string) string {
	name := a.Name
	if name == "" {
		name = a.Key
	}
	note := a.StatusNote
	if note == "" {
		note = "-"
	}
	return fmt.Sprintf(alertTexts(lang), Escape(name), Escape(a.Key), Escape(string(a.Platform)), Escape(note))
}

func alertTexts(lang string) string {
	switch lang {
	case "da":
		return ":warning: *uppsikt overvåger ikke længere %s* (%s, %s): platformen afviste kontoens adgangstoken.\n" +
			"Årsag: %s\nSådan gør du: lav et nyt sidetoken, erstat kontoens token i uppsikts konfiguration og genstart tjenesten. Indtil da bliver nye kommentarer hverken hentet eller arkiveret."
	case "en":
		return ":warning: *uppsikt no longer supervises %s* (%s, %s): the platform rejected the account's access token.\n" +
			"Reason: %s\nWhat to do: make a new page token, replace the account's token in uppsikt's configuration and restart the service. Until then new comments are neither read nor archived."
	default:
		return ":warning: *uppsikt bevakar inte längre %s* (%s, %s): plattformen avvisade kontots åtkomsttoken.\n" +
			"Orsak: %s\nGör så här: skapa en ny sidtoken, byt kontots token i uppsikts konfiguration och starta om tjänsten. Till dess hämtas och arkiveras inga nya kommentarer."
	}
}
