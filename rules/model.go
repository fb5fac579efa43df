package rules

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules/learn"
)

// The learned model built into uppsikt, trained by "make model" from the
// project's corpus (rules/corpus); see rules/train.
//
//go:embed model.bin
var embeddedModel []byte

// DefaultModel decodes the model built into uppsikt.
func DefaultModel() (*learn.Model, error) {
	m, err := learn.Decode(embeddedModel)
	if err != nil {
		return nil, fmt.Errorf("the embedded model: %w", err)
	}
	return m, nil
}

// ModelHeads are the outputs of uppsikt's model, in this order: every
// removal category but personal_id (identity numbers are found exactly by
// the detectors, never guessed), then the question and register signals.
func ModelHeads() []string {
	var heads []string
	for _, c := range moderation.Categories() {
		if c != moderation.CatPersonalID {
			heads = append(heads, c)
		}
	}
	return append(heads, "question", "register")
}

// ModelFeatures returns the feature buckets of a text for a model of 2^bits
// buckets, as training and measuring need them, in the language the engine
// guesses (lang is the hint), exactly as classifying computes them.
func (e *Engine) ModelFeatures(text, lang string, bits uint8) []uint32 {
	s, li := e.prepare(text, lang)
	defer e.release(s)
	f := &s.feat
	f.bits, f.want = bits, nil
	s.features(f, allLangs[li])
	return slices.Clone(f.buckets)
}

// modelSetup is the engine's model and how it is used.
type modelSetup struct {
	m          *learn.Model
	mode       string
	thresholds []float64 // per head
	cats       []int     // per head: index in moderation.Categories(), or -1
	cite       map[string]moderation.Citation
}

func newModelSetup(opts Options, packs []*Pack) (*modelSetup, error) {
	if opts.Model == nil {
		return nil, nil
	}
	mode := opts.ModelMode
	if mode == "" {
		mode = moderation.ModelOn
	}
	if !validMode(mode) {
		return nil, fmt.Errorf("%w: model mode %q (on, shadow or off)", ErrOptions, mode)
	}
	m := opts.Model
	ms := &modelSetup{m: m, mode: mode, thresholds: slices.Clone(m.Thresholds), cite: map[string]moderation.Citation{}}
	for name, t := range opts.ModelThresholds {
		h := m.Head(name)
		if h < 0 {
			return nil, fmt.Errorf("%w: model threshold for %q: the model has no such head (%s)", ErrOptions, name, strings.Join(m.Heads, ", "))
		}
		if !(t > 0 && t < 1) {
			return nil, fmt.Errorf("%w: model threshold for %q: %v is not between 0 and 1", ErrOptions, name, t)
		}
		ms.thresholds[h] = t
	}
	for _, h := range m.Heads {
		ms.cats = append(ms.cats, slices.Index(moderation.Categories(), h))
	}
	// A model hit cites the guideline passage of the first rule of its
	// category in the packs of the comment's language.
	for _, p := range packs {
		for _, r := range p.Rules {
			if r.Category == "" {
				continue
			}
			langs := r.Languages
			if len(langs) == 0 {
				langs = p.Languages
			}
			for _, l := range langs {
				k := l + "/" + r.Category
				if _, ok := ms.cite[k]; !ok {
					ms.cite[k] = moderation.Citation{Document: r.Citation.Document, Section: r.Citation.Section}
				}
			}
		}
	}
	return ms, nil
}

func validMode(m string) bool {
	return m == moderation.ModelOn || m == moderation.ModelShadow || m == moderation.ModelOff
}

// modelExplainFeatures is how many features a model hit lists.
const modelExplainFeatures = 6

