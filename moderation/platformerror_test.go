package moderation

import (
	"strings"
	"testing"
)

func TestPlatformErrorText(t *testing.T) {
	for _, tc := range []struct {
		name, lang, err string
		want            []string // in the text
		notWant         string
	}{
		{"permission sv", "sv", "facebook: delete comment: (#10) Permissions error", []string{"behörighet", "(Graph #10)"}, "Permissions error"},
		{"permission da", "da", "facebook: delete comment: (#200) Permissions error", []string{"tilladelser", "(Graph #200)"}, "Permissions error"},
		{"instagram nested da", "da", "instagram: reply to comment: (#100) Replies can only be made to top-level comments", []string{"øverste niveau", "(Graph #100)"}, "Replies can only"},
		{"gone en", "en", "facebook: reply: (#100) Object with ID '1_2' does not exist, cannot be loaded due to missing permissions", []string{"no longer exists"}, ""},
		{"token", "sv", "graph: code 190: Error validating access token", []string{"token", "(Graph #190)"}, ""},
		{"rate", "en", "(#32) Page request limit reached", []string{"call limit"}, ""},
		{"removal failed", "da", NoteRemovalFailed, []string{"Ikke sendt"}, "removal"},
		{"undone", "sv", NoteUndone, []string{"ångrades"}, "not sent"},
		{"approved again", "da", NoteApprovedAgain, []string{"godkendt igen"}, "not sent"},
		{"own comment", "en", NoteOwnComment, []string{"account's own"}, "not sent"},
		{"timeout", "sv", "Post \"https://graph.facebook.com/\": context deadline exceeded", []string{"svarade inte i tid"}, "deadline"},
		{"unknown language falls back to Swedish", "fi", "(#10) x", []string{"behörighet"}, ""},
		{"unknown error", "en", "something odd", []string{"failed on the platform"}, "odd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PlatformErrorText(tc.lang, tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("PlatformErrorText(%q, %q) = %q, want it to contain %q", tc.lang, tc.err, got, w)
				}
			}
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("PlatformErrorText(%q, %q) = %q, want no %q", tc.lang, tc.err, got, tc.notWant)
			}
		})
	}
}
