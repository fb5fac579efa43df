package main

import (
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// identityNumberFinder returns what the web page masks identity numbers
// with besides its own finder: the identity numbers the configured rule
// packs' detectors read (personnummer, samordningsnummer, CPR), which see
// numbers written to get past a filter ("85o312-1234"). It runs the packs
// without the learned model and takes only personal_id hits of ten digits
// or more. today is the reference date for birth dates, as for the
// classifier.
func identityNumberFinder(cfg *config.Config, today time.Time) (func(text string) [][2]int, error) {
	eng, err := rules.LoadDefault(rules.Options{Today: today, Packs: cfg.Rules.Packs, Dir: cfg.Rules.PacksDir, ModelMode: moderation.ModelOff})
	if err != nil {
		return nil, fmt.Errorf("identity numbers for the web page: %w", err)
	}
	return func(text string) [][2]int {
		var out [][2]int
		for _, h := range eng.Classify(text, "").Hits {
			if h.Category != moderation.CatPersonalID {
				continue
			}
			digits := 0
			for _, c := range h.Match {
				if '0' <= c && c <= '9' {
					digits++
				}
			}
			if digits >= 10 {
				out = append(out, [2]int{h.Start, h.End})
			}
		}
		return out
	}, nil
}
