package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestQuestionReminderText(t *testing.T) {
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	a := moderation.Account{Key: "kommun", Name: "Kommunen <!channel>"}
	q := moderation.Question{ID: 3, CommentID: 42}
	due := time.Date(2026, 3, 12, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang   string
		waited time.Duration
		want   []string
	}{
		{"sv", 24 * time.Hour, []string{"väntat 24 arbetstimmar", "senast 2026-03-12 17:00", "<https://uppsikt.example/comments/42|42>", "<@U1>, bo.berg", "Kommunen &lt;!channel&gt;"}},
		{"da", 32*time.Hour + 30*time.Minute, []string{"ventet 32:30 arbejdstimer", "senest 2026-03-12 17:00", "Ansvarlige og stedfortrædere: <@U1>, bo.berg"}},
		{"en", 24 * time.Hour, []string{"waited 24 working hours", "due by 2026-03-12 17:00", "Owners and substitutes"}},
	} {
		got := QuestionReminderText(a, q, []string{"<@U1>", "bo.berg"}, tc.waited, due, "https://uppsikt.example/", tc.lang, sto)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: got %q, want it to contain %q", tc.lang, got, w)
			}
		}
		if strings.Contains(got, "<!channel>") {
			t.Errorf("%s: the account name was not escaped: %q", tc.lang, got)
		}
	}
}
