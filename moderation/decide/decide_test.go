package decide

import (
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestAllowedAndFourEyes(t *testing.T) {
	for _, tc := range []struct {
		role moderation.Role
		want bool
	}{{moderation.RoleAdmin, true}, {moderation.RoleModerator, true}, {moderation.RoleArchivist, false}, {moderation.RoleViewer, false}, {"", false}} {
		if got := Allowed(tc.role); got != tc.want {
			t.Errorf("Allowed(%q): got %v, want %v", tc.role, got, tc.want)
		}
	}
	s := New(Options{FourEyes: []string{moderation.CatPersonalID}})
	for _, tc := range []struct {
		name string
		cats []string
		want bool
	}{{"listed", []string{moderation.CatHate, moderation.CatPersonalID}, true}, {"not listed", []string{moderation.CatHate}, false}, {"none", nil, false}} {
		if got := s.NeedsFourEyes(tc.cats); got != tc.want {
			t.Errorf("NeedsFourEyes %s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCategoryNamesInEveryLanguage(t *testing.T) {
	for _, c := range moderation.Categories() {
		for _, lang := range []string{"sv", "da", "en"} {
			if got := CategoryName(lang, c); got == "" || (got == c && lang != "en") {
				t.Errorf("CategoryName(%s, %s): got %q, want a name", lang, c, got)
			}
		}
	}
	if got := CategoryName("sv", "unknown"); got != "unknown" {
		t.Errorf("unknown category: got %q, want the id", got)
	}
}