// applyModel scores the comment in s with the model and, in mode on, adds
// the categories whose score is over the threshold to the verdict, each with
// a hit that says why.
func (e *Engine) applyModel(s *scratch, v *moderation.Verdict, ov *override) {
	ms := e.model
	if ms == nil {
		return
	}
	mode := ms.mode
	if ov != nil && ov.modelMode != "" {
		mode = ov.modelMode
	}
	if mode == moderation.ModelOff {
		return
	}
	m := ms.m
	f := &s.feat
	f.bits, f.want = m.Bits, nil
	s.features(f, v.Language)
	if cap(s.scores) < len(m.Heads) {
		s.scores = make([]float64, len(m.Heads))
	}
	scores := s.scores[:len(m.Heads)]
	m.Scores(f.buckets, scores)
	op := &moderation.ModelOpinion{Model: m.ID(), Mode: mode, Scores: make([]moderation.ModelScore, len(m.Heads))}
	over := false
	for h, name := range m.Heads {
		t := ms.thresholds[h]
		op.Scores[h] = moderation.ModelScore{Head: name, Score: round3(scores[h]), Threshold: t, Over: scores[h] >= t}
		over = over || scores[h] >= t
	}
	v.Model = op
	if !over {
		return
	}
	// The strongest features of every head over its threshold, then where
	// they came from (one more pass over the comment that records only
	// those).
	var overHeads []int
	for h := range op.Scores {
		if op.Scores[h].Over {
			overHeads = append(overHeads, h)
		}
	}
	tops := make([][]learn.Contribution, len(op.Scores))
	var want []int
	for i, top := range m.Top(f.buckets, overHeads, 2*modelExplainFeatures) {
		tops[overHeads[i]] = top
		for _, c := range top {
			want = append(want, c.First)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	order := slices.Clone(want)
	f.want = want
	s.features(f, v.Language)
	f.want = nil
	refOf := func(i int) featRef { return f.refs[sort.SearchInts(order, i)] }
	added := false
	for h := range op.Scores {
		sc := &op.Scores[h]
		if !sc.Over {
			continue
		}
		strongest := [2]int{-1, -1}
		for _, c := range tops[h] {
			name, os, oe := s.name(refOf(c.First))
			// Features that read alike (an n-gram and the whole word)
			// are shown once, with their weights summed.
			if k := slices.IndexFunc(sc.Features, func(f moderation.ModelFeature) bool { return f.Text == name }); k >= 0 {
				sc.Features[k].Weight += c.Weight
			} else if len(sc.Features) < modelExplainFeatures {
				sc.Features = append(sc.Features, moderation.ModelFeature{Text: name, Weight: c.Weight})
			}
			if strongest[0] < 0 && os >= 0 && oe > os {
				strongest = [2]int{os, oe}
			}
		}
		for k := range sc.Features {
			sc.Features[k].Weight = round3(sc.Features[k].Weight)
		}
		if mode != moderation.ModelOn {
			continue
		}
		switch sc.Head {
		case "question":
			// Advisory only: the rules find questions better than the
			// model does (make eval), and together they do worse than
			// the rules alone.
			continue
		case "register":
			v.Register = true
			continue
		}
		ci := ms.cats[h]
		if ci < 0 || (ov != nil && ov.cats[sc.Head]) || slices.Contains(v.Categories, sc.Head) {
			continue
		}
		// The packs have the last word on words they excuse: when a rule
		// of the category dropped a candidate for its allow phrases or
		// lowering context ("ett stort fan av") and the model's strongest
		// sign is that very word, the model's guess does not count. A
		// score driven by other words stands.
		if s.excuses(ci, strongest) {
			sc.Excused = true
			continue
		}
		hit := moderation.Hit{
			RuleID: "model." + sc.Head, Category: sc.Head,
			Citation: ms.cite[v.Language+"/"+sc.Head], Severity: 1, Suggest: moderation.SuggestReview,
			Explanation: explainScore(sc),
		}
		// The hit points at the strongest feature that has a place in the
		// text.
		if strongest[0] >= 0 {
			hit.Start, hit.End, hit.Match = strongest[0], strongest[1], s.text[strongest[0]:strongest[1]]
		}
		v.Categories = append(v.Categories, sc.Head)
		v.Hits = append(v.Hits, hit)
		added = true
	}
	if added {
		order := moderation.Categories()
		slices.SortFunc(v.Categories, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
		slices.SortStableFunc(v.Hits, func(a, b moderation.Hit) int { return a.Start - b.Start })
	}
}

// excuses reports whether a pack excused a candidate of category ci where
// the model's strongest sign is (original text offsets; -1 when it has no
// place in the text, and then any excused candidate of the category will
// do): for an allow phrase the sign must be the excused word itself, for a
// lowering word it must lie in the passage the lowering word excuses (the
// rule's context window around the candidate).
func (s *scratch) excuses(ci int, strongest [2]int) bool {
	for _, x := range s.excused {
		if x.cat != ci {
			continue
		}
		if strongest[0] < 0 {
			return true
		}
		start, end := s.plain.span(int(x.ps), int(x.pe))
		if start < strongest[1] && strongest[0] < end {
			return true
		}
		if x.kind == byLower {
			gap := ""
			switch {
			case strongest[0] >= end:
				gap = s.text[end:strongest[0]]
			case start >= strongest[1]:
				gap = s.text[strongest[1]:start]
			}
			if len(strings.Fields(gap)) <= x.within {
				return true
			}
		}
	}
	return false
}

// explainScore is a model hit's explanation, for the moderator.
func explainScore(sc *moderation.ModelScore) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Learned model: score %.2f, over the threshold %.2f", sc.Score, sc.Threshold)
	if len(sc.Features) > 0 {
		b.WriteString("; strongest signs: ")
		for i, f := range sc.Features {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q %+.2f", f.Text, f.Weight)
		}
	}
	return b.String()
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
