package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules/learn"
)

//go:embed packs/*.yaml
var defaultPacks embed.FS

// DefaultPacks returns the rule packs built into uppsikt.
func DefaultPacks() fs.FS {
	sub, err := fs.Sub(defaultPacks, "packs")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return sub
}

// Options configure an Engine.
type Options struct {
	// Today is the reference date against which identity numbers with a
	// future date of birth are rejected. It is required: the engine never
	// reads the clock, so that verdicts are reproducible.
	Today time.Time
	// Packs names the embedded packs LoadDefault uses (sv, da, en); empty
	// means all of them. The language-independent pack "common" (identity
	// numbers, links) is always used.
	Packs []string
	// Dir is a folder of the municipality's own packs, read by LoadDefault
	// in addition to the embedded ones; empty for none.
	Dir string
	// Accounts holds per-account overrides, by account id, used by
	// Engine.ForAccount.
	Accounts map[string]AccountOverride
	// Model is the learned model that gives a second opinion beside the
	// rules (DefaultModel for the one built in); nil for none.
	Model *learn.Model
	// ModelMode is how the model is used: moderation.ModelOn (the
	// default) adds the categories it scores over their thresholds to the
	// verdict; moderation.ModelShadow records its scores with the verdict
	// and decides nothing; moderation.ModelOff does not run it.
	ModelMode string
	// ModelThresholds replace the model's decision thresholds, by head
	// (a category, "question" or "register"), each between 0 and 1.
	ModelThresholds map[string]float64
}

// AccountOverride changes the rules for one supervised account.
type AccountOverride struct {
	DisableRules      []string // rule ids that never fire for the account
	DisableCategories []string // categories that are never reported
	Allow             []string // words that never count as a hit (e.g. a local place name)
	ModelMode         string   // the model's mode for the account; empty for the engine's
}

// Engine is a compiled set of rule packs. It implements
// moderation.Classifier and is safe for concurrent use.
type Engine struct {
	rules    []*crule
	lex      map[string]*lexicon
	byLang   map[string][]int32 // rules with regex or detectors, per language
	today    time.Time
	accounts map[string]AccountOverride
	packs    []*Pack
	identity string
	pool     sync.Pool
	stop     *stopwords
	cats     []string                      // moderation.Categories()
	want     map[string][numDetectors]bool // detectors the rules of a language need
	// The same by the index of the language in allLangs, for classify.
	lexOf    [len(allLangs)]*lexicon
	wantOf   [len(allLangs)][numDetectors]bool
	byLangOf [len(allLangs)][]int32
	// personMainOf: a rule of the language has person_reference as its own
	// detector (not only in a near condition).
	personMainOf [len(allLangs)]bool
	model        *modelSetup
	yield        [16]uint16 // by category index: the categories it gives way to (bits)
}

// crule is a compiled rule.
type crule struct {
	src       *Rule
	pack      string
	file      string
	cite      moderation.Citation
	langs     map[string]bool
	regex     []*regexp.Regexp
	needles   [][][]byte // per pattern: one of these is in every match (nil: run it always)
	detect    []uint8
	near      []nearCond
	ctxWithin int
	ctxBefore bool // lower words count only before the hit
	hasRaise  bool
	// nearPerson: a near condition looks for references to persons.
	nearPerson bool
	catIdx     int // the category's position in moderation.Categories(), or -1
}

// ErrOptions is returned when Options are incomplete.
var ErrOptions = errors.New("rules: options")

// LoadDefault compiles the embedded packs chosen by opts.Packs and the packs
// in opts.Dir.
func LoadDefault(opts Options) (*Engine, error) {
	all, err := ReadPacks(DefaultPacks())
	if err != nil {
		return nil, err
	}
	var packs []*Pack
	for _, p := range all {
		if len(opts.Packs) == 0 || p.Name == "common" || slices.Contains(opts.Packs, p.Name) {
			packs = append(packs, p)
		}
	}
	for _, name := range opts.Packs {
		if !slices.ContainsFunc(all, func(p *Pack) bool { return p.Name == name }) {
			return nil, fmt.Errorf("%w: no embedded rule pack %q", ErrOptions, name)
		}
	}
	if opts.Dir != "" {
		more, err := ReadPacks(os.DirFS(opts.Dir))
		if err != nil {
			return nil, err
		}
		packs = append(packs, more...)
	}
	return Compile(packs, opts)
}

