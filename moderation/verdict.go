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
	// Model is the learned model's opinion, when a model is in use: its
	// score for every category and signal, with the features that drove
	// the scores over their thresholds. In shadow mode it is recorded
	// and decides nothing.
	Model *ModelOpinion `json:"model,omitempty"`
	// Own says the comment was written by the account itself (the page's
	// or Instagram account's own answers): only personal data is looked
	// for in it (Verdict.ForOwnComment).
	Own bool `json:"own,omitempty"`
}

// Model modes: on (the model's categories join the rules'), shadow (its
// scores are recorded with the verdict but decide nothing, so that a
// municipality can watch it before trusting it) and off.
const (
	ModelOn     = "on"
	ModelShadow = "shadow"
	ModelOff    = "off"
)

// ModelOpinion is what the learned model said about one text.
type ModelOpinion struct {
	Model  string       `json:"model"` // the model's identity
	Mode   string       `json:"mode"`  // ModelOn or ModelShadow
	Scores []ModelScore `json:"scores"`
}

// ModelScore is the model's probability for one head (a category, or the
// question and register signals) and the threshold it is held to.
type ModelScore struct {
	Head      string  `json:"head"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Over      bool    `json:"over"` // Score >= Threshold
	// Excused: over the threshold, but the rule packs excuse the words
	// that made it so ("ett stort fan av"), so the category is not given.
	Excused bool `json:"excused,omitempty"`
	// Features are the words and parts of words that pushed the score up
	// most, strongest first (listed when the score is over its threshold).
	Features []ModelFeature `json:"features,omitempty"`
}

// ModelFeature is one feature's push on a score (its weight on the
// log-odds).
type ModelFeature struct {
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

// Over returns the heads whose score is over the threshold.
func (o *ModelOpinion) Over() []string {
	if o == nil {
		return nil
	}
	var out []string
	for _, s := range o.Scores {
		if s.Over {
			out = append(out, s.Head)
		}
	}
	return out
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
