package rules

import (
	"strings"
	"testing"
)

// BenchmarkByteLoop calibrates the machine: a plain loop over bytes, to set
// the classifier's MB/s beside what the machine does at best.
func BenchmarkByteLoop(b *testing.B) {
	text := strings.Repeat("Vägen till skolan är i dåligt skick. ", 128)
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		for i := 0; i < len(text); i++ {
			if text[i] == ' ' {
				n++
			}
		}
	}
	_ = n
}
