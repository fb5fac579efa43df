package main

import (
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// newClassifier compiles the configured rule packs with the built-in
// learned model in its configured mode (per account too). today is the
// reference date for identity numbers (a birth date after it is not a real
// number).
func newClassifier(cfg *config.Config, today time.Time) (*rules.Engine, error) {
	opts := rules.Options{Today: today, Packs: cfg.Rules.Packs, Dir: cfg.Rules.PacksDir,
		ModelMode: cfg.Rules.Model.Mode, ModelThresholds: cfg.Rules.Model.Thresholds}
	useModel := opts.ModelMode != moderation.ModelOff
	for _, a := range cfg.Accounts {
		if a.Model == "" {
			continue
		}
		if opts.Accounts == nil {
			opts.Accounts = map[string]rules.AccountOverride{}
		}
		opts.Accounts[a.Key] = rules.AccountOverride{ModelMode: a.Model}
		useModel = useModel || a.Model != moderation.ModelOff
	}
	if useModel {
		m, err := rules.DefaultModel()
		if err != nil {
			return nil, err
		}
		opts.Model = m
	}
	return rules.LoadDefault(opts)
}
