package decide

import (
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestRegisterReason(t *testing.T) {
	cats := []string{moderation.CatSensitiveData, moderation.CatHate}
	tests := []struct {
		name, lang, why string
		cats            []string
		note, want      string
	}{
		{"hidden sv", "sv", ReasonHidden, cats, "", "dold i väntan på granskning: känsliga personuppgifter, hets"},
		{"hidden da", "da", ReasonHidden, cats, "", "skjult i afventning af gennemgang: følsomme personoplysninger, hadefuld tale"},
		{"hidden en", "en", ReasonHidden, cats, "", "hidden pending review: sensitive personal data, hate speech"},
		{"registration da", "da", ReasonRegister, nil, "", "journalisering"},
		{"removed sv", "sv", ReasonRemoved, nil, "", "borttagen kommentar"},
		{"decision with a note en", "en", moderation.DecideRemove, cats[:1], "Slack", "removal approved: sensitive personal data — Slack"},
		{"decision da", "da", moderation.DecideRegister, cats[1:], "", "kun journalisering: hadefuld tale"},
		{"unknown language is Swedish", "fi", ReasonRemoved, nil, "", "borttagen kommentar"},
		{"unknown kind as written", "da", "odd", nil, "", "odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RegisterReason(tt.lang, tt.why, tt.cats, tt.note); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
