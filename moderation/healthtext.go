package moderation

import (
	"strconv"
	"strings"
	"time"
)

// HealthLanguages are the languages HealthWarningText speaks.
func HealthLanguages() []string { return []string{"sv", "da", "en"} }

// HealthWarningText says a warning in the reader's language (sv, da or en;
// Swedish for any other), with its count or date where it has one. Dates
// are written as YYYY-MM-DD in loc (UTC when nil).
func HealthWarningText(lang string, w HealthWarning, loc *time.Location) string {
	t, ok := healthTexts[lang]
	if !ok {
		t = healthTexts["sv"]
	}
	if loc == nil {
		loc = time.UTC
	}
	text, ok := t[string(w.Code)]
	if !ok {
		return string(w.Code)
	}
	date := ""
	if !w.Since.IsZero() {
		date = w.Since.In(loc).Format(time.DateOnly)
	}
	if w.Code == HealthTokenExpiring && w.Class == "data_access" {
		text = t["token_data_access"]
	}
	if w.Code == HealthInactive && w.Since.IsZero() {
		text = t["inactive_never"]
	}
	r := strings.NewReplacer("{n}", strconv.Itoa(w.Count), "{date}", date, "{class}", w.Class)
	return r.Replace(text)
}

// healthTexts are the warnings' words; a test checks that every code is
// said in every language.
var healthTexts = map[string]map[string]string{
	"sv": {
		"disconnected":      "Frånkopplat: plattformen avvisar kontots token. Byt token.",
		"token_invalid":     "Token ogiltig enligt Meta (kontrollerad {date}). Byt token.",
		"token_expiring":    "Token upphör {date}. Förnya den i tid.",
		"token_data_access": "Tokenens dataåtkomst upphör {date}. Logga in på nytt i Meta i tid.",
		"webhook_missing":   "Webhook-prenumerationen saknas: nya kommentarer hittas bara genom läsning.",
		"poll_failing":      "Läsningen har misslyckats sedan {date} ({n} gånger i rad, {class}).",
		"work_dead":         "{n} kommentarer har lagts åt sidan och väntar på en administratör.",
		"actions_failed":    "{n} åtgärder på plattformen har misslyckats.",
		"capture_degraded":  "Bevisen saknar skärmbilder eller PDF/A: {class}.",
		"inactive":          "Inget inlägg av kontot på {n} dagar (senast {date}). Inaktiva konton ska stängas.",
		"inactive_never":    "Inget inlägg av kontot har setts. Inaktiva konton ska stängas.",
		"no_owner":          "Ingen ansvarig administratör.",
		"no_substitute":     "Ingen ersättare utsedd vid frånvaro.",
	},
	"da": {
		"disconnected":      "Afbrudt: platformen afviser kontoens token. Skift token.",
		"token_invalid":     "Token ugyldig ifølge Meta (kontrolleret {date}). Skift token.",
		"token_expiring":    "Token udløber {date}. Forny den i tide.",
		"token_data_access": "Tokenens dataadgang udløber {date}. Log ind i Meta igen i tide.",
		"webhook_missing":   "Webhook-abonnementet mangler: nye kommentarer findes kun ved læsning.",
		"poll_failing":      "Læsningen har fejlet siden {date} ({n} gange i træk, {class}).",
		"work_dead":         "{n} kommentarer er lagt til side og venter på en administrator.",
		"actions_failed":    "{n} handlinger på platformen er mislykkedes.",
		"capture_degraded":  "Beviserne mangler skærmbilleder eller PDF/A: {class}.",
		"inactive":          "Intet opslag fra kontoen i {n} dage (senest {date}). Inaktive konti skal lukkes.",
		"inactive_never":    "Intet opslag fra kontoen er set. Inaktive konti skal lukkes.",
		"no_owner":          "Ingen ansvarlig administrator.",
		"no_substitute":     "Ingen stedfortræder udpeget ved fravær.",
	},
	"en": {
		"disconnected":      "Disconnected: the platform rejects the account's token. Replace the token.",
		"token_invalid":     "Token invalid according to Meta (checked {date}). Replace the token.",
		"token_expiring":    "Token expires {date}. Renew it in time.",
		"token_data_access": "The token's data access expires {date}. Sign in to Meta again in time.",
		"webhook_missing":   "Webhook subscription missing: new comments are found by polling only.",
		"poll_failing":      "Polling has failed since {date} ({n} times in a row, {class}).",
		"work_dead":         "{n} comments were set aside and wait for an administrator.",
		"actions_failed":    "{n} platform actions failed.",
		"capture_degraded":  "Evidence lacks screenshots or PDF/A: {class}.",
		"inactive":          "No post by the account for {n} days (last {date}). Inactive accounts should be closed.",
		"inactive_never":    "No post by the account has been seen. Inactive accounts should be closed.",
		"no_owner":          "No responsible administrator.",
		"no_substitute":     "No substitute named for absences.",
	},
}
