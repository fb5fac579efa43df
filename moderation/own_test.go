package moderation

import (
	"slices"
	"testing"
)

func TestAccountAuthored(t *testing.T) {
	page := Account{Key: "fb", Platform: Facebook, PlatformID: "1094830000000001"}
	ig := Account{Key: "ig", Platform: Instagram, PlatformID: "17841400000000501"}
	tests := []struct {
		name     string
		account  Account
		by       Author
		username string
		want     bool
	}{
		{"the page by id", page, Author{ID: "1094830000000001", Name: "Bevisby kommun"}, "", true},
		{"a citizen on the page", page, Author{ID: "5550001", Name: "Bevisby kommun"}, "", false},
		{"a citizen without an id on the page", page, Author{Name: "Bevisby kommun"}, "bevisbykommun", false},
		{"the Instagram account by id", ig, Author{ID: "17841400000000501", Name: "egenbykommun"}, "", true},
		{"the Instagram account by username", ig, Author{Name: "egenbykommun"}, "egenbykommun", true},
		{"a citizen on Instagram", ig, Author{ID: "178414999", Name: "kalle"}, "egenbykommun", false},
		{"a citizen on Instagram, username unknown", ig, Author{Name: "kalle"}, "", false},
		{"no author and no account id", Account{Platform: Facebook}, Author{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.Authored(tt.by, tt.username); got != tt.want {
				t.Errorf("Authored(%+v, %q): got %v, want %v", tt.by, tt.username, got, tt.want)
			}
		})
	}
}

func TestVerdictForOwnComment(t *testing.T) {
	hit := func(cat string) Hit { return Hit{RuleID: "r." + cat, Category: cat} }
	tests := []struct {
		name string
		in   Verdict
		want []string
	}{
		{"profanity and party politics only", Verdict{Categories: []string{CatProfanity, CatPartyPolitics}, Question: true, Register: true,
			Hits: []Hit{hit(CatProfanity), hit(CatPartyPolitics)}}, nil},
		{"a personnummer among others", Verdict{Categories: []string{CatPersonalID, CatHarassment},
			Hits: []Hit{hit(CatHarassment), hit(CatPersonalID)}}, []string{CatPersonalID}},
		{"sensitive data", Verdict{Categories: []string{CatSensitiveData}, Hits: []Hit{hit(CatSensitiveData)}}, []string{CatSensitiveData}},
		{"nothing", Verdict{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.ForOwnComment()
			if !slices.Equal(got.Categories, tt.want) {
				t.Errorf("categories: got %v, want %v", got.Categories, tt.want)
			}
			var hitCats []string
			for _, h := range got.Hits {
				hitCats = append(hitCats, h.Category)
			}
			if !slices.Equal(hitCats, tt.want) {
				t.Errorf("hits: got %v, want %v", hitCats, tt.want)
			}
			if !got.Own || got.Question || got.Register {
				t.Errorf("own, question, register: got %v, %v, %v; want true, false, false", got.Own, got.Question, got.Register)
			}
			if got.Flagged() != (len(tt.want) > 0) {
				t.Errorf("flagged: got %v, want %v", got.Flagged(), len(tt.want) > 0)
			}
		})
	}
}
