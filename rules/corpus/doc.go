// Package corpus reads labelled comments: uppsikt's own training corpus
// (the JSON Lines files in this folder, described in README.md) and the
// public data sets that ../shared/corpus/external holds (DKhate, the
// YouTube spam collection, Davidson et al.'s tweets, OpenAI's moderation
// samples and RTP-LX), mapped onto uppsikt's categories as far as their
// labels allow. Every reader returns the items in file order, and a Source
// per file with its SHA-256, so that a model can record exactly what it was
// trained from.
package corpus
