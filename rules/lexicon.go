package rules

import (
	"slices"
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
	// next and nextMask are the first eight bytes of the second word of a
	// phrase: a cheap test that rejects most phrases before matchPhrase.
	next, nextMask uint64
	rest           [][]byte
}

// Flags of an entry, kept beside its id in the trie so that the walk can
// reject an entry without reading it.
const (
	entInflect uint8 = 1 << iota
	entPrefixC
	entSq
	entPhrase
)

// tent is an entry as a trie node lists it.
type tent struct {
	id    int32
	flags uint8
}

type tedge struct {
	b  byte
	to int32
}

// bnode is a trie node while the lexicon is built.
type bnode struct {
	edges []tedge
	ents  []tent
}

// tnode is a trie node after finish: its children are the consecutive
// nodes lo..lo+n-1 (their bytes in trie.labels), or, for nodes with many
// children, a direct table at trie.dense[dense:dense+256].
type tnode struct {
	lo, n int32
	dense int32 // -1: none
	ent   int32 // first entry in trie.ents; the node's end at nodes[i+1].ent
}

// trie is a byte trie with a direct table for the first byte. It is built
// with insert and then laid out by finish, breadth first, so that a lookup
// reads one small node record and a few consecutive label bytes.
type trie struct {
	root   [256]int32 // node index + 1, 0 = none
	build  []bnode    // until finish
	nodes  []tnode    // after finish, plus one sentinel
	labels []byte     // the byte on the edge into each node
	dense  []int32    // direct tables: child index + 1 by byte
	ents   []tent
}

// denseFanout is the number of children above which a node gets a direct
// table instead of a list to search.
const denseFanout = 6

// finish lays the trie out for lookups; call it after the last insert.
func (t *trie) finish() {
	n := len(t.build)
	newID := make([]int32, n) // build index -> laid-out index
	order := make([]int32, 0, n)
	for c := 0; c < 256; c++ {
		if r := t.root[c]; r > 0 {
			newID[r-1] = int32(len(order))
			order = append(order, r-1)
		}
	}
	t.labels = make([]byte, n)
	for c := 0; c < 256; c++ {
		if r := t.root[c]; r > 0 {
			t.labels[newID[r-1]] = byte(c)
			t.root[c] = newID[r-1] + 1
		}
	}
	t.nodes = make([]tnode, n+1)
	t.dense = nil
	t.ents = t.ents[:0]
	for k := 0; k < len(order); k++ {
		b := &t.build[order[k]]
		edges := b.edges
		slices.SortFunc(edges, func(x, y tedge) int { return int(x.b) - int(y.b) })
		nd := tnode{lo: int32(len(order)), n: int32(len(edges)), dense: -1, ent: int32(len(t.ents))}
		for _, e := range edges {
			newID[e.to] = int32(len(order))
			t.labels[len(order)] = e.b
			order = append(order, e.to)
		}
		if len(edges) > denseFanout {
			nd.dense = int32(len(t.dense))
			t.dense = append(t.dense, make([]int32, 256)...)
			for _, e := range edges {
				t.dense[nd.dense+int32(e.b)] = newID[e.to] + 1
			}
		}
		t.ents = append(t.ents, b.ents...)
		t.nodes[k] = nd
	}
	t.nodes[n] = tnode{dense: -1, ent: int32(len(t.ents))}
	t.build = nil
}

func (t *trie) insert(key []byte, ent tent) {
	if len(key) == 0 {
		return
	}
	n := t.root[key[0]] - 1
	if n < 0 {
		t.build = append(t.build, bnode{})
		n = int32(len(t.build) - 1)
		t.root[key[0]] = n + 1
	}
	for _, c := range key[1:] {
		next := int32(-1)
		for _, e := range t.build[n].edges {
			if e.b == c {
				next = e.to
				break
			}
		}
		if next < 0 {
			t.build = append(t.build, bnode{})
			next = int32(len(t.build) - 1)
			t.build[n].edges = append(t.build[n].edges, tedge{c, next})
		}
		n = next
	}
	for _, e := range t.build[n].ents {
		if e.id == ent.id {
			return
		}
	}
	t.build[n].ents = append(t.build[n].ents, ent)
}

