package main

import (
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// newClassifier compiles the configured rule packs. today is the reference
// date for identity numbers (a birth date after it is not a real number).
func newClassifier(cfg *config.Config, today time.Time) (moderation.Classifier, error) {
	return rules.LoadDefault(rules.Options{Today: today, Packs: cfg.Rules.Packs, Dir: cfg.Rules.PacksDir})
}
