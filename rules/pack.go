package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/uppsikt/uppsikt/moderation"
)

// Pack is one parsed rule-pack file.
type Pack struct {
	Name        string   `yaml:"pack"`
	Description string   `yaml:"description"`
	Languages   []string `yaml:"languages"`
	Document    string   `yaml:"document"`
	Allow       []string `yaml:"allow"`
	PersonWords []string `yaml:"person_words"`
	// Yield maps a category to the categories it gives way to: a comment
	// that falls under one of them is not also reported under the
	// yielding one (an IPTV offer is copyright, not also advertising).
	Yield map[string][]string `yaml:"yield"`
	Rules []Rule              `yaml:"rules"`

	File string `yaml:"-"` // where it was read from
}

// Rule is one rule of a pack, as written in YAML.
type Rule struct {
	ID          string `yaml:"id"`
	Category    string `yaml:"category"`
	Signal      string `yaml:"signal"`
	Description string `yaml:"description"`
	// Explain is the rule's explanation in the languages documents are
	// written in (sv, da, en), shown in evidence PDFs; see Engine.Explain.
	Explain     map[string]string `yaml:"explain"`
	Citation    Citation          `yaml:"citation"`
	Languages   []string          `yaml:"languages"`
	Severity    int               `yaml:"severity"`
	Suggest     string            `yaml:"suggest"`
	Register    bool              `yaml:"register"`
	Words       []string          `yaml:"words"`
	Regex       []string          `yaml:"regex"`
	Detect      []string          `yaml:"detect"`
	Domains     []string          `yaml:"domains"`
	DomainWords []string          `yaml:"domain_words"`
	SentStart   bool              `yaml:"sentence_start"`
	Near        []Near            `yaml:"near"`
	Context     *Context          `yaml:"context"`
	Allow       []string          `yaml:"allow"`
	Examples    Examples          `yaml:"examples"`
	Line        int               `yaml:"-"`
	regexLines  []int             `yaml:"-"`
}

// Citation points at the guideline passage a rule enforces.
type Citation struct {
	Document string `yaml:"document"`
	Section  string `yaml:"section"`
}

// Near is a co-occurrence condition: a hit of the rule counts only when one
// of these words or detector findings is within Within words of it. A rule
// may list several; all of them must hold.
type Near struct {
	Words  []string `yaml:"words"`
	Detect []string `yaml:"detect"`
	Within int      `yaml:"within"`
}

// Context lists words that lower (drop) or raise (confirm) a hit when they
// are within Within words before or after it. Raise words are needed by
// detector findings that are weak on their own, such as a CPR number written
// without its hyphen. With Before, lower words count only before the hit:
// they label what follows them ("fakturanummer 121212-1212", "ring
// 070-…"), and the same word after it ("121212-1212, ring mig") says
// nothing about the number.
type Context struct {
	Lower  []string `yaml:"lower"`
	Raise  []string `yaml:"raise"`
	Within int      `yaml:"within"`
	Before bool     `yaml:"before"`
}

// Examples are texts the rule must and must not match; "uppsikt rules test"
// runs them.
type Examples struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
	Lang    string   `yaml:"lang"`
}

var knownDetectors = map[string]bool{
	"personnummer": true, "samordningsnummer": true, "cpr": true, "email": true,
	"phone": true, "url": true, "person_reference": true, "question_mark": true, "price": true,
}

var knownLanguages = map[string]bool{"sv": true, "da": true, "no": true, "en": true}

// documentLanguages are the languages documents are written in, and so the
// languages of a rule's explain.
var documentLanguages = map[string]bool{"sv": true, "da": true, "en": true}

// ErrPack is wrapped by every problem found in a rule pack.
var ErrPack = errors.New("rule pack")