// Load compiles every pack in fsys.
func Load(fsys fs.FS, opts Options) (*Engine, error) {
	packs, err := ReadPacks(fsys)
	if err != nil {
		return nil, err
	}
	return Compile(packs, opts)
}

// LoadWithExtra compiles the default packs and the packs of each extra
// folder.
func LoadWithExtra(opts Options, extra ...fs.FS) (*Engine, error) {
	packs, err := ReadPacks(DefaultPacks())
	if err != nil {
		return nil, err
	}
	for _, x := range extra {
		more, err := ReadPacks(x)
		if err != nil {
			return nil, err
		}
		packs = append(packs, more...)
	}
	return Compile(packs, opts)
}

// allLangs are the languages of the engine, in the order of guessLanguage.
var allLangs = [...]string{"sv", "da", "no", "en"}

// langIndexSV is the index of Swedish in allLangs.
const langIndexSV = 0

// Compile builds an engine from parsed packs.
func Compile(packs []*Pack, opts Options) (*Engine, error) {
	if opts.Today.IsZero() {
		return nil, fmt.Errorf("%w: Today (the reference date for identity numbers) is required", ErrOptions)
	}
	e := &Engine{
		lex:      map[string]*lexicon{},
		byLang:   map[string][]int32{},
		today:    time.Date(opts.Today.Year(), opts.Today.Month(), opts.Today.Day(), 0, 0, 0, 0, time.UTC),
		accounts: opts.Accounts,
		packs:    packs,
		stop:     newStopwords(),
		cats:     moderation.Categories(),
	}
	for _, l := range allLangs {
		e.lex[l] = newLexicon(l)
	}
	h := sha256.New()
	ids := map[string]string{}
	for _, p := range packs {
		fmt.Fprintf(h, "%s\x00%q\x00%q\x00%q\x00%v\x00", p.Name, p.Languages, p.Allow, p.PersonWords, sortedYield(p.Yield))
		for c, to := range p.Yield {
			for _, t := range to {
				e.yield[slices.Index(e.cats, c)] |= 1 << slices.Index(e.cats, t)
			}
		}
		langsOf := func(ls []string) []string {
			if len(ls) == 0 {
				return allLangs[:]
			}
			return ls
		}
		for _, w := range p.Allow {
			for _, l := range langsOf(p.Languages) {
				e.lex[l].addAllow(foldTerm(w))
			}
		}
		for _, w := range p.PersonWords {
			for _, l := range langsOf(p.Languages) {
				e.lex[l].add(w, -1, rolePerson)
			}
		}
		for i := range p.Rules {
			r := &p.Rules[i]
			if prev, ok := ids[r.ID]; ok {
				return nil, fmt.Errorf("%w: %s:%d: rule %s is also defined in %s", ErrPack, p.File, r.Line, r.ID, prev)
			}
			ids[r.ID] = p.File
			// The context is hashed by value: %v of the pointer would print an
			// address and the identity would change from run to run.
			flat := *r
			var ctx Context
			if r.Context != nil {
				ctx = *r.Context
			}
			flat.Context = nil
			fmt.Fprintf(h, "%s\x00%v\x00%v\x00", r.ID, flat, ctx)
			cr := &crule{src: r, pack: p.Name, file: p.File, cite: moderation.Citation{Document: r.Citation.Document, Section: r.Citation.Section}, langs: map[string]bool{}}
			cr.catIdx = slices.Index(e.cats, r.Category)
			for _, re := range r.Regex {
				cr.regex = append(cr.regex, regexp.MustCompile(re)) // checked by ParsePack
				cr.needles = append(cr.needles, needles(re))
			}
			for _, d := range r.Detect {
				cr.detect = append(cr.detect, detectorIDs[d])
			}
			for _, n := range r.Near {
				nc := nearCond{within: int32(n.Within)}
				for _, d := range n.Detect {
					nc.detect = append(nc.detect, detectorIDs[d])
					cr.nearPerson = cr.nearPerson || detectorIDs[d] == detPerson
				}
				cr.near = append(cr.near, nc)
			}
			if r.Context != nil {
				cr.ctxWithin = r.Context.Within
				cr.ctxBefore = r.Context.Before
				cr.hasRaise = len(r.Context.Raise) > 0
			}
			idx := int32(len(e.rules))
			e.rules = append(e.rules, cr)
			for _, l := range langsOf(r.Languages) {
				cr.langs[l] = true
				lx := e.lex[l]
				for _, w := range r.Words {
					lx.add(w, idx, roleMain)
				}
				for k, n := range r.Near {
					for _, w := range n.Words {
						lx.add(w, idx, roleNear+uint8(k)*8)
					}
				}
				if r.Context != nil {
					for _, w := range r.Context.Lower {
						lx.add(w, idx, roleLower)
					}
					for _, w := range r.Context.Raise {
						lx.add(w, idx, roleRaise)
					}
				}
				for _, w := range r.Allow {
					lx.add(w, idx, roleAllow)
				}
				if len(cr.regex) > 0 || len(cr.detect) > 0 {
					e.byLang[l] = append(e.byLang[l], idx)
				}
			}
		}
	}
	for _, lx := range e.lex {
		if err := errors.Join(lx.fwd.finish(), lx.rev.finish()); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrPack, lx.lang, err)
		}
	}
	e.want = map[string][numDetectors]bool{}
	for _, l := range allLangs {
		var want [numDetectors]bool
		for _, r := range e.rules {
			if !r.langs[l] {
				continue
			}
			for _, d := range r.detect {
				want[d] = true
			}
			for _, n := range r.near {
				for _, d := range n.detect {
					want[d] = true
				}
			}
		}
		e.want[l] = want
	}
	for i, l := range allLangs {
		e.lexOf[i], e.wantOf[i], e.byLangOf[i] = e.lex[l], e.want[l], e.byLang[l]
		for _, r := range e.rules {
			if r.langs[l] && slices.Contains(r.detect, detPerson) {
				e.personMainOf[i] = true
			}
		}
	}
	e.identity = hex.EncodeToString(h.Sum(nil))[:12]
	ms, err := newModelSetup(opts, packs)
	if err != nil {
		return nil, err
	}
	e.model = ms
	for id, o := range opts.Accounts {
		if o.ModelMode != "" && !validMode(o.ModelMode) {
			return nil, fmt.Errorf("%w: account %s: model mode %q (on, shadow or off)", ErrOptions, id, o.ModelMode)
		}
	}
	e.pool.New = func() any { return &scratch{} }
	return e, nil
}

