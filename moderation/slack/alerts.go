package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
)

// AlertAction is the audit log action recording that a disconnected
// account was announced on Slack; its subject is the account key and its
// detail the status note. The audit log is where the notifier remembers
// which disconnections it announced, so a restart does not announce one
// twice.
const AlertAction = "slack.account_disconnected"

// AlertFailedAction is the audit log action recording that a platform
// action that failed for good was announced on Slack; its subject is
// "action N" and its detail says when the action failed, so that an action
// retried by an administrator and failed again is announced again.
const AlertFailedAction = "slack.action_failed"

// alerts remembers what was announced: disconnections as account key and
// status note (the note carries the rejected token's fingerprint, so a new
// token rejected later is a new disconnection; an account reconnected
// since starts afresh), and failed actions as action id and the time they
// failed. It follows the audit log, where every announcement and every
// reconnection is written, so a restart announces nothing twice.
type alerts struct {
	mu    sync.Mutex
	after int64 // the audit log is read up to this entry
	sent  map[string]bool
}

func alertKey(account, note string) string { return account + "\x00" + note }

func failedKey(actionID int64, failedAt time.Time) string {
	return "action " + strconv.FormatInt(actionID, 10) + "\x00" + strconv.FormatInt(failedAt.UnixNano(), 10)
}

type alertDetail struct {
	Note    string `json:"note"`
	Channel string `json:"channel"`
}

type failedDetail struct {
	FailedAt time.Time `json:"failed_at"`
	Account  string    `json:"account"`
	Channel  string    `json:"channel"`
}

// loadAlerts reads the audit log entries written since the last pass: the
// announcements made, and reconnections, which make the account's next
// disconnection a new one even with the same note.
func (n *Notifier) loadAlerts(ctx context.Context) error {
	if n.alerts.sent == nil {
		n.alerts.sent = map[string]bool{}
	}
	for {
		es, err := n.opts.Store.AuditLog(ctx, n.alerts.after, 1000)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		for _, e := range es {
			n.alerts.after = e.Seq
			switch e.Action {
			case AlertAction:
				var d alertDetail
				if err := json.Unmarshal(e.Detail, &d); err == nil {
					n.alerts.sent[alertKey(e.Subject, d.Note)] = true
				}
			case AlertFailedAction:
				var d failedDetail
				id, err := strconv.ParseInt(strings.TrimPrefix(e.Subject, "action "), 10, 64)
				if err == nil && json.Unmarshal(e.Detail, &d) == nil {
					n.alerts.sent[failedKey(id, d.FailedAt)] = true
				}
			case moderation.AuditAccountReconnected:
				for k := range n.alerts.sent {
					if strings.HasPrefix(k, e.Subject+"\x00") {
						delete(n.alerts.sent, k)
					}
				}
			}
		}
		if len(es) < 1000 {
			return nil
		}
	}
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
	if err := n.loadAlerts(ctx); err != nil {
		return err
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

// AlertFailedActions posts an alert to the review channel of the account
// of every platform action that failed for good (a hide, delete, unhide or
// reply uppsikt gave up on) and was not yet announced: which comment, what
// failed and why, the account's owners (mentioned when they are mapped to
// Slack users), and what to do. A failure to post is retried on the next
// pass; the announcement is recorded in the audit log. Sync calls it;
// accounts without a Slack channel are left to the web page's attention
// panel.
func (n *Notifier) AlertFailedActions(ctx context.Context) error {
	n.alerts.mu.Lock()
	defer n.alerts.mu.Unlock()
	failed, err := n.opts.Store.FailedActions(ctx, 0)
	if err != nil {
		return fmt.Errorf("read failed actions: %w", err)
	}
	if len(failed) == 0 {
		return nil
	}
	if err := n.loadAlerts(ctx); err != nil {
		return err
	}
	var errs []error
	for _, act := range failed {
		k := failedKey(act.ID, act.DoneAt)
		if n.alerts.sent[k] {
			continue
		}
		c, err := n.opts.Store.Comment(ctx, act.CommentID)
		if err != nil {
			errs = append(errs, fmt.Errorf("failed action %d: %w", act.ID, err))
			continue
		}
		a, err := n.opts.Store.Account(ctx, c.AccountKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("failed action %d: %w", act.ID, err))
			continue
		}
		ch := n.channel(a.Key)
		if ch == "" {
			continue
		}
		text := FailedActionText(a, act, n.owners(a), n.opts.BaseURL, n.opts.Language)
		if _, _, err := n.opts.Client.PostMessageContext(ctx, ch, slack.MsgOptionText(text, false)); err != nil {
			n.opts.Logger.Warn("slack alert for a failed action", "action_id", act.ID, "channel", ch, "error", err)
			errs = append(errs, fmt.Errorf("alert for action %d to slack: %w", act.ID, err))
			continue
		}
		n.alerts.sent[k] = true
		detail, _ := json.Marshal(failedDetail{FailedAt: act.DoneAt, Account: a.Key, Channel: ch})
		if _, err := n.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: n.opts.Now(), Actor: "uppsikt",
			Action: AlertFailedAction, Subject: "action " + strconv.FormatInt(act.ID, 10), Detail: detail}); err != nil {
			errs = append(errs, fmt.Errorf("record alert for action %d: %w", act.ID, err))
		}
		n.opts.Logger.Info("slack alert for a failed action posted", "action_id", act.ID, "account", a.Key, "channel", ch)
	}
	return errors.Join(errs...)
}

