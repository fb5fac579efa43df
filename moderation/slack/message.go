package slack

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// Action ids of the message's buttons.
const (
	ActionRemove   = "uppsikt_remove"
	ActionKeep     = "uppsikt_keep"
	ActionRegister = "uppsikt_register"
	ActionOpen     = "uppsikt_open"
	// ActionUndo takes back an approved removal while its grace lasts.
	ActionUndo = "uppsikt_undo"
)

var actionKinds = map[string]string{
	ActionRemove: moderation.DecideRemove, ActionKeep: moderation.DecideKeep, ActionRegister: moderation.DecideRegister,
	ActionUndo: moderation.DecideUndo,
}

// Escape makes text safe inside Slack mrkdwn: &, < and > are the only
// characters Slack asks to escape, and without < and > no link, mention or
// channel reference can be formed.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// link is a mrkdwn link, or just the escaped label when the address is not
// http(s) or cannot be written safely.
func link(url, label string) string {
	if !(strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) || strings.ContainsAny(url, "|<> \n") {
		return Escape(label)
	}
	return "<" + strings.ReplaceAll(url, "&", "&amp;") + "|" + Escape(label) + ">"
}

// CaseInfo is what a case message shows.
type CaseInfo struct {
	Case     moderation.Case
	Account  moderation.Account
	Comment  moderation.Comment
	Text     string // the flagged version's text
	Post     moderation.Post
	Hits     []moderation.Hit
	Evidence []moderation.EvidenceFile
	Decision *moderation.Decision // the last decision, once there is one
	BaseURL  string               // the web page, for links; empty leaves them out
	// UndoUntil is when the grace of an approved removal ends: until then
	// the message offers Undo. Zero: nothing to undo.
	UndoUntil time.Time
}

