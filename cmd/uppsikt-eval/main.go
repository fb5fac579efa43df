// Command uppsikt-eval measures uppsikt's classifier: the rule packs alone,
// the learned model alone and the two together, per category.
//
//	uppsikt-eval -bin bin/uppsikt -own rules/corpus -corpus ../shared/corpus
//
// It measures on two kinds of data, never on what a model was trained on:
//
//   - uppsikt's own corpus (rules/corpus) by k-fold cross-validation: the
//     model that scores a comment was trained on the other folds, and its
//     thresholds are those "make model" chooses;
//   - the labelled comments in ../shared/corpus, through "uppsikt classify"
//     (the measuring contract: JSON Lines in, one verdict per comment out):
//     dev.jsonl (every category and both signals), DKhate and RTP-LX
//     (offensive: harassment, hate or profanity), the YouTube spam
//     collection (advertising), OpenAI's moderation samples (hate,
//     harassment, violence_porn) and Davidson et al.'s tweets (hate and
//     offensive). A set the built-in model was trained on is marked so.
//
// A missing ../shared/corpus is reported and skipped.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
	"github.com/uppsikt/uppsikt/rules/corpus"
	"github.com/uppsikt/uppsikt/rules/train"
)

func main() {
	bin := flag.String("bin", "bin/uppsikt", "the uppsikt binary")
	own := flag.String("own", "rules/corpus", "uppsikt's own corpus (cross-validated)")
	shared := flag.String("corpus", "../shared/corpus", "the shared corpus folder")
	today := flag.String("today", "", "reference date passed to classify (default: today)")
	misses := flag.Int("misses", 20, "misses to list per data set (0 for none)")
	skipCV := flag.Bool("no-cv", false, "skip the cross-validation of the own corpus")
	rulesOnly := flag.Bool("rules-only", false, "measure only the rule packs on the own corpus: folds 1-4 (where rules are developed) and fold 0 (held out), then stop")
	holdout := flag.String("holdout", "", "a file of the own corpus (r3rs-sample.jsonl: the realistic sample) to hold out: train a model on the rest, measure rules, model and both on it, then stop")
	flag.Parse()
	if *holdout != "" {
		if err := measureHoldout(*own, *holdout, *misses); err != nil {
			fmt.Fprintln(os.Stderr, "uppsikt-eval:", err)
			os.Exit(1)
		}
		return
	}
	if *rulesOnly {
		if err := measureRules(*own, *misses); err != nil {
			fmt.Fprintln(os.Stderr, "uppsikt-eval:", err)
			os.Exit(1)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	failed := false
	model, err := rules.DefaultModel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "uppsikt-eval:", err)
		os.Exit(1)
	}
	trainedOn := map[string]bool{}
	for _, in := range model.Info.Inputs {
		trainedOn[in.Name] = true
	}
	fmt.Printf("built-in model %s: %d examples, %d non-zero weights, trained by %s\n\n", model.ID(), model.Info.Examples, model.Info.NonZero, model.Info.Trainer)

	if !*skipCV {
		if err := crossValidate(*own, *misses); err != nil {
			fmt.Fprintln(os.Stderr, "uppsikt-eval: cross-validation:", err)
			failed = true
		}
	}

	if _, err := os.Stat(*shared); err != nil {
		fmt.Fprintf(os.Stderr, "uppsikt-eval: corpus %s not found (it lives in ../shared/corpus beside the project); nothing more to measure\n", *shared)
		if failed {
			os.Exit(1)
		}
		return
	}
	sh := os.DirFS(*shared)
	ext, _ := fs.Sub(sh, "external")
	type set struct {
		name   string
		labels []string
		read   func() ([]corpus.Item, []corpus.Source, error)
	}
	one := func(items []corpus.Item, s corpus.Source, err error) ([]corpus.Item, []corpus.Source, error) {
		return items, []corpus.Source{s}, err
	}
	sets := []set{
		{"dev.jsonl", append(labelsAll(), "question", "register", "any_flag"), func() ([]corpus.Item, []corpus.Source, error) {
			return one(corpus.ReadDev(sh, "dev.jsonl"))
		}},
		{"DKhate (OFF = harassment|hate|profanity)", []string{corpus.Offensive}, func() ([]corpus.Item, []corpus.Source, error) {
			return one(corpus.ReadDKHate(ext, "dkhate-train.tsv"))
		}},
		{"YouTube spam (spam = advertising)", []string{"advertising"}, func() ([]corpus.Item, []corpus.Source, error) {
			return corpus.ReadYouTube(ext, "youtube-spam")
		}},
		{"OpenAI moderation (H = hate, HR = harassment, S/S3/V2 = violence_porn)", []string{"hate", "harassment", "violence_porn"}, func() ([]corpus.Item, []corpus.Source, error) {
			return one(corpus.ReadOpenAIModeration(ext, "openai-moderation/samples-1680.jsonl"))
		}},
		{"Davidson (hate speech = hate; offensive = harassment|hate|profanity)", []string{"hate", corpus.Offensive}, func() ([]corpus.Item, []corpus.Source, error) {
			return one(corpus.ReadDavidson(ext, "davidson/labeled_data.csv"))
		}},
	}
	for _, l := range []string{"sv", "da", "nb"} {
		sets = append(sets, set{"RTP-LX " + l + " (toxicity ≥ 3 = harassment|hate|profanity; ≤ 1.5 = clean)", []string{corpus.Offensive}, func() ([]corpus.Item, []corpus.Source, error) {
			lang := l
			if l == "nb" {
				lang = "da" // Norwegian is classified with the Danish pack
			}
			return one(corpus.ReadRTPLX(ext, "rtp-lx/"+l+".jsonl", lang))
		}})
	}
	for _, s := range sets {
		items, srcs, err := s.read()
		if err != nil {
			fmt.Printf("== %s: skipped: %v\n\n", s.name, err)
			continue
		}
		got, err := classify(ctx, *bin, *today, items)
		if err != nil {
			fmt.Fprintf(os.Stderr, "uppsikt-eval: %s: %v\n", s.name, err)
			failed = true
			continue
		}
		name := s.name
		for _, src := range srcs {
			if trainedOn[src.Name] {
				name += " — the built-in model was trained on it: in-sample for the model"
				break
			}
		}
		report(name, items, s.labels, func(i int) views { return got[i] }, *misses)
	}
	if failed {
		os.Exit(1)
	}
}

