package rules

import (
	"strings"
	"testing"
	"time"
)

// TestAdversarialTiming classifies long repetitions of the characters that
// wake each part of the classifier; none may take long (a generous bound, so
// that a loaded machine does not fail it; TestLinearWork checks the growth).
func TestAdversarialTiming(t *testing.T) {
	e := testEngine(t)
	for _, unit := range []string{"a.", "1-", "a@", "A ", "i ", "fan ", "0 ", "+4", "x.to/", "é\u0301", "\u202e", "?", "skit", "ööö", "@a ", "121212-1212 "} {
		for _, n := range []int{10000, 80000} {
			text := strings.Repeat(unit, n/len(unit))
			t0 := time.Now()
			e.Classify(text, "")
			if d := time.Since(t0); d > 2*time.Second {
				t.Errorf("unit %q × %d: %v", unit, n, d)
			}
		}
	}
}