// ParsePack parses and checks one pack file. file is used in error messages,
// which name the line of the problem.
func ParsePack(file string, data []byte) (*Pack, error) {
	var p Pack
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPack, file, err)
	}
	p.File = file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPack, file, err)
	}
	locateLines(&root, &p)
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// locateLines records the line of each rule and each regular expression.
func locateLines(root *yaml.Node, p *Pack) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	rules := mapValue(doc, "rules")
	if rules == nil || rules.Kind != yaml.SequenceNode {
		return
	}
	for i, rn := range rules.Content {
		if i >= len(p.Rules) {
			break
		}
		p.Rules[i].Line = rn.Line
		if re := mapValue(rn, "regex"); re != nil {
			for _, item := range re.Content {
				p.Rules[i].regexLines = append(p.Rules[i].regexLines, item.Line)
			}
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (p *Pack) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%w: %s:%d: %s", ErrPack, p.File, line, fmt.Sprintf(format, args...))
}

func (p *Pack) check() error {
	if p.Name == "" {
		return p.errorf(1, "pack has no name (pack:)")
	}
	for _, l := range p.Languages {
		if !knownLanguages[l] {
			return p.errorf(1, "unknown language %q (sv, da, no, en)", l)
		}
	}
	cats := moderation.Categories()
	for c, to := range p.Yield {
		if !slices.Contains(cats, c) {
			return p.errorf(1, "yield: unknown category %q", c)
		}
		for _, t := range to {
			if !slices.Contains(cats, t) || t == c {
				return p.errorf(1, "yield: %s cannot give way to %q", c, t)
			}
		}
	}
	ids := map[string]bool{}
	for i := range p.Rules {
		r := &p.Rules[i]
		line := r.Line
		if r.ID == "" {
			return p.errorf(line, "rule has no id")
		}
		if ids[r.ID] {
			return p.errorf(line, "rule %s: duplicate id", r.ID)
		}
		ids[r.ID] = true
		switch {
		case r.Category != "" && r.Signal != "":
			return p.errorf(line, "rule %s: has both category and signal", r.ID)
		case r.Category != "" && !slices.Contains(cats, r.Category):
			return p.errorf(line, "rule %s: unknown category %q (one of %s)", r.ID, r.Category, strings.Join(cats, ", "))
		case r.Signal != "" && r.Signal != "question" && r.Signal != "register":
			return p.errorf(line, "rule %s: unknown signal %q (question, register)", r.ID, r.Signal)
		case r.Category == "" && r.Signal == "":
			return p.errorf(line, "rule %s: needs a category or a signal", r.ID)
		}
		if r.Citation.Document == "" {
			r.Citation.Document = p.Document
		}
		if r.Category != "" {
			if r.Citation.Section == "" {
				return p.errorf(line, "rule %s: citation.section is required", r.ID)
			}
		}
		for l, text := range r.Explain {
			if !documentLanguages[l] {
				return p.errorf(line, "rule %s: explain: unknown language %q (sv, da, en)", r.ID, l)
			}
			if strings.TrimSpace(text) == "" {
				return p.errorf(line, "rule %s: explain.%s is empty", r.ID, l)
			}
		}
		if r.Severity == 0 {
			r.Severity = 2
		}
		if r.Severity < 1 || r.Severity > 3 {
			return p.errorf(line, "rule %s: severity %d is not 1, 2 or 3", r.ID, r.Severity)
		}
		switch r.Suggest {
		case "":
			r.Suggest = moderation.SuggestReview
		case moderation.SuggestReview, moderation.SuggestHideThenReview:
		default:
			return p.errorf(line, "rule %s: suggest %q is not review or hide_then_review", r.ID, r.Suggest)
		}
		if len(r.Languages) == 0 {
			r.Languages = p.Languages
		}
		for _, l := range r.Languages {
			if !knownLanguages[l] {
				return p.errorf(line, "rule %s: unknown language %q", r.ID, l)
			}
		}
		if len(r.Words) == 0 && len(r.Regex) == 0 && len(r.Detect) == 0 {
			return p.errorf(line, "rule %s: needs words, regex or detect", r.ID)
		}
		for _, list := range [][]string{r.Words, r.Allow, nearWords(r.Near), contextWords(r.Context)} {
			for _, w := range list {
				if strings.Trim(w, "*= ") == "" {
					return p.errorf(line, "rule %s: empty word", r.ID)
				}
				if n := len(strings.Fields(w)); n > maxPhraseWords {
					return p.errorf(line, "rule %s: phrase %q has %d words; at most %d", r.ID, w, n, maxPhraseWords)
				}
			}
		}
		for j, re := range r.Regex {
			if _, err := regexp.Compile(re); err != nil {
				l := line
				if j < len(r.regexLines) {
					l = r.regexLines[j]
				}
				return p.errorf(l, "rule %s: regex does not compile: %v", r.ID, err)
			}
		}
		dets := slices.Clone(r.Detect)
		for k := range r.Near {
			n := &r.Near[k]
			dets = append(dets, n.Detect...)
			if n.Within <= 0 {
				n.Within = 8
			}
			if len(n.Words) == 0 && len(n.Detect) == 0 {
				return p.errorf(line, "rule %s: near needs words or detect", r.ID)
			}
		}
		for _, d := range dets {
			if !knownDetectors[d] {
				names := make([]string, 0, len(knownDetectors))
				for k := range knownDetectors {
					names = append(names, k)
				}
				sort.Strings(names)
				return p.errorf(line, "rule %s: unknown detector %q (%s)", r.ID, d, strings.Join(names, ", "))
			}
		}
		if r.Context != nil && r.Context.Within <= 0 {
			r.Context.Within = 4
		}
	}
	return nil
}

// ReadPacks parses every *.yaml and *.yml file at the top of fsys, in name
// order.
func ReadPacks(fsys fs.FS) ([]*Pack, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading rule packs: %w", err)
	}
	var packs []*Pack
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (path.Ext(name) != ".yaml" && path.Ext(name) != ".yml") {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading rule pack %s: %w", name, err)
		}
		p, err := ParsePack(name, data)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	return packs, nil
}

func nearWords(ns []Near) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Words...)
	}
	return out
}

func contextWords(c *Context) []string {
	if c == nil {
		return nil
	}
	return append(slices.Clone(c.Lower), c.Raise...)
}
