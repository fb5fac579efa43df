package objection

import (
	"fmt"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// ConfirmationText is the message to send to the person who objected,
// once the post is gone: in Danish when the objection's language is "da",
// otherwise in Swedish. It names the post by its date and the account, the
// register number, and that the evidence is kept as a record.
func ConfirmationText(o moderation.Objection, a moderation.Account, p moderation.Post, municipality string, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(loc).Format("2006-01-02")
	}
	platform := platformName(a.Platform)
	var b strings.Builder
	if o.Language == "da" {
		fmt.Fprintf(&b, "Kære %s\n\n", o.Person)
		fmt.Fprintf(&b, "Vi modtog den %s din indsigelse mod billedet i vores opslag fra %s på %s (%s). ",
			date(o.ReceivedAt), date(p.CreatedAt), platform, a.Name)
		fmt.Fprintf(&b, "Opslaget er nu slettet, og vi har den %s kontrolleret, at det ikke længere findes på %s.\n\n",
			date(o.ConfirmedAt), platform)
		fmt.Fprintf(&b, "Sagen har journalnummer %s. Dokumentationen af opslaget, som det så ud før sletningen, opbevares efter reglerne om journalisering.\n\n", o.RegisterNumber)
		fmt.Fprintf(&b, "Med venlig hilsen\n%s\n", municipality)
		return b.String()
	}
	fmt.Fprintf(&b, "Hej %s!\n\n", o.Person)
	fmt.Fprintf(&b, "Den %s tog vi emot din invändning mot bilden i vårt inlägg från %s på %s (%s). ",
		date(o.ReceivedAt), date(p.CreatedAt), platform, a.Name)
	fmt.Fprintf(&b, "Inlägget är nu borttaget, och vi kontrollerade den %s att det inte längre finns på %s.\n\n",
		date(o.ConfirmedAt), platform)
	fmt.Fprintf(&b, "Ärendet har diarienummer %s. Underlaget som visar inlägget som det såg ut före borttagningen bevaras som allmän handling.\n\n", o.RegisterNumber)
	fmt.Fprintf(&b, "Med vänlig hälsning\n%s\n", municipality)
	return b.String()
}

func platformName(p moderation.Platform) string {
	switch p {
	case moderation.Facebook:
		return "Facebook"
	case moderation.Instagram:
		return "Instagram"
	}
	return string(p)
}
