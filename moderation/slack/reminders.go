package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
)

// RemindQuestion posts a reminder of an open question to the account's
// review channel, mentioning its owners and substitutes: how long the
// question has waited in working time, when it is due, and a link to it.
// It returns the channel posted to, or "" when the account is not
// reviewed on Slack. The question's text is not repeated (it may hold
// personal data): the link leads to it.
func (n *Notifier) RemindQuestion(ctx context.Context, a moderation.Account, q moderation.Question, waited time.Duration, due time.Time, loc *time.Location) (string, error) {
	ch := n.channel(a.Key)
	if ch == "" {
		return "", nil
	}
	people := n.people(append(append([]string(nil), a.Owners...), a.Substitutes...))
	text := QuestionReminderText(a, q, people, waited, due, n.opts.BaseURL, n.opts.Language, loc)
	if _, _, err := n.opts.Client.PostMessageContext(ctx, ch, slack.MsgOptionText(text, false)); err != nil {
		return "", fmt.Errorf("question reminder to slack: %w", err)
	}
	return ch, nil
}

// QuestionReminderText is the reminder of an open question, in the
// language of the municipality (sv, da, en), escaped for Slack's mrkdwn.
// people are ready for mrkdwn (mentions or escaped names); due is shown
// in loc.
func QuestionReminderText(a moderation.Account, q moderation.Question, people []string, waited time.Duration, due time.Time, baseURL, lang string, loc *time.Location) string {
	name := a.Name
	if name == "" {
		name = a.Key
	}
	who := strings.Join(people, ", ")
	if who == "" {
		who = "-"
	}
	link := strconv.FormatInt(q.CommentID, 10)
	if base := strings.TrimRight(baseURL, "/"); base != "" {
		link = "<" + base + "/comments/" + link + "|" + link + ">"
	}
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf(reminderTexts(lang), Escape(name), WorkingHours(waited), link, due.In(loc).Format("2006-01-02 15:04"), who)
}

// WorkingHours writes a working time as hours, with minutes when there are
// any: "24", "7:30".
func WorkingHours(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return strconv.Itoa(h)
	}
	return fmt.Sprintf("%d:%02d", h, m)
}

func reminderTexts(lang string) string {
	switch lang {
	case "da":
		return ":hourglass: *Et spørgsmål på %s har ventet %s arbejdstimer på svar* (kommentar %s).\n" +
			"Det skal besvares senest %s. Ansvarlige og stedfortrædere: %s\n" +
			"Sådan gør du: svar i tråden på platformen, eller markér spørgsmålet som besvaret på anden måde eller som intet spørgsmål på siden Spørgsmål i uppsikt."
	case "en":
		return ":hourglass: *A question on %s has waited %s working hours for an answer* (comment %s).\n" +
			"It is due by %s. Owners and substitutes: %s\n" +
			"What to do: answer in the thread on the platform, or mark the question answered elsewhere or not a question on uppsikt's Questions page."
	default:
		return ":hourglass: *En fråga på %s har väntat %s arbetstimmar på svar* (kommentar %s).\n" +
			"Den ska besvaras senast %s. Ansvariga och ersättare: %s\n" +
			"Gör så här: svara i tråden på plattformen, eller markera frågan som besvarad på annat sätt eller som ingen fråga på sidan Frågor i uppsikt."
	}
}