// labelsAll are the categories measured: every removal category.
func labelsAll() []string { return moderation.Categories() }

// views are the three answers to one comment: the rules' categories, the
// model's (heads over their thresholds) and the verdict's, with the
// signals.
type views struct {
	rules, model, both []string
	hits               string
}

// measureRules measures the rule packs alone on the own corpus, split into
// the folds where rules are developed (1 to 4) and the fold kept out of
// sight (0), so that a rule written for the corpus shows whether it holds on
// comments its writer did not look at.
func measureRules(dir string, misses int) error {
	items, _, err := corpus.ReadOwn(os.DirFS(dir))
	if err != nil {
		return err
	}
	eng, err := rules.LoadDefault(rules.Options{Today: time.Now()})
	if err != nil {
		return err
	}
	var dev, held []corpus.Item
	for _, it := range items {
		if corpus.Fold(it.ID, 5) == 0 {
			held = append(held, it)
		} else {
			dev = append(dev, it)
		}
	}
	for _, part := range []struct {
		name  string
		items []corpus.Item
	}{{"own corpus, folds 1-4 (develop rules here)", dev}, {"own corpus, fold 0 (held out)", held}} {
		got := make([]views, len(part.items))
		for i, it := range part.items {
			v := eng.Classify(it.Text, it.Lang)
			r := slices.Clone(v.Categories)
			if v.Question {
				r = append(r, "question")
			}
			if v.Register {
				r = append(r, "register")
			}
			got[i] = views{rules: r, both: r, hits: hitsOf(v.Hits)}
		}
		report(part.name, part.items, append(labelsAll(), "question", "register", "any_flag"), func(i int) views { return got[i] }, misses)
	}
	return nil
}

// viewOf splits a verdict into the rules' answer, the model's and the
// combination.
func viewOf(v moderation.Verdict) views {
	var vw views
	var hits []string
	for _, h := range v.Hits {
		if strings.HasPrefix(h.RuleID, "model.") {
			continue
		}
		hits = append(hits, h.RuleID+"("+h.Match+")")
		if !slices.Contains(vw.rules, h.Category) {
			vw.rules = append(vw.rules, h.Category)
		}
	}
	vw.model = v.Model.Over()
	vw.both = slices.Clone(v.Categories)
	if v.Question {
		vw.both = append(vw.both, "question")
	}
	if v.Register {
		vw.both = append(vw.both, "register")
	}
	vw.hits = strings.Join(hits, " ")
	return vw
}