// Identity names the compiled packs; it changes when any rule changes.
func (e *Engine) Identity() string { return e.identity }

// Packs returns the parsed packs the engine was compiled from.
func (e *Engine) Packs() []*Pack { return e.packs }

// cand is a candidate hit of a rule before its conditions are checked.
type nearCond struct {
	detect []uint8
	within int32
}

type cand struct {
	rule   int32
	ps, pe int32 // span in the normalised text
	ti, tj int32 // tokens it covers
	weak   bool
}

type hitRef struct {
	rule   int32
	ps, pe int32
}

// Classify implements moderation.Classifier.
func (e *Engine) Classify(text, lang string) moderation.Verdict {
	return e.classify(text, lang, nil)
}

// ForAccount returns a classifier that applies the account's overrides.
func (e *Engine) ForAccount(id string) moderation.Classifier {
	o, ok := e.accounts[id]
	if !ok {
		return e
	}
	return &accountClassifier{e: e, o: compileOverride(o)}
}

type override struct {
	modelMode string
	rules     map[string]bool
	cats      map[string]bool
	allow     map[string]bool
}

func compileOverride(o AccountOverride) *override {
	c := &override{modelMode: o.ModelMode, rules: map[string]bool{}, cats: map[string]bool{}, allow: map[string]bool{}}
	for _, r := range o.DisableRules {
		c.rules[r] = true
	}
	for _, r := range o.DisableCategories {
		c.cats[r] = true
	}
	for _, w := range o.Allow {
		c.allow[foldTerm(w)] = true
	}
	return c
}

