package train

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/rules"
	"github.com/uppsikt/uppsikt/rules/corpus"
	"github.com/uppsikt/uppsikt/rules/learn"
)

// Version names the training procedure; it is recorded in every model's
// manifest with the features' version.
const Version = "train-1"

// Config says what to train from and how.
type Config struct {
	// Own is uppsikt's own corpus (rules/corpus).
	Own fs.FS
	// External is ../shared/corpus/external, or nil; Sets names the public
	// data sets in it to train on (see Sets).
	External fs.FS
	Sets     []string
	// Options are the learner's options (Defaults for uppsikt's).
	Options learn.Options
	// Folds is the number of cross-validation folds (default 5).
	Folds int
	// Beta of the F-beta score by which thresholds are chosen (default
	// 1); below 1 favours precision. uppsikt's model uses 0.35: beside the
	// rules, whose hits it joins, a model that flags clean comments costs
	// the moderators more than the recall it buys, and a municipality's
	// page holds far more clean comments than the corpus (measured on a
	// realistic sample held out of training: docs/model.md).
	Beta float64
	// Floor is the lowest threshold chosen (default 0.25; uppsikt's 0.1).
	Floor float64
}

// Defaults are the options uppsikt's built-in model is trained with.
func Defaults() Config {
	return Config{
		Options: learn.Options{Bits: 18, Epochs: 12, Rate: 0.3, L2: 1e-2, Seed: 1, Balance: true, MaxBalance: 6},
		Folds:   5, Beta: 0.35, Floor: 0.1,
	}
}

// Result is a trained model with the out-of-fold scores of the own corpus.
type Result struct {
	Model *learn.Model
	// Items is the own corpus; OOF[i][h] is the score of item i for head
	// h by the model of the fold that left the item out.
	Items []corpus.Item
	OOF   [][]float64
	// Folds are the models of the folds (item i was scored by
	// Folds[corpus.Fold(id, len(Folds))]), with the final thresholds.
	Folds []*learn.Model
	// Sources are the inputs read.
	Sources []corpus.Source
	Elapsed time.Duration
}

// ErrConfig is returned for an incomplete configuration.
var ErrConfig = errors.New("train: configuration")

// reference date for the engine that computes features: identity numbers
// are not features, so it does not change them.
var refDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Run trains the model.
func Run(cfg Config) (*Result, error) {
	start := time.Now()
	if cfg.Own == nil {
		return nil, fmt.Errorf("%w: no corpus", ErrConfig)
	}
	if cfg.Folds == 0 {
		cfg.Folds = 5
	}
	if cfg.Beta == 0 {
		cfg.Beta = 1
	}
	if cfg.Floor == 0 {
		cfg.Floor = 0.25
	}
	own, sources, err := corpus.ReadOwn(cfg.Own)
	if err != nil {
		return nil, err
	}
	var ext []corpus.Item
	if len(cfg.Sets) > 0 {
		if cfg.External == nil {
			return nil, fmt.Errorf("%w: data sets %v named without the external folder", ErrConfig, cfg.Sets)
		}
		items, srcs, err := ReadSets(cfg.External, cfg.Sets)
		if err != nil {
			return nil, err
		}
		ext, sources = items, append(sources, srcs...)
	}
	eng, err := rules.LoadDefault(rules.Options{Today: refDate})
	if err != nil {
		return nil, err
	}
	heads := rules.ModelHeads()
	bits := cfg.Options.Bits
	if bits == 0 {
		bits = 18
	}
	all := append(append([]corpus.Item(nil), own...), ext...)
	examples := make([]learn.Example, len(all))
	for i, it := range all {
		examples[i] = Example(eng, it, heads, bits)
	}

	// Out-of-fold scores of the own corpus; the folds train in parallel,
	// each deterministically.
	oof := make([][]float64, len(own))
	models := make([]*learn.Model, cfg.Folds)
	errs := make([]error, cfg.Folds)
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for k := range cfg.Folds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var train []learn.Example
			for i := range all {
				if i >= len(own) || corpus.Fold(own[i].ID, cfg.Folds) != k {
					train = append(train, examples[i])
				}
			}
			models[k], errs[k] = learn.Train(train, heads, cfg.Options, nil)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, it := range own {
		m := models[corpus.Fold(it.ID, cfg.Folds)]
		oof[i] = make([]float64, len(heads))
		m.Scores(examples[i].Buckets, oof[i])
	}
	thresholds := make([]float64, len(heads))
	for h, head := range heads {
		scores := make([]float64, len(own))
		labels := make([]bool, len(own))
		for i, it := range own {
			scores[i], labels[i] = oof[i][h], it.Has(head)
		}
		thresholds[h], _ = learn.BestThreshold(scores, labels, cfg.Beta, cfg.Floor)
		thresholds[h] = round4(thresholds[h])
	}
	m, err := learn.Train(examples, heads, cfg.Options, thresholds)
	if err != nil {
		return nil, err
	}
	m.Info.Trainer = rules.FeatureVersion + "/" + Version
	m.Info.Thresholds = fmt.Sprintf("F%g on %d-fold out-of-fold scores of the own corpus, at least %g", cfg.Beta, cfg.Folds, cfg.Floor)
	for _, s := range sources {
		m.Info.Inputs = append(m.Info.Inputs, learn.Input{Name: s.Name, SHA256: s.SHA256, Examples: s.Items})
	}
	if err := m.Finish(); err != nil {
		return nil, err
	}
	for _, fm := range models {
		fm.Thresholds = slices.Clone(thresholds)
	}
	return &Result{Model: m, Items: own, OOF: oof, Folds: models, Sources: sources, Elapsed: time.Since(start)}, nil
}

// Example turns a labelled comment into a training example.
func Example(eng *rules.Engine, it corpus.Item, heads []string, bits uint8) learn.Example {
	b := eng.ModelFeatures(it.Text, it.Lang, bits)
	ex := learn.Example{Buckets: b}
	for h, head := range heads {
		if !it.Knows(head) {
			continue
		}
		ex.Known |= 1 << h
		if it.Has(head) {
			ex.Labels |= 1 << h
		}
	}
	return ex
}

func round4(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }
