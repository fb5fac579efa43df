package rules

import (
	"errors"
	"math/bits"
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
	// The first two bytes of the second word of a phrase (next1 is 0 for a
	// word of one byte): most phrases are rejected on them without reading
	// the entry.
	next0, next1 byte
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

// A trie node after finish is one uint64: the byte on the edge into it,
// the number of its children, the index of its first child (the children of
// a node are consecutive and sorted by byte), whether entries end at it,
// the index of its first entry in trie.ents (its entries end where the next
// node's begin) and whether one of them may be inflected or begin a
// compound. Eight bytes a node keep the upper levels of a lexicon in the
// processor's first-level cache.
const (
	nodeCountShift = 8
	nodeLoShift    = 16
	nodeEntsBit    = 1 << 39
	nodeEntShift   = 40
	nodeInflectBit = 1 << 62
	nodePrefixBit  = 1 << 63
	nodeMaxLo      = 1<<23 - 1
	nodeMaxEnt     = 1<<22 - 1
)

func nodeLabel(x uint64) byte  { return byte(x) }
func nodeCount(x uint64) int32 { return int32(x >> nodeCountShift & 0xFF) }
func nodeLo(x uint64) int32    { return int32(x >> nodeLoShift & nodeMaxLo) }
func nodeEnt(x uint64) int32   { return int32(x >> nodeEntShift & nodeMaxEnt) }

// firstNode finds the children of a node of the first level (a child of
// the root, where most nodes have many children) without a search: a
// bitmap of their bytes and, per 64 bytes, the index of the first child.
type firstNode struct {
	bits [4]uint64
	base [4]int32
}

// trie is a byte trie with a direct table for the first byte. It is built
// with insert and then laid out by finish, breadth first, so that a lookup
// reads a few consecutive node words.
type trie struct {
	root  [256]int32 // node index + 1, 0 = none
	build []bnode    // until finish
	nodes []uint64   // after finish, plus one sentinel
	first []firstNode
	ents  []tent
}

// errTrieSize is returned for a lexicon too large for the node layout.
var errTrieSize = errors.New("lexicon too large")

// finish lays the trie out for lookups; call it after the last insert.
func (t *trie) finish() error {
	n := len(t.build)
	if n+1 > nodeMaxLo {
		return errTrieSize
	}
	newID := make([]int32, n) // build index -> laid-out index
	order := make([]int32, 0, n)
	labels := make([]byte, n)
	for c := 0; c < 256; c++ {
		if r := t.root[c]; r > 0 {
			newID[r-1] = int32(len(order))
			labels[len(order)] = byte(c)
			order = append(order, r-1)
			t.root[c] = int32(len(order))
		}
	}
	t.first = make([]firstNode, len(order))
	t.nodes = make([]uint64, n+1)
	t.ents = t.ents[:0]
	for k := 0; k < len(order); k++ {
		b := &t.build[order[k]]
		edges := b.edges
		if len(edges) > 255 {
			return errTrieSize
		}
		slices.SortFunc(edges, func(x, y tedge) int { return int(x.b) - int(y.b) })
		lo := len(order)
		for _, e := range edges {
			newID[e.to] = int32(len(order))
			labels[len(order)] = e.b
			order = append(order, e.to)
		}
		x := uint64(labels[k]) | uint64(len(edges))<<nodeCountShift | uint64(lo)<<nodeLoShift | uint64(len(t.ents))<<nodeEntShift
		if len(b.ents) > 0 {
			x |= nodeEntsBit
		}
		for _, e := range b.ents {
			if e.flags&entInflect != 0 {
				x |= nodeInflectBit
			}
			if e.flags&entPrefixC != 0 {
				x |= nodePrefixBit
			}
		}
		t.nodes[k] = x
		if k < len(t.first) {
			f := &t.first[k]
			for w := range f.base {
				f.base[w] = int32(lo)
				for _, e := range edges {
					if int(e.b)>>6 < w {
						f.base[w]++
					}
				}
			}
			for _, e := range edges {
				f.bits[e.b>>6] |= 1 << (e.b & 63)
			}
		}
		t.ents = append(t.ents, b.ents...)
		if len(t.ents) > nodeMaxEnt {
			return errTrieSize
		}
	}
	t.nodes[n] = uint64(len(t.ents)) << nodeEntShift
	t.build = nil
	return nil
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

// child returns the child of node n (-1: the root) by byte c and its node
// word, or -1.
func (t *trie) child(n int32, c byte) (int32, uint64) {
	if n < 0 {
		k := t.root[c] - 1
		if k < 0 {
			return -1, 0
		}
		return k, t.nodes[k]
	}
	return t.next(n, t.nodes[n], c)
}

// next returns the child by byte c of node n, whose word is x, and the
// child's word, or -1.
func (t *trie) next(n int32, x uint64, c byte) (int32, uint64) {
	if int(n) < len(t.first) {
		f := &t.first[n]
		m, bit := f.bits[c>>6], uint64(1)<<(c&63)
		if m&bit == 0 {
			return -1, 0
		}
		k := f.base[c>>6] + int32(bits.OnesCount64(m&(bit-1)))
		return k, t.nodes[k]
	}
	lo, cnt := nodeLo(x), nodeCount(x)
	if cnt > 8 {
		return t.search(lo, cnt, c)
	}
	for k := lo; k < lo+cnt; k++ {
		if y := t.nodes[k]; nodeLabel(y) == c {
			return k, y
		}
	}
	return -1, 0
}

// search finds the child by byte c among the cnt children from lo, by
// binary search.
func (t *trie) search(lo, cnt int32, c byte) (int32, uint64) {
	i, j := lo, lo+cnt
	for i < j {
		h := int32(uint32(i+j) >> 1)
		if nodeLabel(t.nodes[h]) < c {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < lo+cnt {
		if y := t.nodes[i]; nodeLabel(y) == c {
			return i, y
		}
	}
	return -1, 0
}

// entsOf returns the entries that end at node n, whose word is x.
func (t *trie) entsOf(n int32, x uint64) []tent {
	if x&nodeEntsBit == 0 {
		return nil
	}
	return t.ents[nodeEnt(x):nodeEnt(t.nodes[n+1])]
}

// lexicon holds every word of the rules that apply to one language.
type lexicon struct {
	lang     string
	suffixes map[string]bool
	sufKeys  keySet // the endings of at most eight bytes, by prefixKey
	// tailEnds is a one-hash Bloom filter of the last tailEndLen bytes of
	// every key of rev and of the shorter keys whole; tailShort has bit l
	// set when a key of l bytes exists.
	tailEnds  *[tailBloomBits / 64]uint64
	tailShort uint8
	sufList   []string
	fwd, rev  trie
	entries   []lexEntry
	allow     map[string]bool // global allow-list: whole words never matched
	allowKeys keySet          // the allow-list words of at most eight bytes
	maxSuf    int             // length of the longest inflection ending
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

// addAllow puts a folded word on the global allow-list.
func (lx *lexicon) addAllow(w string) {
	lx.allow[w] = true
	if w != "" && len(w) <= 8 {
		lx.allowKeys.or(prefixKey([]byte(w)), 1)
	}
}

// allowed reports a word of the global allow-list; key is its prefixKey.
func (lx *lexicon) allowed(w []byte, key uint64) bool {
	if len(lx.allow) == 0 {
		return false
	}
	if len(w) <= 8 {
		return lx.allowKeys.get(key) != 0
	}
	return lx.allow[string(w)]
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
		t.next0 = e.rest[0][0]
		if len(e.rest[0]) > 1 {
			t.next1 = e.rest[0][1]
		}
	}
	lx.fwd.insert([]byte(k), t)
	if e.tailC {
		lx.insertTail(k, t)
		if e.inflect {
			for _, s := range lx.sufList {
				lx.insertTail(k+s, t)
			}
		}
	}
}

// tailEndLen is the length of the word endings in lexicon.tailEnds.
const tailEndLen = 4

// tailBloomBits is the size of lexicon.tailEnds: 8 KiB, with a few thousand
// endings in it a word that ends with none of them passes one time in
// twenty or less.
const (
	tailBloomShift = 16
	tailBloomBits  = 1 << tailBloomShift
)

// tailBit is the bit of lexicon.tailEnds for a word ending, by its key.
func tailBit(key uint64) (word int, bit uint64) {
	h := (key * 0x9E3779B97F4A7C15) >> (64 - tailBloomShift)
	return int(h >> 6), 1 << (h & 63)
}

func (lx *lexicon) addTailEnd(key uint64) {
	if lx.tailEnds == nil {
		lx.tailEnds = new([tailBloomBits / 64]uint64)
	}
	w, b := tailBit(key)
	lx.tailEnds[w] |= b
}

func (lx *lexicon) hasTailEnd(key uint64) bool {
	w, b := tailBit(key)
	return lx.tailEnds[w]&b != 0
}

// insertTail adds a word that may end a compound to the reversed trie and
// notes its last bytes, which a word must end with to be worth a walk.
func (lx *lexicon) insertTail(k string, t tent) {
	lx.rev.insert(reverse(k), t)
	if len(k) >= tailEndLen {
		lx.addTailEnd(prefixKey([]byte(k[len(k)-tailEndLen:])))
	} else {
		lx.addTailEnd(prefixKey([]byte(k)))
		lx.tailShort |= 1 << len(k)
	}
}

// mayEndCompound reports whether w ends with a word of the reversed trie
// and leaves at least two bytes before it: a necessary condition for
// matchCompoundTail to find anything, tested with a few table lookups.
func (lx *lexicon) mayEndCompound(w []byte) bool {
	n := len(w)
	if lx.tailEnds == nil {
		return false
	}
	if n >= tailEndLen+2 && lx.hasTailEnd(prefixKey(w[n-tailEndLen:])) {
		return true
	}
	for l := 1; l < tailEndLen && l <= n-2; l++ {
		if lx.tailShort&(1<<l) != 0 && lx.hasTailEnd(prefixKey(w[n-l:])) {
			return true
		}
	}
	return false
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
		var nextKey uint64 // the next word, for phrases; 0 when there is none
		if i+1 < len(toks) {
			nextKey = toks[i+1].key
		}
		// Forward: whole word, inflected word, or the first part of a compound.
		fwd := &lx.fwd
		n, x := fwd.child(-1, w[0])
		for p := 0; n >= 0; {
			if x&nodeEntsBit != 0 {
				// Entries are read only when one can match: the word ends
				// here, or what follows is an ending and an entry inflects,
				// or an entry may begin a compound.
				rest := w[p+1:]
				inflected := len(rest) > 0 && x&nodeInflectBit != 0 && lx.isSuffix(rest)
				if len(rest) == 0 || inflected || x&nodePrefixBit != 0 {
					lx.matchEnts(s, i, rest, fwd.entsOf(n, x), nextKey, inflected)
				}
			}
			if p++; p == len(w) {
				break
			}
			n, x = fwd.next(n, x, w[p])
		}
		if lx.mayEndCompound(w) {
			lx.matchCompoundTail(s, i, w)
		}
		// The global allow-list (place names and the like) is only consulted
		// for the rare words that matched something.
		if len(s.marks) > before && lx.allowed(w, t.key) {
			s.marks = s.marks[:before]
		}
	}
}

// matchEnts checks the entries that end after the first bytes of the word
// of token i, rest being the bytes that follow (an inflection ending when
// inflected is set), and marks those that match:
// the whole word, an inflection or the first part of a compound; phrases
// are checked against the next words (nextKey is the next word's key).
func (lx *lexicon) matchEnts(s *scratch, i int, rest []byte, ents []tent, nextKey uint64, inflected bool) {
	squeezed := s.toks[i].squeezed
	// What the rest of the word allows, worked out once per node: nothing
	// (a whole word), an inflection (inflected: rest is an ending), a
	// compound.
	whole := len(rest) == 0
	compound := !whole && atLeastTwoRunes(rest) && utf8.RuneStart(rest[0])
	for _, te := range ents {
		if te.flags&entSq != 0 && !squeezed {
			continue
		}
		if !whole && !(inflected && te.flags&entInflect != 0) && !(compound && te.flags&entPrefixC != 0) {
			continue
		}
		if te.flags&entPhrase != 0 {
			if byte(nextKey) != te.next0 || (te.next1 != 0 && byte(nextKey>>8) != te.next1) {
				continue
			}
			e := &lx.entries[te.id]
			if nextKey&e.nextMask != e.next {
				continue
			}
			if j, ok := lx.matchPhrase(s, i, e); ok {
				s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(j)})
			}
			continue
		}
		if !whole && !(inflected && te.flags&entInflect != 0) && !s.compoundMayMatch(i) {
			continue // only a compound could match, and this word is a name
		}
		e := &lx.entries[te.id]
		s.marks = append(s.marks, mark{e.rule, e.role, int32(i), int32(i)})
	}
}

// matchCompoundTail finds rule words that end the word w of token i
// (skitidiot, skitidioten).
func (lx *lexicon) matchCompoundTail(s *scratch, i int, w []byte) {
	if !s.compoundMayMatch(i) {
		return
	}
	squeezed := s.toks[i].squeezed
	n := int32(-1)
	for q := len(w) - 1; q >= 2; q-- {
		var x uint64
		n, x = lx.rev.child(n, w[q])
		if n < 0 {
			break
		}
		ents := lx.rev.entsOf(n, x)
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

// compoundMayMatch reports whether a pack word may be matched as a part of
// the compound word of token i. It may not in the names of places and
// people, which keep a swear word's letters without its meaning
// (Kukasjärvi, Kuksjön, Fittjaån): a word written with a capital letter
// inside a sentence (not in capitals throughout), or a word that ends in an
// element of Swedish, Finnish, Sami, Danish or English place names.
func (s *scratch) compoundMayMatch(i int) bool {
	t := &s.toks[i]
	if t.cap && !t.sentStart && !s.upperSecond(*t) {
		return false
	}
	w := s.norm[t.na:t.nb]
	for _, suffix := range placeNameElements {
		if len(w) > len(suffix)+2 && string(w[len(w)-len(suffix):]) == suffix {
			return false
		}
	}
	return true
}

// placeNameElements end place names: lakes, rivers, rapids, hills,
// villages, farms.
var placeNameElements = []string{
	"järvi", "jaure", "jaur", "vaara", "joki", "lahti", "koski", "niemi", "vuoma", "jokk",
	"sjön", "träsk", "forsen", "älven", "berget", "torp", "torpet", "hult", "köping", "tjärn", "tjärnen", "myren",
	"søen", "skov", "bjerg", "havn", "strup", "løse", "holm", "borg",
	"thorpe", "shire", "chester", "caster", "bury", "ford",
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