type accountClassifier struct {
	e *Engine
	o *override
}

func (a *accountClassifier) Classify(text, lang string) moderation.Verdict {
	return a.e.classify(text, lang, a.o)
}

// MaxHits is the most hits a verdict lists; categories, question and
// register still count every hit.
const MaxHits = 1000

// maxPooledBytes is the largest comment whose buffers are reused.
const maxPooledBytes = 256 << 10

// prepare takes a scratch from the pool with the text normalised, split
// into words, and its language guessed (lang is the platform's hint).
func (e *Engine) prepare(text, lang string) (*scratch, int) {
	s := e.pool.Get().(*scratch)
	s.text = text
	normalize(text, &s.plain)
	tokenize(text, s)
	return s, guessLanguage(s, lang, e.stop)
}

// release gives a scratch back: the comment's text is dropped, and buffers
// grown by a huge comment are left to the garbage collector rather than
// kept in the pool.
func (e *Engine) release(s *scratch) {
	s.text = ""
	if cap(s.plain.b) <= maxPooledBytes {
		e.pool.Put(s)
	}
}

// maxTokensForLanguage bounds the language guess on long texts.
const maxTokensForLanguage = 80

func (e *Engine) classify(text, lang string, ov *override) moderation.Verdict {
	s, li := e.prepare(text, lang)
	defer e.release(s)
	lang = allLangs[li]
	lx := e.lexOf[li]

	s.marks = s.marks[:0]
	s.cands = s.cands[:0]
	s.spans = s.spans[:0]
	s.hits = s.hits[:0]
	lx.matchTokens(s)
	for _, m := range s.marks {
		if m.role == roleMain {
			s.cands = append(s.cands, cand{rule: m.rule, ps: s.toks[m.ti].ps, pe: s.toks[m.tj].pe, ti: m.ti, tj: m.tj})
		}
	}

	// Detectors needed by the rules of this language, each run once.
	want := e.wantOf[li]
	b := s.plain.b
	// Each detector needs a character that most comments lack; look for it
	// with a fast scan before running the detector.
	digits := s.digits
	if digits && (want[detPersonnummer] || want[detSamordning] || want[detCPR]) {
		s.spans = idNumbersIn(b, e.today, want, li == langIndexSV, s.spans)
		s.spans = obfuscatedIDs(b, e.today, want, li == langIndexSV, s.spans)
	}
	if want[detEmail] && bytes.IndexByte(b, '@') >= 0 {
		s.spans = emails(b, s.spans)
	}
	if want[detURL] && mayHaveURL(b) {
		s.spans = urls(b, s.spans)
	}
	if digits && want[detPhone] {
		s.spans = phones(b, s.spans)
	}
	if digits && want[detPrice] {
		s.spans = prices(b, s.spans)
	}
	if want[detQuestion] && bytes.IndexByte(b, '?') >= 0 {
		s.spans = questionMarks(b, s.spans)
	}
	// References to persons are looked for up front only when a rule of
	// the language detects them itself; for near conditions they are looked
	// for once a candidate needs them, which most comments never have.
	personDone := !want[detPerson]
	if !personDone && e.personMainOf[li] {
		s.spans = personRefs(s, e.stop, s.spans)
		personDone = true
	}
	s.placeSpans(0)
	sortMarks(s.marks)

	for _, ri := range e.byLangOf[li] {
		r := e.rules[ri]
		if len(r.regex) > 0 && !s.mayFire(ri, r, personDone) {
			continue // its patterns need not be looked for: nothing could come of them
		}
		for k, re := range r.regex {
			if !containsAny(b, r.needles[k]) {
				continue
			}
			for _, loc := range re.FindAllIndex(b, 64) {
				ti, tj := s.tokenRange(int32(loc[0]), int32(loc[1]))
				s.cands = append(s.cands, cand{rule: ri, ps: int32(loc[0]), pe: int32(loc[1]), ti: ti, tj: tj})
			}
		}
		for _, d := range r.detect {
			for _, sp := range s.spans {
				if sp.det != d || (d == detURL && !r.urlWanted(b[sp.hs:sp.he])) {
					continue
				}
				s.cands = append(s.cands, cand{rule: ri, ps: sp.ps, pe: sp.pe, ti: sp.ti, tj: sp.tj, weak: sp.weak})
			}
		}
	}

	if !personDone && slices.ContainsFunc(s.cands, func(c cand) bool { return e.rules[c.rule].nearPerson }) {
		n := len(s.spans)
		s.spans = personRefs(s, e.stop, s.spans)
		s.placeSpans(n)
	}

	s.excused = s.excused[:0]
	for _, c := range s.cands {
		ok, excused := e.accept(s, c)
		if ok {
			s.hits = append(s.hits, hitRef{c.rule, c.ps, c.pe})
		} else if excused != notExcused && e.rules[c.rule].catIdx >= 0 {
			r := e.rules[c.rule]
			s.excused = append(s.excused, excuse{cat: r.catIdx, kind: excused, within: r.ctxWithin, ps: c.ps, pe: c.pe})
		}
	}
	v := e.verdict(text, lang, s, ov)
	e.applyModel(s, &v, ov)
	e.applyYield(&v)
	return v
}