// crossValidate measures the own corpus by k-fold cross-validation.
func crossValidate(dir string, misses int) error {
	cfg := train.Defaults()
	cfg.Own = os.DirFS(dir)
	cfg.External = nil
	res, err := train.Run(cfg)
	if err != nil {
		return err
	}
	// Each comment is classified by an engine with the model of its fold:
	// the rules, the model and their combination exactly as the service
	// decides.
	engines := make([]*rules.Engine, len(res.Folds))
	for k, fm := range res.Folds {
		if engines[k], err = rules.LoadDefault(rules.Options{Today: time.Now(), Model: fm}); err != nil {
			return err
		}
	}
	got := make([]views, len(res.Items))
	for i, it := range res.Items {
		got[i] = viewOf(engines[corpus.Fold(it.ID, len(res.Folds))].Classify(it.Text, it.Lang))
	}
	heads := res.Model.Heads
	var th []string
	for h, head := range heads {
		th = append(th, fmt.Sprintf("%s %.2f", head, res.Model.Thresholds[h]))
	}
	fmt.Printf("thresholds: %s\n", strings.Join(th, ", "))
	report(fmt.Sprintf("own corpus, %d-fold cross-validation (each comment scored by a model that never saw it; %.0f s)", cfg.Folds, res.Elapsed.Seconds()),
		res.Items, append(labelsAll(), "question", "register", "any_flag"), func(i int) views { return got[i] }, misses)
	byKind(res.Items, got)
	return nil
}

// measureHoldout trains a model as make model does on the own corpus
// without one file and measures rules, model and both on that file: the
// nearest this repository has to comments the classifier has never seen.
func measureHoldout(dir, name string, misses int) error {
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		return err
	}
	cfg := train.Defaults()
	cfg.Own = subset{os.DirFS(dir), func(n string) bool { return n != name }}
	cfg.External = nil
	res, err := train.Run(cfg)
	if err != nil {
		return err
	}
	items, _, err := corpus.ReadOwn(subset{os.DirFS(dir), func(n string) bool { return n == name }})
	if err != nil {
		return err
	}
	eng, err := rules.LoadDefault(rules.Options{Today: time.Now(), Model: res.Model})
	if err != nil {
		return err
	}
	got := make([]views, len(items))
	for i, it := range items {
		got[i] = viewOf(eng.Classify(it.Text, it.Lang))
	}
	report(fmt.Sprintf("%s held out (a model trained on the other %d comments, %.0f s)", name, len(res.Items), res.Elapsed.Seconds()),
		items, append(labelsAll(), "question", "register", "any_flag"), func(i int) views { return got[i] }, misses)
	byKind(items, got)
	return nil
}

// subset is a folder with only the files keep accepts at its top level.
type subset struct {
	fs.FS
	keep func(name string) bool
}

func (s subset) Open(name string) (fs.File, error) {
	if name != "." && !strings.Contains(name, "/") && !s.keep(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.Open(name)
}

func (s subset) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(s.FS, name)
	if name != "." {
		return es, err
	}
	return slices.DeleteFunc(es, func(e fs.DirEntry) bool { return !s.keep(e.Name()) }), err
}

// byKind counts the combined classifier's errors by the kind of comment.
func byKind(items []corpus.Item, got []views) {
	type count struct{ n, fn, fp int }
	kinds := map[string]*count{}
	for i, it := range items {
		k := it.Kind
		if k == "" {
			k = "(none)"
		}
		c := kinds[k]
		if c == nil {
			c = &count{}
			kinds[k] = c
		}
		c.n++
		for _, l := range labelsAll() {
			want, have := it.Has(l), slices.Contains(got[i].both, l)
			if want && !have {
				c.fn++
			}
			if have && !want {
				c.fp++
			}
		}
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := kinds[names[i]], kinds[names[j]]
		ea, eb := float64(a.fn+a.fp)/float64(a.n), float64(b.fn+b.fp)/float64(b.n)
		if ea != eb {
			return ea > eb
		}
		return names[i] < names[j]
	})
	fmt.Println("errors of rules + model by kind of comment (worst 25 with at least 5 comments: comments, missed labels, wrong labels):")
	shown := 0
	for _, k := range names {
		c := kinds[k]
		if c.n < 5 || c.fn+c.fp == 0 {
			continue
		}
		fmt.Printf("  %-40s %4d %4d %4d\n", k, c.n, c.fn, c.fp)
		if shown++; shown == 25 {
			break
		}
	}
	fmt.Println()
}

// classify runs "uppsikt classify" once over all items.
func classify(ctx context.Context, bin, today string, items []corpus.Item) ([]views, error) {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for i, it := range items {
		if err := enc.Encode(map[string]any{"id": i, "text": it.Text, "lang": it.Lang}); err != nil {
			return nil, err
		}
	}
	args := []string{"classify"}
	if today != "" {
		args = append(args, "-today", today)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s classify: %w: %s", bin, err, stderr.String())
	}
	got := make([]views, len(items))
	seen := 0
	dec := json.NewDecoder(&out)
	for {
		var v struct {
			ID int `json:"id"`
			moderation.Verdict
		}
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading classify output: %w", err)
		}
		if v.ID < 0 || v.ID >= len(items) {
			return nil, fmt.Errorf("classify answered an id %d that was not asked", v.ID)
		}
		seen++
		got[v.ID] = viewOf(v.Verdict)
	}
	if seen != len(items) {
		return nil, fmt.Errorf("classify answered %d of %d comments: %s", seen, len(items), stderr.String())
	}
	return got, nil
}

