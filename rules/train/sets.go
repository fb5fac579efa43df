package train

import (
	"fmt"
	"io/fs"

	"github.com/uppsikt/uppsikt/rules/corpus"
)

// setReaders read the public data sets of ../shared/corpus/external that a
// model may be trained on, by name. RTP-LX is not among them: it is published
// for evaluating toxicity detectors only.
var setReaders = map[string]func(fs.FS) ([]corpus.Item, []corpus.Source, error){
	"dkhate": func(f fs.FS) ([]corpus.Item, []corpus.Source, error) {
		it, s, err := corpus.ReadDKHate(f, "dkhate-train.tsv")
		return it, []corpus.Source{s}, err
	},
	"youtube": func(f fs.FS) ([]corpus.Item, []corpus.Source, error) {
		return corpus.ReadYouTube(f, "youtube-spam")
	},
	"davidson": func(f fs.FS) ([]corpus.Item, []corpus.Source, error) {
		it, s, err := corpus.ReadDavidson(f, "davidson/labeled_data.csv")
		return it, []corpus.Source{s}, err
	},
	"openai": func(f fs.FS) ([]corpus.Item, []corpus.Source, error) {
		it, s, err := corpus.ReadOpenAIModeration(f, "openai-moderation/samples-1680.jsonl")
		return it, []corpus.Source{s}, err
	},
}

// ReadSets reads the named public data sets.
func ReadSets(ext fs.FS, names []string) ([]corpus.Item, []corpus.Source, error) {
	var items []corpus.Item
	var sources []corpus.Source
	for _, n := range names {
		read, ok := setReaders[n]
		if !ok {
			return nil, nil, fmt.Errorf("%w: no data set %q (dkhate, youtube, davidson, openai)", ErrConfig, n)
		}
		it, src, err := read(ext)
		if err != nil {
			return nil, nil, fmt.Errorf("data set %s: %w", n, err)
		}
		items, sources = append(items, it...), append(sources, src...)
	}
	return items, sources, nil
}