// applyYield drops the categories that give way to another category of the
// verdict (the packs' yield), with their hits.
func (e *Engine) applyYield(v *moderation.Verdict) {
	if len(v.Categories) < 2 {
		return
	}
	var have uint16
	for _, c := range v.Categories {
		have |= 1 << slices.Index(e.cats, c)
	}
	drop := func(c string) bool {
		i := slices.Index(e.cats, c)
		return i >= 0 && e.yield[i]&have != 0
	}
	if !slices.ContainsFunc(v.Categories, drop) {
		return
	}
	v.Categories = slices.DeleteFunc(v.Categories, drop)
	v.Hits = slices.DeleteFunc(v.Hits, func(h moderation.Hit) bool { return drop(h.Category) })
}

// sortedYield prints a yield map in a fixed order, for the identity.
func sortedYield(y map[string][]string) []string {
	var out []string
	for c, to := range y {
		out = append(out, c+">"+strings.Join(to, ","))
	}
	slices.Sort(out)
	return out
}

// compareMarks orders marks by rule, role and first word.
func compareMarks(a, b mark) int {
	switch {
	case a.rule != b.rule:
		return int(a.rule - b.rule)
	case a.role != b.role:
		return int(a.role) - int(b.role)
	}
	return int(a.ti - b.ti)
}

// sortMarks sorts marks by rule, role and first word; most comments have a
// handful, which an insertion sort orders without calls.
func sortMarks(ms []mark) {
	if len(ms) > 24 {
		slices.SortFunc(ms, compareMarks)
		return
	}
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0; j-- {
			a, b := &ms[j-1], &ms[j]
			if a.rule < b.rule || a.rule == b.rule && (a.role < b.role || a.role == b.role && a.ti <= b.ti) {
				break
			}
			*a, *b = *b, *a
		}
	}
}

// placeSpans finds the words that the spans from index from on touch and
// sorts all spans by detector and first word.
func (s *scratch) placeSpans(from int) {
	for k := from; k < len(s.spans); k++ {
		sp := &s.spans[k]
		sp.ti, sp.tj = s.tokenRange(sp.ps, sp.pe)
	}
	slices.SortFunc(s.spans, func(a, b span) int {
		if a.det != b.det {
			return int(a.det) - int(b.det)
		}
		return int(a.ti - b.ti)
	})
}

