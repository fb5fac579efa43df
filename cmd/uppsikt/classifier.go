package main

import (
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// newClassifier compiles the configured rule packs.
func newClassifier(cfg *config.Config) (moderation.Classifier, error) {
	return rules.LoadDefault(rules.Options{Packs: cfg.Rules.Packs, Dir: cfg.Rules.PacksDir})
}
