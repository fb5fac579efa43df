package rules

import (
	"strings"
	"unicode/utf8"
)

// Roles of a lexicon entry.
const (
	roleMain   uint8 = iota // the rule's own words
	roleNear                // words of the rule's near condition
	roleLower               // context words that drop a hit
	roleRaise               // context words that confirm a weak hit
	roleAllow               // the rule's allow-list phrases
	rolePerson              // a pack's person_words (rule is -1)
)

type lexEntry struct {
	rule    int32
	role    uint8
	inflect bool
	prefixC bool // "skit*": the word may begin a compound (skitsak)
	tailC   bool // "*idiot": the word may end a compound (skitidiot)
	sq      bool // the squeezed spelling: only for words written stretched
	rest    [][]byte
}

type tedge struct {
	b  byte
	to int32
}

type tnode struct {
	edges []tedge
	dense []int32 // for nodes with many children: child+1 by byte
	ents  []int32
}

// trie is a byte trie with a direct table for the first byte.
type trie struct {
	root  [256]int32 // node index + 1, 0 = none
	nodes []tnode
}

// denseFanout is the number of children above which a node gets a direct
// table instead of a list to search.
const denseFanout = 6

// finish builds the direct tables; call it after the last insert.
func (t *trie) finish() {
	for i := range t.nodes {
		nd := &t.nodes[i]
		if len(nd.edges) > denseFanout {
			nd.dense = make([]int32, 256)
			for _, e := range nd.edges {
				nd.dense[e.b] = e.to + 1
			}
		}
	}
}

func (t *trie) insert(key []byte, ent int32) {
	if len(key) == 0 {
		return
	}
	n := t.root[key[0]] - 1
	if n < 0 {
		t.nodes = append(t.nodes, tnode{})
		n = int32(len(t.nodes) - 1)
		t.root[key[0]] = n + 1
	}
	for _, c := range key[1:] {
		next := int32(-1)
		for _, e := range t.nodes[n].edges {
			if e.b == c {
				next = e.to
				break
			}
		}
		if next < 0 {
			t.nodes = append(t.nodes, tnode{})
			next = int32(len(t.nodes) - 1)
			t.nodes[n].edges = append(t.nodes[n].edges, tedge{c, next})
			t.nodes[n].dense = nil // rebuilt by finish
		}
		n = next
	}
	for _, e := range t.nodes[n].ents {
		if e == ent {
			return
		}
	}
	t.nodes[n].ents = append(t.nodes[n].ents, ent)
}

func (t *trie) child(n int32, c byte) int32 {
	if n < 0 {
		return t.root[c] - 1
	}
	nd := &t.nodes[n]
	if nd.dense != nil {
		return nd.dense[c] - 1
	}
	for _, e := range nd.edges {
		if e.b == c {
			return e.to
		}
	}
	return -1
}

// lexicon holds every word of the rules that apply to one language.
type lexicon struct {
	lang     string
	suffixes map[string]bool
	sufList  []string
	fwd, rev trie
	entries  []lexEntry
	allow    map[string]bool // global allow-list: whole words never matched
	maxSuf   int             // length of the longest inflection ending
}

// Inflection endings tried after a word (definite and plural forms, genitive
// -s, adjective endings). They are only accepted right after a listed word.
var suffixesByLang = map[string][]string{
	"sv": {"s", "a", "e", "n", "t", "en", "et", "er", "ar", "or", "na", "ns", "ts", "es", "ad", "at", "ade", "ens", "ets", "ers", "ars", "ors", "are", "ast", "aste", "arna", "erna", "orna", "ena", "ande", "ende", "arnas", "ernas", "ornas", "ig", "iga", "igt", "ar", "ier", "ierna", "isk", "iska", "iskt"},
	"da": {"s", "e", "n", "t", "r", "en", "et", "er", "es", "ne", "ns", "ts", "ede", "te", "de", "ere", "erne", "ene", "ens", "ets", "ers", "ernes", "est", "este", "ende", "ig", "ige", "igt", "isk", "iske"},
	"no": {"s", "a", "e", "n", "t", "r", "en", "et", "er", "es", "ne", "na", "ns", "ts", "ede", "te", "de", "ere", "erne", "ene", "ens", "ets", "ers", "est", "este", "ende", "ig", "ige", "igt", "isk", "iske"},
	"en": {"s", "es", "'s", "ed", "d", "ing", "in", "er", "ers", "y", "ies", "ly", "ish"},
}

func newLexicon(lang string) *lexicon {
	lx := &lexicon{lang: lang, suffixes: map[string]bool{}, allow: map[string]bool{}}
	for _, s := range suffixesByLang[lang] {
		if !lx.suffixes[s] {
			lx.suffixes[s] = true
			lx.sufList = append(lx.sufList, s)
			lx.maxSuf = max(lx.maxSuf, len(s))
		}
	}
	return lx
}

// foldTerm normalises a pack word the way comment text is normalised.
func foldTerm(w string) string {
	s := scratch{noSqueeze: true}
	normalize(w, &s.plain)
	tokenize(w, &s)
	parts := make([]string, 0, len(s.toks))
	for _, t := range s.toks {
		parts = append(parts, string(s.norm[t.na:t.nb]))
	}
	return strings.Join(parts, " ")
}

