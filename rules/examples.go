package rules

import (
	"fmt"
	"strings"
)

// ExampleFailure is one example of a rule that did not behave as written.
type ExampleFailure struct {
	Rule    string
	File    string
	Line    int
	Message string
}

// ExampleResult sums up a run of the packs' examples.
type ExampleResult struct {
	Rules    int
	Examples int
	Failures []ExampleFailure
}

// TestExamples classifies every example of every rule with the whole engine
// and checks that the rule fires on its "match" examples and stays silent on
// its "no_match" ones. The language of an example is examples.lang, else the
// rule's first language.
func (e *Engine) TestExamples() ExampleResult {
	var res ExampleResult
	for _, r := range e.rules {
		src := r.src
		res.Rules++
		lang := src.Examples.Lang
		if lang == "" && len(src.Languages) > 0 {
			lang = src.Languages[0]
		}
		fired := func(text string) (bool, []string) {
			v := e.Classify(text, lang)
			var ids []string
			ok := false
			for _, h := range v.Hits {
				ids = append(ids, h.RuleID)
				if h.RuleID == src.ID {
					ok = true
				}
			}
			return ok, ids
		}
		fail := func(msg string) {
			res.Failures = append(res.Failures, ExampleFailure{Rule: src.ID, File: r.file, Line: src.Line, Message: msg})
		}
		for _, ex := range src.Examples.Match {
			res.Examples++
			if ok, ids := fired(ex); !ok {
				fail(fmt.Sprintf("should match %q (fired: %s)", ex, strings.Join(ids, ", ")))
			}
		}
		for _, ex := range src.Examples.NoMatch {
			res.Examples++
			if ok, _ := fired(ex); ok {
				fail(fmt.Sprintf("should not match %q", ex))
			}
		}
	}
	return res
}
