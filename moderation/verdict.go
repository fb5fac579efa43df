package moderation

import "time"

// The removal categories of the guideline, as ids. They are the contract
// between the rule packs, the classifier's output and the corpus used to
// measure it.
const (
	CatPersonalID      = "personal_id"
	CatSensitiveData   = "sensitive_data"
	CatHarassment      = "harassment"
	CatHate            = "hate"
	CatProfanity       = "profanity"
	CatPartyPolitics   = "party_politics"
	CatAdvertising     = "advertising"
	CatCrimeIncitement = "crime_incitement"
	CatViolencePorn    = "violence_porn"
	CatCopyright       = "copyright"
)

// Categories lists every removal category in the guideline's order.
func Categories() []string {
	return []string{
		CatPersonalID, CatSensitiveData, CatHarassment, CatHate, CatProfanity,
		CatPartyPolitics, CatAdvertising, CatCrimeIncitement, CatViolencePorn, CatCopyright,
	}
}

// Action a rule suggests for what it finds.
const (
	SuggestReview         = "review"
	SuggestHideThenReview = "hide_then_review"
)

// Citation points at the passage of a guideline a rule enforces.
type Citation struct {
	Document string `json:"document"`
	Section  string `json:"section"`
}

// Hit is one match of one rule in a comment's text. Start and End are byte
// offsets into the original, un-normalised text.
type Hit struct {
	RuleID      string   `json:"rule"`
	Category    string   `json:"category"`
	Start       int      `json:"start"`
	End         int      `json:"end"`
	Match       string   `json:"match"`
	Citation    Citation `json:"citation"`
	Severity    int      `json:"severity"`
	Suggest     string   `json:"suggest"`
	Explanation string   `json:"explanation,omitempty"`
}

// Verdict is what the classifier concluded about one text. It is
// deterministic: the same text and rule packs give the same verdict.
type Verdict struct {
	Categories []string `json:"categories"`
	Question   bool     `json:"question"`
	Register   bool     `json:"register"`
	Language   string   `json:"lang,omitempty"`
	Hits       []Hit    `json:"hits"`
	Packs      string   `json:"packs,omitempty"` // identity of the rule packs that produced it
}

// Flagged reports whether the verdict asks for review.
func (v Verdict) Flagged() bool { return len(v.Categories) > 0 }

// StoredVerdict is a verdict about one comment version as kept in the store.
type StoredVerdict struct {
	CommentID int64
	Version   int
	Verdict   Verdict
	At        time.Time
}
