package corpus

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Offensive is the pseudo-label of public data sets that mark a comment
// offensive without saying how: uppsikt counts it found when the verdict
// has harassment, hate or profanity.
const Offensive = "offensive"

// OffensiveHeads are the categories an "offensive" label stands for.
var OffensiveHeads = []string{"harassment", "hate", "profanity"}

// ReadDev reads ../shared/corpus/dev.jsonl: municipal comments labelled
// like uppsikt's own (every category and both signals).
func ReadDev(fsys fs.FS, name string) ([]Item, Source, error) {
	var items []Item
	src, err := readLines(fsys, name, func(_ int, line []byte) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		var it Item
		if err := json.Unmarshal(line, &it); err != nil {
			return err
		}
		if err := check(it); err != nil {
			return err
		}
		it.Source = path.Base(name)
		items = append(items, it)
		return nil
	})
	src.Items = len(items)
	return items, src, err
}

// ReadDKHate reads the DKhate (OffensEval 2020 Danish) split: OFF is
// "offensive"; NOT says the comment is none of harassment, hate and
// profanity.
func ReadDKHate(fsys fs.FS, name string) ([]Item, Source, error) {
	recs, src, err := readCSV(fsys, name, '\t')
	if err != nil {
		return nil, src, err
	}
	var items []Item
	for i, rec := range recs {
		if i == 0 || len(rec) < 3 {
			continue
		}
		it := Item{ID: "dkhate-" + rec[0], Lang: "da", Text: rec[1], Labels: []string{}, Source: src.Name}
		if strings.TrimSpace(rec[2]) == "OFF" {
			it.Labels, it.Heads = []string{Offensive}, []string{Offensive}
		} else {
			it.Heads = OffensiveHeads
		}
		items = append(items, it)
	}
	src.Items = len(items)
	return items, src, nil
}

// ReadYouTube reads the YouTube spam collection's CSV files in dir: spam
// is advertising; the labels say nothing else.
func ReadYouTube(fsys fs.FS, dir string) ([]Item, []Source, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.csv"))
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%w: no CSV files in %s", ErrCorpus, dir)
	}
	sort.Strings(names)
	var items []Item
	var sources []Source
	for _, name := range names {
		recs, src, err := readCSV(fsys, name, ',')
		if err != nil {
			return nil, nil, err
		}
		for i, rec := range recs {
			if i == 0 || len(rec) < 5 {
				continue
			}
			it := Item{ID: "yt-" + rec[0], Lang: "en", Text: rec[3], Labels: []string{}, Heads: []string{"advertising"}, Source: src.Name}
			if strings.TrimSpace(rec[4]) == "1" {
				it.Labels = []string{"advertising"}
			}
			items = append(items, it)
			src.Items++
		}
		sources = append(sources, src)
	}
	return items, sources, nil
}

// ReadDavidson reads Davidson et al.'s tweets: class 0 (hate speech) is
// hate, class 1 (offensive language) is "offensive", class 2 says the
// tweet is none of harassment, hate and profanity.
func ReadDavidson(fsys fs.FS, name string) ([]Item, Source, error) {
	recs, src, err := readCSV(fsys, name, ',')
	if err != nil {
		return nil, src, err
	}
	var items []Item
	for i, rec := range recs {
		if i == 0 || len(rec) < 7 {
			continue
		}
		it := Item{ID: "davidson-" + rec[0], Lang: "en", Text: rec[6], Labels: []string{}, Source: src.Name}
		switch rec[5] {
		case "0":
			it.Labels, it.Heads = []string{"hate"}, []string{"hate"}
		case "1":
			it.Labels, it.Heads = []string{Offensive}, []string{Offensive}
		default:
			it.Heads = OffensiveHeads
		}
		items = append(items, it)
	}
	src.Items = len(items)
	return items, src, nil
}

// ReadOpenAIModeration reads OpenAI's moderation samples: H and H2 are
// hate, HR harassment, S, S3 and V2 (graphic violence) violence_porn. V
// (violence, threats included) and SH (self-harm) have no one category,
// so the labels speak only for hate, harassment and violence_porn.
func ReadOpenAIModeration(fsys fs.FS, name string) ([]Item, Source, error) {
	var items []Item
	src, err := readLines(fsys, name, func(i int, line []byte) error {
		var d struct {
			Prompt                      string
			S, H, V, HR, SH, S3, H2, V2 int
		}
		if err := json.Unmarshal(line, &d); err != nil {
			return err
		}
		it := Item{ID: fmt.Sprintf("openai-%d", i), Lang: "en", Text: d.Prompt, Labels: []string{}, Heads: []string{"hate", "harassment", "violence_porn"}, Source: path.Base(name)}
		if d.H+d.H2 > 0 {
			it.Labels = append(it.Labels, "hate")
		}
		if d.HR > 0 {
			it.Labels = append(it.Labels, "harassment")
		}
		if d.S+d.S3+d.V2 > 0 {
			it.Labels = append(it.Labels, "violence_porn")
		}
		items = append(items, it)
		return nil
	})
	src.Items = len(items)
	return items, src, err
}

// ReadRTPLX reads one language of RTP-LX. A text whose three raters' mean
// toxicity is 3 or more (of 5) is "offensive"; one of 1.5 or less is none
// of harassment, hate and profanity. The texts between are left out. RTP-LX
// is published for evaluating toxicity detectors: uppsikt measures on it
// and never trains on it.
func ReadRTPLX(fsys fs.FS, name, lang string) ([]Item, Source, error) {
	var items []Item
	src, err := readLines(fsys, name, func(_ int, line []byte) error {
		var d struct {
			Index       int
			Text        string
			Annotations map[string]float64
		}
		if err := json.Unmarshal(line, &d); err != nil {
			return err
		}
		tox := d.Annotations["Toxicity"]
		it := Item{ID: fmt.Sprintf("rtplx-%s-%d", lang, d.Index), Lang: lang, Text: d.Text, Labels: []string{}, Source: path.Base(name)}
		switch {
		case tox >= 3:
			it.Labels, it.Heads = []string{Offensive}, []string{Offensive}
		case tox <= 1.5:
			it.Heads = OffensiveHeads
		default:
			return nil
		}
		items = append(items, it)
		return nil
	})
	src.Items = len(items)
	return items, src, err
}

func readCSV(fsys fs.FS, name string, comma rune) ([][]string, Source, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Source{}, err
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, Source{}, fmt.Errorf("%w: %s: %w", ErrCorpus, name, err)
	}
	return recs, Source{Name: path.Base(name), SHA256: hash(data)}, nil
}
