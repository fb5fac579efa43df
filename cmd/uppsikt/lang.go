package main

import (
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
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

// hitWords says a rule hit on the web page the way the evidence PDF says
// it (pdf.LocalHit), in the reader's language: the rule's explanation in
// it (explain; nil explains by category), the citation of the
// municipality's guideline, its section in words.
func hitWords(cfg *config.Config, explain func(id, lang string) string) func(h moderation.Hit, lang string) moderation.Hit {
	guideline := cfg.Municipality.Citation()
	return func(h moderation.Hit, lang string) moderation.Hit {
		return pdf.LocalHit(h, pdf.Lang(lang), guideline, explain)
	}
}