// limit cuts s to n runes, marking the cut.
func limit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Blocks is the Block Kit message for a case, in lang (sv, da, en), and its
// plain-text fallback for notifications.
func Blocks(info CaseInfo, lang string) ([]slack.Block, string) {
	t := words(lang)
	c := info.Case
	cats := make([]string, 0, len(c.Categories))
	for _, k := range c.Categories {
		cats = append(cats, decide.CategoryName(lang, k))
	}
	title := fmt.Sprintf("%s #%d — %s", t["case"], c.ID, limit(info.Account.Name, 60))
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, limit(title, 140), false, false)),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*" + t["author"] + "*\n" + Escape(limit(info.Comment.Author.Name, 200))),
			mrkdwn("*" + t["categories"] + "*\n" + Escape(strings.Join(cats, ", "))),
		}, nil),
		slack.NewSectionBlock(mrkdwn(quote(limit(info.Text, 2500))), nil, nil),
	}
	if len(info.Hits) > 0 {
		var b strings.Builder
		b.WriteString("*" + t["hits"] + "*")
		for i, h := range info.Hits {
			if i == 10 {
				fmt.Fprintf(&b, "\n… +%d", len(info.Hits)-10)
				break
			}
			fmt.Fprintf(&b, "\n• %s: “%s”", Escape(decide.CategoryName(lang, h.Category)), Escape(limit(h.Match, 80)))
			// The embedded packs cite no document: the municipality's own
			// guideline, whose sections are not theirs to name. A rule of
			// the municipality's own pack may cite one.
			if d := h.Citation.Document; d != "" && !strings.Contains(d, "(Dnr NBGK 2024/1093)") {
				b.WriteString(" — " + Escape(d))
				if h.Citation.Section != "" {
					b.WriteString(", " + Escape(h.Citation.Section))
				}
			}
			b.WriteString(" (" + Escape(h.RuleID) + ")")
			if strings.HasPrefix(h.RuleID, "model.") && h.Explanation != "" {
				b.WriteString("\n   _" + Escape(limit(h.Explanation, 300)) + "_")
			}
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
	}
	var links []slack.MixedElement
	if info.Post.PermalinkURL != "" {
		links = append(links, mrkdwn(link(info.Post.PermalinkURL, t["post"])))
	}
	if info.Comment.PermalinkURL != "" {
		links = append(links, mrkdwn(link(info.Comment.PermalinkURL, t["comment"])))
	}
	base := strings.TrimRight(info.BaseURL, "/")
	if base != "" {
		for _, e := range info.Evidence {
			if e.Kind == "pdf" || e.Kind == "screenshot" {
				links = append(links, mrkdwn(link(base+"/evidence/"+strconv.FormatInt(e.ID, 10), t["ev_"+e.Kind])))
			}
		}
	}
	if len(info.Evidence) == 0 {
		links = append(links, mrkdwn(Escape(t["no_evidence"])))
	}
	blocks = append(blocks, slack.NewContextBlock("links", links...))
	undecided := c.State == moderation.CaseOpen || c.State == moderation.CaseEscalated
	if info.Decision != nil {
		d := info.Decision
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* — %s, %s (%s)%s",
			Escape(t["state_"+string(c.State)]), Escape(d.By), d.At.UTC().Format(time.DateTime+" UTC"), Escape(d.Surface), reason(d.Reason))), nil, nil))
	}
	id := strconv.FormatInt(c.ID, 10)
	var buttons []slack.BlockElement
	if c.State == moderation.CaseApproved && !info.UndoUntil.IsZero() {
		until := info.UndoUntil.UTC().Format(time.TimeOnly + " UTC")
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(Escape(fmt.Sprintf(t["removal_at"], until))), nil, nil))
		buttons = append(buttons, slack.NewButtonBlockElement(ActionUndo, id, plain(t["undo"])))
	}
	if undecided {
		// Slack asks before it sends the click: a removal cannot be taken
		// back on the platform.
		confirm := slack.NewConfirmationBlockObject(plain(t["confirm_title"]), plain(t["confirm_text"]), plain(t["confirm_yes"]), plain(t["cancel"])).
			WithStyle(slack.StyleDanger)
		buttons = append(buttons,
			slack.NewButtonBlockElement(ActionRemove, id, plain(t["approve"])).WithStyle(slack.StyleDanger).WithConfirm(confirm),
			slack.NewButtonBlockElement(ActionKeep, id, plain(t["keep"])),
			slack.NewButtonBlockElement(ActionRegister, id, plain(t["register"])))
	}
	if base != "" {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionOpen, id, plain(t["open"])).WithURL(base+"/cases/"+id))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("decide", buttons...))
	}
	fallback := fmt.Sprintf("%s: %s — %s", title, strings.Join(cats, ", "), t["state_"+string(c.State)])
	return blocks, Escape(fallback)
}

func reason(r string) string {
	if r == "" {
		return ""
	}
	return ": " + Escape(limit(r, 300))
}