// owners names the account's owners for Slack: a mention for those mapped
// to a Slack user (review.slack.users), the uppsikt user name otherwise.
func (n *Notifier) owners(a moderation.Account) []string { return n.people(a.Owners) }

// people names uppsikt users for Slack: a mention for those mapped to a
// Slack user (review.slack.users), the escaped user name otherwise.
func (n *Notifier) people(names []string) []string {
	var out []string
	for _, o := range names {
		mention := ""
		for id, name := range n.opts.SlackUsers {
			if name == o && (mention == "" || "<@"+id+">" < mention) {
				mention = "<@" + id + ">"
			}
		}
		if mention == "" {
			mention = Escape(o)
		}
		out = append(out, mention)
	}
	return out
}

// FailedActionText is the alert for an action that failed for good, in the
// language of the municipality (sv, da, en), escaped for Slack's mrkdwn.
// owners are ready for mrkdwn (mentions or escaped names).
func FailedActionText(a moderation.Account, act moderation.Action, owners []string, baseURL, lang string) string {
	name := a.Name
	if name == "" {
		name = a.Key
	}
	reason := "-"
	if act.LastError != "" {
		reason = moderation.PlatformErrorText(lang, act.LastError)
	}
	who := strings.Join(owners, ", ")
	if who == "" {
		who = "-"
	}
	link := strconv.FormatInt(act.CommentID, 10)
	if base := strings.TrimRight(baseURL, "/"); base != "" {
		link = "<" + base + "/comments/" + link + "|" + link + ">"
	}
	t := failedTexts(lang)
	verb := t.verbs[act.Kind]
	if verb == "" {
		verb = Escape(act.Kind)
	}
	return fmt.Sprintf(t.text, verb, link, Escape(name), Escape(a.Key), Escape(string(a.Platform)), Escape(reason), who)
}

type failedText struct {
	verbs map[string]string
	text  string
}

func failedTexts(lang string) failedText {
	switch lang {
	case "da":
		return failedText{
			verbs: map[string]string{moderation.ActHide: "skjule", moderation.ActUnhide: "vise", moderation.ActDelete: "slette",
				moderation.ActReply: "besvare", moderation.ActPrivateReply: "sende en privat besked om"},
			text: ":rotating_light: *uppsikt kunne ikke %s kommentar %s* på %s (%s, %s) og har opgivet.\nÅrsag: %s\nAnsvarlige: %s\n" +
				"Sådan gør du: se kommentaren i uppsikt, gør det i hånden på platformen, hvis det haster, og prøv handlingen igen fra feltet »Kræver handling« på uppsikts side, når årsagen er løst.",
		}
	case "en":
		return failedText{
			verbs: map[string]string{moderation.ActHide: "hide", moderation.ActUnhide: "show", moderation.ActDelete: "delete",
				moderation.ActReply: "reply to", moderation.ActPrivateReply: "send a private reply about"},
			text: ":rotating_light: *uppsikt could not %s comment %s* on %s (%s, %s) and has given up.\nReason: %s\nOwners: %s\n" +
				"What to do: look at the comment in uppsikt, do it by hand on the platform if it is urgent, and retry the action from the \"Needs attention\" panel of uppsikt's page once the cause is fixed.",
		}
	default:
		return failedText{
			verbs: map[string]string{moderation.ActHide: "dölja", moderation.ActUnhide: "visa", moderation.ActDelete: "ta bort",
				moderation.ActReply: "svara på", moderation.ActPrivateReply: "skicka ett privat meddelande om"},
			text: ":rotating_light: *uppsikt kunde inte %s kommentar %s* på %s (%s, %s) och har gett upp.\nOrsak: %s\nAnsvariga: %s\n" +
				"Gör så här: titta på kommentaren i uppsikt, gör det för hand på plattformen om det brådskar, och försök igen från rutan ”Behöver åtgärd” på uppsikts sida när orsaken är åtgärdad.",
		}
	}
}
