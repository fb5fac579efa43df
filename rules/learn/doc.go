// Package learn is the learned half of uppsikt's classifier: a multi-label
// linear model, one logistic regression per head (a removal category, or the
// question and register signals), over hashed features.
//
// The caller turns a comment into features (rules does: words, word pairs,
// character n-grams of words, emoji, the shape of numbers and links) and
// hashes each feature name with a Hasher into one of 2^Bits buckets. A
// comment's score for a head is
//
//	p = sigmoid(bias + scale × norm × Σ w[bucket])
//
// over the comment's feature occurrences, where norm = 1/sqrt(occurrences)
// keeps long and short comments comparable. The weights are stored as int8
// with one scale per head, bucket-major, so that scoring one feature reads a
// few adjacent bytes. Because the model is linear, every score can be
// explained: Top lists the features that pushed it most, with their
// weights, which uppsikt shows beside the rule hits.
//
// Train is deterministic: the same examples and options give the same
// weights, bit for bit, on every machine (AdaGrad over a shuffle drawn from a
// seeded PCG, float64 arithmetic with explicit rounding, no concurrency).
// The encoded model records what it was trained from (Info), so a test can
// tell when the embedded model is not the one the current data and code
// produce.
package learn
