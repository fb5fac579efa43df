package act

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// Templates are the reply texts per language (sv, da, en). {reason} is
// replaced by the categories found, {guideline} by the guideline passages
// they cite.
type Templates map[string]string

// DefaultTemplates are used for languages the configuration does not set.
func DefaultTemplates() Templates {
	return Templates{
		"sv": "Hej! Din kommentar har tagits bort eftersom den innehöll {reason}, vilket inte är tillåtet enligt våra riktlinjer för sociala medier ({guideline}). Hör gärna av dig till oss om du har frågor.",
		"da": "Hej! Din kommentar er blevet fjernet, fordi den indeholdt {reason}, hvilket ikke er tilladt efter vores retningslinjer for sociale medier ({guideline}). Kontakt os gerne, hvis du har spørgsmål.",
		"en": "Hello! Your comment has been removed because it contained {reason}, which our social media guidelines do not allow ({guideline}). Please contact us if you have any questions.",
	}
}

var categoryNames = map[string]map[string]string{
	"sv": {
		moderation.CatPersonalID: "personnummer eller andra identitetsuppgifter", moderation.CatSensitiveData: "känsliga personuppgifter",
		moderation.CatHarassment: "trakasserier eller personangrepp", moderation.CatHate: "hets eller diskriminering",
		moderation.CatProfanity: "svordomar eller kränkande språk", moderation.CatPartyPolitics: "partipolitisk propaganda",
		moderation.CatAdvertising: "reklam", moderation.CatCrimeIncitement: "uppmaning till brott",
		moderation.CatViolencePorn: "våldsskildring eller pornografi", moderation.CatCopyright: "upphovsrättsskyddat material",
	},
	"da": {
		moderation.CatPersonalID: "CPR-nummer eller andre identitetsoplysninger", moderation.CatSensitiveData: "følsomme personoplysninger",
		moderation.CatHarassment: "chikane eller personangreb", moderation.CatHate: "hadefulde eller diskriminerende udtalelser",
		moderation.CatProfanity: "bandeord eller krænkende sprog", moderation.CatPartyPolitics: "partipolitisk propaganda",
		moderation.CatAdvertising: "reklame", moderation.CatCrimeIncitement: "opfordring til kriminalitet",
		moderation.CatViolencePorn: "voldsskildringer eller pornografi", moderation.CatCopyright: "ophavsretligt beskyttet materiale",
	},
	"en": {
		moderation.CatPersonalID: "an identity number or other identifying details", moderation.CatSensitiveData: "sensitive personal data",
		moderation.CatHarassment: "harassment or a personal attack", moderation.CatHate: "hate speech or discrimination",
		moderation.CatProfanity: "profanity or offensive language", moderation.CatPartyPolitics: "party political propaganda",
		moderation.CatAdvertising: "advertising", moderation.CatCrimeIncitement: "incitement to crime",
		moderation.CatViolencePorn: "depictions of violence or pornography", moderation.CatCopyright: "copyrighted material",
	},
}

var conjunction = map[string]string{"sv": " och ", "da": " og ", "en": " and "}

// ReplyText fills the template of lang (falling back to sv) with the
// categories and the guideline passages of hits.
func (t Templates) ReplyText(lang string, categories []string, hits []moderation.Hit) string {
	if _, ok := categoryNames[lang]; !ok {
		lang = "sv"
	}
	tmpl := t[lang]
	if tmpl == "" {
		tmpl = DefaultTemplates()[lang]
	}
	var reasons []string
	for _, c := range categories {
		name := categoryNames[lang][c]
		if name == "" {
			name = c
		}
		reasons = append(reasons, name)
	}
	reason := joinList(reasons, conjunction[lang])
	if len(reasons) == 0 {
		reason = map[string]string{"sv": "olämpligt innehåll", "da": "upassende indhold", "en": "inappropriate content"}[lang]
	}
	seen := map[string]bool{}
	var cites []string
	for _, h := range hits {
		c := strings.TrimSpace(strings.TrimSpace(h.Citation.Document) + " " + strings.TrimSpace(h.Citation.Section))
		if c != "" && !seen[c] {
			seen[c] = true
			cites = append(cites, c)
		}
	}
	sort.Strings(cites)
	guideline := strings.Join(cites, "; ")
	if guideline == "" {
		guideline = map[string]string{"sv": "kommunens riktlinjer", "da": "kommunens retningslinjer", "en": "the municipality's guidelines"}[lang]
	}
	return strings.NewReplacer("{reason}", reason, "{guideline}", guideline).Replace(tmpl)
}

func joinList(items []string, and string) string {
	switch len(items) {
	case 0:
		return "?"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

// ReplyPreview is the reply the author of a comment gets when its removal
// is carried out now: the text a reply queued without a payload is sent
// with. The web page shows it before a reviewer confirms a removal.
func (e *Executor) ReplyPreview(ctx context.Context, commentID int64) (string, error) {
	c, err := e.opts.Store.Comment(ctx, commentID)
	if err != nil {
		return "", fmt.Errorf("reply preview: %w", err)
	}
	v, err := e.verdict(ctx, c)
	if err != nil {
		return "", fmt.Errorf("reply preview: %w", err)
	}
	return e.replyText(ctx, c, v, 0)
}