// urlWanted applies a rule's domain lists to a URL's host.
func (r *crule) urlWanted(host []byte) bool {
	if len(r.src.Domains) == 0 && len(r.src.DomainWords) == 0 {
		return true
	}
	h := string(host)
	for _, d := range r.src.Domains {
		if h == d || strings.HasSuffix(h, "."+strings.TrimPrefix(d, ".")) {
			return true
		}
	}
	for _, w := range r.src.DomainWords {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// tokenRange finds the tokens that a span of the normalised text touches;
// for a span between tokens both ends are the token before it.
func (s *scratch) tokenRange(ps, pe int32) (int32, int32) {
	n := len(s.toks)
	i := sort.Search(n, func(k int) bool { return s.toks[k].pe > ps })
	j := sort.Search(n, func(k int) bool { return s.toks[k].ps >= pe }) - 1
	if i >= n {
		i = n - 1
	}
	if j < i {
		j = i
		if i > 0 && s.toks[i].ps >= pe {
			i--
			j = i
		}
	}
	return int32(max(i, 0)), int32(max(j, 0))
}

func gap(ai, aj, bi, bj int32) int32 {
	switch {
	case bi > aj:
		return bi - aj
	case ai > bj:
		return ai - bj
	}
	return 0
}

// accept applies a rule's conditions to a candidate, in the documented
// order: allow-list, sentence start, lowering context, raising context,
// co-occurrence (a raise word close by overrules a lower word). excused
// reports a candidate dropped by the rule's allow
// phrases or lowering context: the pack says the words are innocent here
// ("ett stort fan av", "fakturanummer 121212-1212").
func (e *Engine) accept(s *scratch, c cand) (ok bool, excused excuseKind) {
	r := e.rules[c.rule]
	for k := s.firstMark(c.rule, roleAllow, c.ti-maxPhraseWords); k < len(s.marks); k++ {
		m := s.marks[k]
		if m.rule != c.rule || m.role != roleAllow || m.ti > c.ti {
			break
		}
		if m.tj >= c.tj {
			return false, byAllow
		}
	}
	if r.src.SentStart && (int(c.ti) >= len(s.toks) || !s.toks[c.ti].sentStart) {
		return false, notExcused
	}
	raised := false
	if r.ctxWithin > 0 {
		// A raise word beats a lower word: "personnummer 811218-9876,
		// ring mig" is an identity number, whatever "ring" says.
		w := int32(r.ctxWithin)
		raised = s.markWithin(c, roleRaise, w, false)
		if !raised && s.lowered(c, w, r.ctxBefore) {
			return false, byLower
		}
	}
	if c.weak && !raised {
		return false, notExcused
	}
	for k, n := range r.near {
		if !s.markWithin(c, roleNear+uint8(k)*8, n.within, true) && !s.spanWithin(c, n) {
			return false, notExcused
		}
	}
	return true, notExcused
}

// excuseKind says why a pack dropped a candidate, if it excused it.
type excuseKind uint8

const (
	notExcused excuseKind = iota
	byAllow               // an allow phrase holds the word: the word itself is excused
	byLower               // a lowering word is close: the passage around it is excused
)

// excuse is a candidate a pack excused, for the learned model.
type excuse struct {
	cat    int
	kind   excuseKind
	within int // the rule's context window in words (byLower)
	ps, pe int32
}

// maxPhraseWords bounds the length of a phrase in words; it lets the
// condition checks look at a window of marks instead of all of them.
const maxPhraseWords = 16

// firstMark finds the first mark of a rule and role that starts at token lo
// or later; marks are sorted by rule, role and first token.
func (s *scratch) firstMark(rule int32, role uint8, lo int32) int {
	return sort.Search(len(s.marks), func(k int) bool {
		m := s.marks[k]
		switch {
		case m.rule != rule:
			return m.rule > rule
		case m.role != role:
			return m.role > role
		}
		return m.ti >= lo
	})
}

// markWithin reports a mark of the candidate's rule with the given role
// within w words of it; notSelf skips a mark on exactly the candidate's
// own words (a near word that is also one of the rule's words).
func (s *scratch) markWithin(c cand, role uint8, w int32, notSelf bool) bool {
	for k := s.firstMark(c.rule, role, c.ti-w-maxPhraseWords); k < len(s.marks); k++ {
		m := s.marks[k]
		if m.rule != c.rule || m.role != role || m.ti > c.tj+w {
			break
		}
		if gap(c.ti, c.tj, m.ti, m.tj) <= w && (!notSelf || m.ti != c.ti || m.tj != c.tj) {
			return true
		}
	}
	return false
}

// mayFire reports whether a candidate of rule ri could be accepted or
// excused in this comment: every near condition has a word or a finding
// somewhere in it, or an allow or lower word is there to excuse a
// candidate. It is false for most comments and most rules whose patterns
// are regular expressions, which are then not run at all.
func (s *scratch) mayFire(ri int32, r *crule, personDone bool) bool {
	for k, n := range r.near {
		if s.hasMark(ri, roleNear+uint8(k)*8) {
			continue
		}
		found := false
		for _, d := range n.detect {
			if (d == detPerson && !personDone) || s.hasSpan(d) {
				found = true
				break
			}
		}
		if !found {
			return s.hasMark(ri, roleAllow) || s.hasMark(ri, roleLower)
		}
	}
	return true
}

// hasMark reports a mark of the rule and role anywhere in the comment.
func (s *scratch) hasMark(rule int32, role uint8) bool {
	k := s.firstMark(rule, role, math.MinInt32)
	return k < len(s.marks) && s.marks[k].rule == rule && s.marks[k].role == role
}

// hasSpan reports a finding of detector d anywhere in the comment; spans
// are sorted by detector.
func (s *scratch) hasSpan(d uint8) bool {
	k := sort.Search(len(s.spans), func(k int) bool { return s.spans[k].det >= d })
	return k < len(s.spans) && s.spans[k].det == d
}

// lowered reports a lower word of the candidate's rule within w words of
// it, only before it when before is set.
func (s *scratch) lowered(c cand, w int32, before bool) bool {
	if !before {
		return s.markWithin(c, roleLower, w, false)
	}
	for k := s.firstMark(c.rule, roleLower, c.ti-w-maxPhraseWords); k < len(s.marks); k++ {
		m := s.marks[k]
		if m.rule != c.rule || m.role != roleLower || m.ti >= c.ti {
			break
		}
		if m.tj <= c.ti && gap(c.ti, c.tj, m.ti, m.tj) <= w {
			return true
		}
	}
	return false
}

// spanWithin reports a detector finding of a near condition within its
// distance of the candidate; spans are sorted by detector and first token.
func (s *scratch) spanWithin(c cand, n nearCond) bool {
	for _, d := range n.detect {
		lo := c.ti - n.within - maxPhraseWords
		k := sort.Search(len(s.spans), func(k int) bool {
			sp := s.spans[k]
			if sp.det != d {
				return sp.det > d
			}
			return sp.ti >= lo
		})
		for ; k < len(s.spans); k++ {
			sp := s.spans[k]
			if sp.det != d || sp.ti > c.tj+n.within {
				break
			}
			if gap(c.ti, c.tj, sp.ti, sp.tj) <= n.within && (sp.ps >= c.pe || sp.pe <= c.ps) {
				return true
			}
		}
	}
	return false
}

// personRefs finds references to an identifiable person: a pack's
// person_words ("min granne", "läraren"), @mentions, a capitalised name right
// after such a word, and two capitalised words in a row (first and last name).
func personRefs(s *scratch, stop *stopwords, out []span) []span {
	isPersonWord := s.personAt[:0]
	for range s.toks {
		isPersonWord = append(isPersonWord, false)
	}
	s.personAt = isPersonWord
	for _, m := range s.marks {
		if m.role == rolePerson {
			isPersonWord[m.tj] = true
			out = append(out, span{det: detPerson, ps: s.toks[m.ti].ps, pe: s.toks[m.tj].pe})
		}
	}
	toks := s.toks
	nameLike := func(k int) bool {
		t := toks[k]
		return t.cap && !t.num && !t.mention && t.nb-t.na >= 2 && !isAllUpper(s.plain.b[t.ps:t.pe], t, s)
	}
	for k := range toks {
		t := toks[k]
		if t.mention {
			out = append(out, span{det: detPerson, ps: t.ps, pe: t.pe})
			continue
		}
		if !nameLike(k) {
			continue
		}
		if k > 0 && isPersonWord[k-1] && !t.sentStart {
			out = append(out, span{det: detPerson, ps: t.ps, pe: t.pe})
			continue
		}
		if t.sentStart && stop.of(s.norm[t.na:t.nb], t.key) != 0 {
			continue // "All Somalis", "Alla somalier": a capitalised function word
		}
		if k+1 < len(toks) && nameLike(k+1) && !toks[k+1].sentStart {
			out = append(out, span{det: detPerson, ps: t.ps, pe: toks[k+1].pe})
		}
	}
	return out
}

// isAllUpper reports a word written in capitals in the original (an
// acronym such as KD or SD, not a name).
func isAllUpper(_ []byte, t token, s *scratch) bool {
	return t.cap && s.upperSecond(t)
}

func (s *scratch) upperSecond(t token) bool {
	os, oe := s.plain.span(int(t.ps), int(t.pe))
	if s.text == "" || oe > len(s.text) {
		return false
	}
	seen := 0
	for _, r := range s.text[os:oe] {
		seen++
		if seen == 2 {
			return r >= 'A' && r <= 'Z' || (r >= 'À' && r <= 'Þ')
		}
	}
	return false
}

func (e *Engine) verdict(text, lang string, s *scratch, ov *override) moderation.Verdict {
	v := moderation.Verdict{Categories: []string{}, Hits: []moderation.Hit{}, Language: lang, Packs: e.identity}
	if len(s.hits) == 0 {
		return v
	}
	hits := s.hits
	slices.SortFunc(hits, func(a, b hitRef) int {
		if a.ps != b.ps {
			return int(a.ps - b.ps)
		}
		if a.pe != b.pe {
			return int(a.pe - b.pe)
		}
		return strings.Compare(e.rules[a.rule].src.ID, e.rules[b.rule].src.ID)
	})
	var cats [16]bool // by position in moderation.Categories()
	for k, h := range hits {
		if k > 0 && hits[k-1] == h {
			continue
		}
		r := e.rules[h.rule]
		start, end := s.plain.span(int(h.ps), int(h.pe))
		match := text[start:end]
		if ov != nil {
			if ov.rules[r.src.ID] || (r.src.Category != "" && ov.cats[r.src.Category]) || ov.allow[foldTerm(match)] {
				continue
			}
		}
		cat := r.src.Category
		switch r.src.Signal {
		case "question":
			v.Question = true
			cat = "question"
		case "register":
			v.Register = true
			cat = "register"
		default:
			if r.catIdx >= 0 {
				cats[r.catIdx] = true
			}
			if r.src.Register {
				v.Register = true
			}
		}
		if len(v.Hits) >= MaxHits {
			continue
		}
		if v.Hits == nil || cap(v.Hits) == 0 {
			v.Hits = make([]moderation.Hit, 0, min(len(hits), MaxHits))
		}
		v.Hits = append(v.Hits, moderation.Hit{
			RuleID: r.src.ID, Category: cat, Start: start, End: end, Match: match,
			Citation: r.cite, Severity: r.src.Severity, Suggest: r.src.Suggest,
			Explanation: r.src.Description,
		})
	}
	for k, c := range e.cats {
		if cats[k] {
			v.Categories = append(v.Categories, c)
		}
	}
	return v
}
