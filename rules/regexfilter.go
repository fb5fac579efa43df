package rules

import (
	"bytes"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// A pack's regular expression is run over the whole comment, and Go's
// matcher tries it at every position: with a dozen patterns per language
// that cost more than the rest of the classifier. Most patterns need a
// word, a sign or a currency that most comments do not contain. needles
// finds, from the pattern's syntax, a small set of strings one of which
// every match contains ("kr", "öre", ":-" … for a price in kronor); the
// engine runs the pattern only when the comment holds one of them. A pattern
// without such a set is always run.

// maxNeedles bounds the set; a larger one is not worth looking for.
const maxNeedles = 24

// needles returns strings one of which every match of expr contains, or nil
// when it finds none worth looking for.
func needles(expr string) [][]byte {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	set := required(re)
	if len(set) == 0 {
		return nil
	}
	out := make([][]byte, 0, len(set))
	for _, s := range set {
		out = append(out, []byte(s))
	}
	return out
}

// required is the set of strings one of which every match of re contains,
// nil for none (an empty match, any character, a case-folded literal, a
// set too large).
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(set) == maxNeedles || !utf8.ValidRune(r) {
					return nil
				}
				set = append(set, string(r))
			}
		}
		return set
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		return required(re.Sub[0])
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			if set := required(sub); set != nil && better(set, best) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var set []string
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				return nil
			}
			set = append(set, s...)
		}
		return minimal(set)
	}
	return nil
}

// better prefers the set whose shortest string is longer, then the smaller
// set: it is the rarer one in a text.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	la, lb := shortest(a), shortest(b)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// minimal drops the strings that contain another one of the set (a text
// with "kronor" holds "kr"), and gives up on a set too large.
func minimal(set []string) []string {
	slices.Sort(set)
	set = slices.Compact(set)
	var out []string
	for _, s := range set {
		if !slices.ContainsFunc(set, func(o string) bool { return o != s && bytes.Contains([]byte(s), []byte(o)) }) {
			out = append(out, s)
		}
	}
	if len(out) > maxNeedles {
		return nil
	}
	return out
}

// containsAny reports whether b holds one of the needles; with none, it
// reports true.
func containsAny(b []byte, needles [][]byte) bool {
	if needles == nil {
		return true
	}
	for _, n := range needles {
		if bytes.Contains(b, n) {
			return true
		}
	}
	return false
}
