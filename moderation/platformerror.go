package moderation

import (
	"regexp"
	"strconv"
	"strings"
)

// graphCode finds the Graph API's error code in an error's text: the API
// writes "(#10) …" and uppsikt's Graph client "code 10".
var graphCode = regexp.MustCompile(`\(#(\d+)\)|\bcode[ =:]+(\d+)`)

// PlatformErrorText says in the reader's language (sv, da or en) why an
// action on the platform failed, from the error uppsikt recorded (an
// action's LastError). The platform's own message is in English and names
// codes, so the common causes are told in words, with the code for
// whoever takes it further ("(Graph #10)"). An unknown error is named as
// such, with its code when there is one.
func PlatformErrorText(lang, lastError string) string {
	t := platformErrorTexts[lang]
	if t == nil {
		t = platformErrorTexts["sv"]
	}
	low := strings.ToLower(lastError)
	code := 0
	if m := graphCode.FindStringSubmatch(lastError); m != nil {
		s := m[1]
		if s == "" {
			s = m[2]
		}
		code, _ = strconv.Atoi(s)
	}
	key := "other"
	switch {
	case lastError == NoteRemovalFailed:
		return t["removal_failed"]
	case lastError == NoteOwnComment:
		return t["own"]
	case lastError == NoteApprovedAgain:
		return t["approved_again"]
	case lastError == NoteUndone:
		return t["undone"]
	case strings.Contains(low, "top-level") || strings.Contains(low, "top level"):
		key = "top_level"
	case strings.Contains(low, "hidden comment"):
		key = "hidden"
	case code == 190:
		key = "token"
	case code == 10 || code == 3 || (code >= 200 && code < 300):
		key = "permission"
	case code == 10900:
		key = "already"
	case code == 10903:
		key = "too_old"
	case code == 368:
		key = "blocked"
	case code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80001 && code <= 80014):
		key = "rate"
	case code == 1 || code == 2:
		key = "transient"
	case code == 100 && (strings.Contains(low, "does not exist") || strings.Contains(low, "subcode 33") || strings.Contains(low, "no matching")):
		key = "gone"
	case code == 100:
		key = "refused"
	case strings.Contains(low, "evidence"):
		key = "evidence"
	case strings.Contains(low, "deadline exceeded") || strings.Contains(low, "timeout") || strings.Contains(low, "connection"):
		key = "network"
	}
	text := t[key]
	if code != 0 {
		text += " (Graph #" + strconv.Itoa(code) + ")"
	}
	return text
}

var platformErrorTexts = map[string]map[string]string{
	"sv": {
		"removal_failed": "Inte skickat: borttagningen misslyckades, så kommentaren finns kvar.",
		"undone":         "Inte skickat: borttagningen ångrades.",
		"own":            "Inte skickat: kommentaren var kontots egen.",
		"approved_again": "Inte skickat: ärendet godkändes igen och skickas när ångerfristen är slut.",
		"top_level":      "Instagram tar bara emot svar under kommentarer på översta nivån.",
		"hidden":         "Plattformen tar inte emot svar på en dold kommentar.",
		"token":          "Plattformen godtar inte längre kontots inloggning (token). Koppla kontot på nytt.",
		"permission":     "Kontots behörighet räcker inte för åtgärden. En administratör för sidan behöver ge uppsikt behörigheten.",
		"already":        "Personen har redan fått ett privat meddelande om kommentaren.",
		"too_old":        "Kommentaren är för gammal för ett privat meddelande (mer än 7 dagar).",
		"blocked":        "Plattformen har tillfälligt spärrat kontot för sådana åtgärder.",
		"rate":           "Plattformens gräns för antal anrop är nådd; uppsikt försöker igen senare.",
		"transient":      "Tillfälligt fel hos plattformen; uppsikt försöker igen.",
		"gone":           "Kommentaren finns inte längre på plattformen.",
		"refused":        "Plattformen avvisade begäran.",
		"evidence":       "Beviset är inte klart ännu; inget tas bort utan bevis.",
		"network":        "Plattformen svarade inte i tid.",
		"other":          "Åtgärden misslyckades på plattformen.",
	},
	"da": {
		"removal_failed": "Ikke sendt: fjernelsen mislykkedes, så kommentaren er der stadig.",
		"undone":         "Ikke sendt: fjernelsen blev fortrudt.",
		"own":            "Ikke sendt: kommentaren var kontoens egen.",
		"approved_again": "Ikke sendt: sagen blev godkendt igen og sendes, når fortrydelsesfristen er udløbet.",
		"top_level":      "Instagram tager kun imod svar under kommentarer på øverste niveau.",
		"hidden":         "Platformen tager ikke imod svar på en skjult kommentar.",
		"token":          "Platformen godtager ikke længere kontoens adgang (token). Forbind kontoen igen.",
		"permission":     "Kontoens tilladelser rækker ikke til handlingen. En administrator af siden skal give uppsikt tilladelsen.",
		"already":        "Personen har allerede fået en privat besked om kommentaren.",
		"too_old":        "Kommentaren er for gammel til en privat besked (mere end 7 dage).",
		"blocked":        "Platformen har midlertidigt spærret kontoen for den slags handlinger.",
		"rate":           "Platformens grænse for antal kald er nået; uppsikt prøver igen senere.",
		"transient":      "Midlertidig fejl hos platformen; uppsikt prøver igen.",
		"gone":           "Kommentaren findes ikke længere på platformen.",
		"refused":        "Platformen afviste forespørgslen.",
		"evidence":       "Beviset er ikke klar endnu; intet fjernes uden bevis.",
		"network":        "Platformen svarede ikke i tide.",
		"other":          "Handlingen mislykkedes på platformen.",
	},
	"en": {
		"removal_failed": "Not sent: the removal failed, so the comment is still there.",
		"undone":         "Not sent: the removal was undone.",
		"own":            "Not sent: the comment was the account's own.",
		"approved_again": "Not sent: the case was approved again and goes out when its undo grace ends.",
		"top_level":      "Instagram takes replies only under top-level comments.",
		"hidden":         "The platform takes no replies to a hidden comment.",
		"token":          "The platform no longer accepts the account's access token. Connect the account again.",
		"permission":     "The account's permissions do not allow this. An administrator of the page must grant uppsikt the permission.",
		"already":        "The person has already had a private message about the comment.",
		"too_old":        "The comment is too old for a private message (more than 7 days).",
		"blocked":        "The platform has blocked the account from such actions for a while.",
		"rate":           "The platform's call limit is reached; uppsikt tries again later.",
		"transient":      "A temporary error at the platform; uppsikt tries again.",
		"gone":           "The comment no longer exists on the platform.",
		"refused":        "The platform refused the request.",
		"evidence":       "The evidence is not ready yet; nothing is removed without it.",
		"network":        "The platform did not answer in time.",
		"other":          "The action failed on the platform.",
	},
}
