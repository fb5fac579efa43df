package decide

import (
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// Why a comment is entered in the records register, for RegisterReason
// beside the decision kinds (DecideRemove, DecideRegister, …).
const (
	ReasonRegister = "register_rule" // a rule says the comment must be registered
	ReasonHidden   = "hidden"        // hidden at once, pending review
	ReasonRemoved  = "removed"       // removed after review
)

var reasonWords = map[string][3]string{ // sv, da, en
	ReasonRegister:            {"registrering", "journalisering", "registration"},
	ReasonHidden:              {"dold i väntan på granskning", "skjult i afventning af gennemgang", "hidden pending review"},
	ReasonRemoved:             {"borttagen kommentar", "slettet kommentar", "removed comment"},
	moderation.DecideRemove:   {"borttagning godkänd", "sletning godkendt", "removal approved"},
	moderation.DecideKeep:     {"kommentaren behålls", "kommentaren bevares", "comment kept"},
	moderation.DecideRegister: {"endast diarieföring", "kun journalisering", "registered only"},
	moderation.DecideEscalate: {"eskalerat till en administratör", "eskaleret til en administrator", "escalated to an administrator"},
	moderation.DecideReopen:   {"återöppnat", "genåbnet", "reopened"},
}

// RegisterReason is the reason of a register entry in lang (sv, da or en;
// sv when unknown): why (a Reason constant or a decision kind), the
// categories in words, and a reviewer's note. The municipality's language
// is used: the register is its record.
func RegisterReason(lang, why string, categories []string, note string) string {
	i := 0
	switch lang {
	case "da":
		i = 1
	case "en":
		i = 2
	}
	s := why
	if w, ok := reasonWords[why]; ok {
		s = w[i]
	}
	if len(categories) > 0 {
		names := make([]string, len(categories))
		for k, c := range categories {
			names[k] = CategoryName(lang, c)
		}
		s += ": " + strings.Join(names, ", ")
	}
	if note != "" {
		s += " — " + note
	}
	return s
}

// KindName is a decision kind in words of lang (sv, da or en), the kind
// itself when unknown.
func KindName(lang, kind string) string { return RegisterReason(lang, kind, nil, "") }