// has reports whether a view's labels include label (with the pseudo
// labels any_flag and offensive).
func has(labels []string, label string) bool {
	switch label {
	case "any_flag":
		return slices.ContainsFunc(labels, func(l string) bool { return slices.Contains(labelsAll(), l) })
	case corpus.Offensive:
		return slices.ContainsFunc(labels, func(l string) bool { return slices.Contains(corpus.OffensiveHeads, l) })
	}
	return slices.Contains(labels, label)
}

func wants(it corpus.Item, label string) bool {
	switch label {
	case "any_flag":
		return slices.ContainsFunc(it.Labels, func(l string) bool { return slices.Contains(labelsAll(), l) })
	case corpus.Offensive:
		return slices.ContainsFunc(it.Labels, func(l string) bool { return l == corpus.Offensive || slices.Contains(corpus.OffensiveHeads, l) })
	}
	return it.Has(label)
}

// knows reports whether an item's labels speak for label.
func knows(it corpus.Item, label string) bool {
	switch label {
	case "any_flag":
		return len(it.Heads) == 0
	case corpus.Offensive:
		return len(it.Heads) == 0 || it.Knows(corpus.Offensive) || it.Knows("harassment")
	}
	return it.Knows(label)
}

type prf struct{ tp, fp, fn, n int }

func (c prf) scores() (p, r, f float64) {
	p, r = ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

func report(name string, items []corpus.Item, labels []string, get func(i int) views, maxMisses int) {
	fmt.Printf("== %s: %d comments\n", name, len(items))
	fmt.Printf("%-17s %5s | %-19s | %-19s | %-19s\n", "", "", "rules alone", "model alone", "rules + model")
	fmt.Printf("%-17s %5s | %5s %5s %5s   | %5s %5s %5s   | %5s %5s %5s\n", "category", "n", "P", "R", "F1", "P", "R", "F1", "P", "R", "F1")
	var missLines []string
	var macro [3]float64
	ncat := 0
	for _, l := range labels {
		var c [3]prf
		for i, it := range items {
			if !knows(it, l) {
				continue
			}
			v := get(i)
			want := wants(it, l)
			for k, have := range []bool{has(v.rules, l), has(v.model, l), has(v.both, l)} {
				if want {
					c[k].n++
				}
				switch {
				case want && have:
					c[k].tp++
				case have && !want:
					c[k].fp++
					if k == 2 {
						missLines = append(missLines, fmt.Sprintf("  FP %-16s %s %q %s", l, it.ID, clip(it.Text), v.hits))
					}
				case want && !have:
					c[k].fn++
					if k == 2 {
						missLines = append(missLines, fmt.Sprintf("  FN %-16s %s %q", l, it.ID, clip(it.Text)))
					}
				}
			}
		}
		fmt.Printf("%-17s %5d |", l, c[0].n)
		for k := range c {
			p, r, f := c[k].scores()
			fmt.Printf(" %5.3f %5.3f %5.3f   |", p, r, f)
			if slices.Contains(labelsAll(), l) {
				macro[k] += f
			}
		}
		fmt.Println()
		if slices.Contains(labelsAll(), l) {
			ncat++
		}
	}
	if ncat > 1 {
		fmt.Printf("%-17s %5s |", "macro F1", "")
		for k := range macro {
			fmt.Printf(" %5s %5s %5.3f   |", "", "", macro[k]/float64(ncat))
		}
		fmt.Println()
	}
	if slices.Contains(labels, "any_flag") {
		var clean, flagged [3]int
		for i, it := range items {
			if len(it.Heads) != 0 || wants(it, "any_flag") {
				continue
			}
			v := get(i)
			for k, ls := range [][]string{v.rules, v.model, v.both} {
				clean[k]++
				if has(ls, "any_flag") {
					flagged[k]++
				}
			}
		}
		if clean[0] > 0 {
			fmt.Printf("clean comments flagged: rules %d of %d (%.1f %%), model %d (%.1f %%), rules + model %d (%.1f %%)\n",
				flagged[0], clean[0], pct(flagged[0], clean[0]), flagged[1], pct(flagged[1], clean[1]), flagged[2], pct(flagged[2], clean[2]))
		}
	}
	sort.Strings(missLines)
	if maxMisses > 0 && len(missLines) > 0 {
		fmt.Printf("errors of rules + model (%d, showing up to %d):\n", len(missLines), maxMisses)
		for i, m := range missLines {
			if i >= maxMisses {
				break
			}
			fmt.Println(m)
		}
	}
	fmt.Println()
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(b) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 110 {
		return string(r[:110]) + "…"
	}
	return s
}

func hitsOf(hs []moderation.Hit) string {
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.RuleID+"("+h.Match+")")
	}
	return strings.Join(ids, " ")
}