// squeezeDoubles writes every doubled letter once ("fitta" → "fita"), the
// form a word takes when a writer stretches it ("fiiiitta" is squeezed to
// "fitta", "knullllla" to "knula").
func squeezeDoubles(w string) string {
	var b strings.Builder
	var prev rune = -1
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// add puts one pack word into the lexicon. Markers: a leading "=" turns off
// inflection, a leading "*" lets the word end a compound, a trailing "*" lets
// it begin one. Words with spaces are phrases.
func (lx *lexicon) add(word string, rule int32, role uint8) {
	w := strings.TrimSpace(word)
	e := lexEntry{rule: rule, role: role, inflect: lx.lang != ""}
	for {
		switch {
		case strings.HasPrefix(w, "="):
			e.inflect = false
			w = w[1:]
			continue
		case strings.HasPrefix(w, "*"):
			e.tailC = true
			w = w[1:]
			continue
		case strings.HasSuffix(w, "*"):
			e.prefixC = true
			w = w[:len(w)-1]
			continue
		}
		break
	}
	folded := foldTerm(w)
	if folded == "" {
		return
	}
	parts := strings.Split(folded, " ")
	if len(parts) > 1 {
		for _, p := range parts[1:] {
			e.rest = append(e.rest, []byte(p))
		}
		e.prefixC, e.tailC = false, false
	}
	first := parts[0]
	lx.insert(first, e)
	if sq := squeezeDoubles(first); sq != first && len(parts) == 1 {
		e.sq = true
		lx.insert(sq, e)
	}
}

func (lx *lexicon) insert(k string, e lexEntry) {
	id := int32(len(lx.entries))
	lx.entries = append(lx.entries, e)
	{
		lx.fwd.insert([]byte(k), id)
		if e.tailC {
			lx.rev.insert(reverse(k), id)
			if e.inflect {
				for _, s := range lx.sufList {
					lx.rev.insert(reverse(k+s), id)
				}
			}
		}
	}
}

func reverse(s string) []byte {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// mark is a lexicon match: entry ent over tokens ti..tj.
type mark struct {
	rule   int32
	role   uint8
	ti, tj int32
}

// matchTokens looks every word of the text up in the lexicon.
func (lx *lexicon) matchTokens(s *scratch) {
	toks := s.toks
	for i := range toks {
		t := &toks[i]
		if t.num || t.mention {
			continue
		}
		w := s.norm[t.na:t.nb]
		if len(w) == 0 {
			continue
		}
		before := len(s.marks)
		// Forward: whole word, inflected word, or the first part of a compound.
		n := int32(-1)
		for p := 0; p < len(w); p++ {
			n = lx.fwd.child(n, w[p])
			if n < 0 {
				break
			}
			ents := lx.fwd.nodes[n].ents
			if len(ents) == 0 {
				continue
			}
			rest := w[p+1:]
			for _, id := range ents {
				e := &lx.entries[id]
				if e.sq && !t.squeezed {
					continue
				}
				ok := len(rest) == 0 ||
					(e.inflect && len(rest) <= lx.maxSuf && lx.suffixes[string(rest)]) ||
					(e.prefixC && atLeastTwoRunes(rest) && utf8.RuneStart(rest[0]))
				if !ok {
					continue
				}
				if len(e.rest) > 0 {
					if j, ok := lx.matchPhrase(s, i, e); ok {
						s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(j)})
					}
					continue
				}
				s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(i)})
			}
		}
		lx.matchCompoundTail(s, i, w)
		// The global allow-list (place names and the like) is only consulted
		// for the rare words that matched something.
		if len(s.marks) > before && len(lx.allow) > 0 && lx.allow[string(w)] {
			s.marks = s.marks[:before]
		}
	}
}

// matchCompoundTail finds rule words that end the word w of token i
// (skitidiot, skitidioten).
func (lx *lexicon) matchCompoundTail(s *scratch, i int, w []byte) {
	t := &s.toks[i]
	{
		n := int32(-1)
		for q := len(w) - 1; q >= 2; q-- {
			n = lx.rev.child(n, w[q])
			if n < 0 {
				break
			}
			ents := lx.rev.nodes[n].ents
			if len(ents) == 0 || !utf8.RuneStart(w[q]) || !atLeastTwoRunes(w[:q]) {
				continue
			}
			for _, id := range ents {
				e := &lx.entries[id]
				if e.sq && !t.squeezed {
					continue
				}
				s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(i)})
			}
		}
	}
}

// matchPhrase checks the words after token i against the rest of a phrase.
func (lx *lexicon) matchPhrase(s *scratch, i int, e *lexEntry) (int, bool) {
	j := i
	for _, want := range e.rest {
		j++
		if j >= len(s.toks) {
			return 0, false
		}
		t := s.toks[j]
		got := s.norm[t.na:t.nb]
		if string(got) == string(want) {
			continue
		}
		if e.inflect && len(got) > len(want) && string(got[:len(want)]) == string(want) && lx.suffixes[string(got[len(want):])] {
			continue
		}
		return 0, false
	}
	return j, true
}

// atLeastTwoRunes reports whether b holds two runes or more, looking at no
// more than the first two.
func atLeastTwoRunes(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	_, n := utf8.DecodeRune(b)
	return n < len(b)
}
