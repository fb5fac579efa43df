// Package moderation is the vocabulary every other part of uppsikt speaks.
//
// It defines the things uppsikt supervises (accounts, posts, comments and every
// version of every comment), what it concludes about them (verdicts with hits
// that cite the municipality's guideline), what people decide (review cases and
// decisions), what uppsikt does on the platforms (actions), and the durable
// records it keeps (evidence files, register entries, the audit log).
//
// It also holds the small interfaces the other folders implement: the Store
// (archive/sqlite), the Classifier (rules) and the platform Connector
// (bot/facebook, bot/instagram, bot/webpage). The answer clock's questions,
// their statistics (AnswerStats) and the optional QuestionStore are in
// questions.go. Only the standard library is
// imported here, so every folder can depend on this package and on nothing
// else but its own dependencies; cmd/uppsikt wires them together.
package moderation