func quote(s string) string {
	if s == "" {
		return ">"
	}
	lines := strings.Split(Escape(s), "\n")
	return "&gt; " + strings.Join(lines, "\n&gt; ")
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func words(lang string) map[string]string {
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts["sv"]
}

var texts = map[string]map[string]string{
	"sv": {"case": "Ärende", "author": "Författare", "categories": "Kategorier", "hits": "Träffar", "post": "Inlägget",
		"comment": "Kommentaren", "ev_pdf": "Bevis (PDF)", "ev_screenshot": "Skärmbild", "no_evidence": "Bevis sparas…",
		"approve": "Godkänn borttagning", "keep": "Behåll", "register": "Bara diarieför", "open": "Öppna i uppsikt",
		"state_open": "Öppet", "state_escalated": "Väntar på en andra granskare eller administratör", "state_approved": "Borttagning godkänd",
		"state_kept": "Behållen", "state_registered": "Diarieförd", "state_done": "Klart",
		"unmapped":  "Ditt Slack-konto är inte kopplat till någon användare i uppsikt, så du kan inte fatta beslut här. Be en administratör lägga till dig under review.slack.users.",
		"forbidden": "Din roll i uppsikt får inte fatta beslut om ärenden.", "conflict": "Ärendet var redan avgjort av %s (%s, %s).",
		"second": "Ditt godkännande är registrerat. En andra granskare måste också godkänna borttagningen.", "failed": "Beslutet kunde inte genomföras; försök igen eller använd webbsidan.",
		"removal_at": "Borttagningen genomförs %s. Till dess kan den ångras.", "undo": "Ångra", "too_late": "Det är för sent att ångra: borttagningen har redan påbörjats.",
		"confirm_title": "Ta bort kommentaren?", "confirm_text": "Kommentaren raderas på plattformen och författaren får kommunens svar. Det går att ångra en kort stund i det här meddelandet.",
		"confirm_yes": "Ta bort", "cancel": "Avbryt"},
	"da": {"case": "Sag", "author": "Forfatter", "categories": "Kategorier", "hits": "Fund", "post": "Opslaget",
		"comment": "Kommentaren", "ev_pdf": "Bevis (PDF)", "ev_screenshot": "Skærmbillede", "no_evidence": "Bevis gemmes…",
		"approve": "Godkend fjernelse", "keep": "Behold", "register": "Kun journalisér", "open": "Åbn i uppsikt",
		"state_open": "Åben", "state_escalated": "Venter på en anden kontrollant eller administrator", "state_approved": "Fjernelse godkendt",
		"state_kept": "Beholdt", "state_registered": "Journaliseret", "state_done": "Færdig",
		"unmapped":  "Din Slack-konto er ikke knyttet til en bruger i uppsikt, så du kan ikke træffe afgørelser her. Bed en administrator om at tilføje dig under review.slack.users.",
		"forbidden": "Din rolle i uppsikt må ikke træffe afgørelser.", "conflict": "Sagen var allerede afgjort af %s (%s, %s).",
		"second": "Din godkendelse er registreret. En anden kontrollant skal også godkende fjernelsen.", "failed": "Afgørelsen kunne ikke gennemføres; prøv igen eller brug websiden.",
		"removal_at": "Fjernelsen udføres %s. Indtil da kan den fortrydes.", "undo": "Fortryd", "too_late": "Det er for sent at fortryde: fjernelsen er allerede gået i gang.",
		"confirm_title": "Slet kommentaren?", "confirm_text": "Kommentaren slettes på platformen, og forfatteren får kommunens svar. Det kan fortrydes et kort øjeblik i denne besked.",
		"confirm_yes": "Slet", "cancel": "Annullér"},
	"en": {"case": "Case", "author": "Author", "categories": "Categories", "hits": "Hits", "post": "The post",
		"comment": "The comment", "ev_pdf": "Evidence (PDF)", "ev_screenshot": "Screenshot", "no_evidence": "Evidence is being stored…",
		"approve": "Approve removal", "keep": "Keep", "register": "Register only", "open": "Open in uppsikt",
		"state_open": "Open", "state_escalated": "Waiting for a second reviewer or an administrator", "state_approved": "Removal approved",
		"state_kept": "Kept", "state_registered": "Registered", "state_done": "Done",
		"unmapped":  "Your Slack account is not linked to an uppsikt user, so you cannot decide cases here. Ask an administrator to add you under review.slack.users.",
		"forbidden": "Your role in uppsikt may not decide cases.", "conflict": "The case was already decided by %s (%s, %s).",
		"second": "Your approval is recorded. A second reviewer must also approve the removal.", "failed": "The decision could not be carried out; try again or use the web page.",
		"removal_at": "The removal will be carried out at %s. Until then it can be undone.", "undo": "Undo", "too_late": "It is too late to undo: the removal has already begun.",
		"confirm_title": "Remove the comment?", "confirm_text": "The comment is deleted on the platform and its author gets the municipality's reply. It can be undone for a short while in this message.",
		"confirm_yes": "Remove", "cancel": "Cancel"},
}
