package main

import (
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/rules"
)

// ruleExplainer gives a rule's explanation in a document's language from
// the configured packs (rules.Engine.Explain), compiled once, when the
// first document asks; "" (the document explains the hit by its category)
// when the packs do not compile, which config check reports.
func ruleExplainer(cfg *config.Config) func(id, lang string) string {
	engine := sync.OnceValue(func() *rules.Engine {
		e, err := rules.LoadDefault(rules.Options{Today: time.Now(), Packs: cfg.Rules.Packs, Dir: cfg.Rules.PacksDir})
		if err != nil {
			return nil
		}
		return e
	})
	return func(id, lang string) string {
		if e := engine(); e != nil {
			return e.Explain(id, lang)
		}
		return ""
	}
}
