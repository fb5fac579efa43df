package moderation

import "slices"

// Authored reports whether by, the author of a comment on the account, is
// the account itself: the municipality answering on its own Facebook page
// (the comment's from.id is the page id) or Instagram account (from.id is
// its Instagram user id, or, when the platform gave no id, the author's
// username is the account's own). username is the account's username on
// Instagram, "" when unknown; the account's own media carry it as their
// author's name.
func (a Account) Authored(by Author, username string) bool {
	if a.PlatformID != "" && by.ID == a.PlatformID {
		return true
	}
	return a.Platform == Instagram && username != "" && by.Name == username
}

// PersonalDataCategories are the categories that are looked for in the
// account's own comments and replies: an official who pastes a
// personnummer or someone's health into an answer must still be caught.
func PersonalDataCategories() []string {
	return []string{CatPersonalID, CatSensitiveData}
}

// ForOwnComment is the verdict on a comment the account itself wrote: only
// the personal data categories and their hits count, and a municipality's
// own answer is neither a question to answer nor a matter to register.
// The learned model's opinion is kept as it was recorded.
func (v Verdict) ForOwnComment() Verdict {
	own := PersonalDataCategories()
	out := v
	out.Own = true
	out.Question, out.Register = false, false
	out.Categories = nil
	for _, c := range v.Categories {
		if slices.Contains(own, c) {
			out.Categories = append(out.Categories, c)
		}
	}
	out.Hits = nil
	for _, h := range v.Hits {
		if slices.Contains(own, h.Category) {
			out.Hits = append(out.Hits, h)
		}
	}
	return out
}