// child returns the child of node n (-1: the root) by byte c, or -1.
func (t *trie) child(n int32, c byte) int32 {
	if n < 0 {
		return t.root[c] - 1
	}
	nd := &t.nodes[n]
	if nd.dense >= 0 {
		return t.dense[nd.dense+int32(c)] - 1
	}
	labels := t.labels[nd.lo : nd.lo+nd.n]
	for k, b := range labels {
		if b == c {
			return nd.lo + int32(k)
		}
	}
	return -1
}

// entsOf returns the entries that end at node n.
func (t *trie) entsOf(n int32) []tent {
	return t.ents[t.nodes[n].ent:t.nodes[n+1].ent]
}

// lexicon holds every word of the rules that apply to one language.
type lexicon struct {
	lang     string
	suffixes map[string]bool
	sufKeys  keySet // the endings of at most eight bytes, by prefixKey
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
			if len(s) <= 8 {
				lx.sufKeys.or(prefixKey([]byte(s)), 1)
			}
			lx.sufList = append(lx.sufList, s)
			lx.maxSuf = max(lx.maxSuf, len(s))
		}
	}
	return lx
}

// isSuffix reports an inflection ending of the language.
func (lx *lexicon) isSuffix(b []byte) bool {
	switch {
	case len(b) == 0 || len(b) > lx.maxSuf:
		return false
	case len(b) <= 8:
		return lx.sufKeys.get(prefixKey(b)) != 0
	}
	return lx.suffixes[string(b)]
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
		e.next = prefixKey(e.rest[0])
		e.nextMask = maskOf(len(e.rest[0]))
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
	t := tent{id: id}
	if e.inflect {
		t.flags |= entInflect
	}
	if e.prefixC {
		t.flags |= entPrefixC
	}
	if e.sq {
		t.flags |= entSq
	}
	if len(e.rest) > 0 {
		t.flags |= entPhrase
	}
	lx.fwd.insert([]byte(k), t)
	if e.tailC {
		lx.rev.insert(reverse(k), t)
		if e.inflect {
			for _, s := range lx.sufList {
				lx.rev.insert(reverse(k+s), t)
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
			ents := lx.fwd.entsOf(n)
			if len(ents) == 0 {
				continue
			}
			rest := w[p+1:]
			// What the rest of the word allows, worked out once per node:
			// nothing (a whole word), an inflection, a compound.
			whole := len(rest) == 0
			inflected := !whole && lx.isSuffix(rest)
			compound := !whole && atLeastTwoRunes(rest) && utf8.RuneStart(rest[0])
			for _, te := range ents {
				if te.flags&entSq != 0 && !t.squeezed {
					continue
				}
				if !whole && !(inflected && te.flags&entInflect != 0) && !(compound && te.flags&entPrefixC != 0) {
					continue
				}
				e := &lx.entries[te.id]
				if te.flags&entPhrase != 0 {
					if i+1 >= len(toks) || toks[i+1].key&e.nextMask != e.next {
						continue
					}
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
	squeezed := s.toks[i].squeezed
	n := int32(-1)
	for q := len(w) - 1; q >= 2; q-- {
		n = lx.rev.child(n, w[q])
		if n < 0 {
			break
		}
		ents := lx.rev.entsOf(n)
		if len(ents) == 0 || !utf8.RuneStart(w[q]) || !atLeastTwoRunes(w[:q]) {
			continue
		}
		for _, te := range ents {
			if te.flags&entSq != 0 && !squeezed {
				continue
			}
			e := &lx.entries[te.id]
			s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(i)})
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
		if e.inflect && len(got) > len(want) && string(got[:len(want)]) == string(want) && lx.isSuffix(got[len(want):]) {
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
