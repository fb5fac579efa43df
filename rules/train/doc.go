// Package train builds uppsikt's learned model from its corpus: it turns
// every comment into the features rules computes, trains one model per
// cross-validation fold to score each comment of uppsikt's own corpus with a
// model that never saw it (out-of-fold scores), chooses every head's
// decision threshold on those scores, and trains the final model on
// everything. The same corpus, options and code give the same model, so a
// test can check that the model built into uppsikt (rules/model.bin) is the
// one they produce; "make model" rebuilds it.
package train
