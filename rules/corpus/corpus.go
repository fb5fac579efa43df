package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/moderation"
)

// Item is one labelled comment.
type Item struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Text     string   `json:"text"`
	Labels   []string `json:"labels"`
	Register bool     `json:"register"`
	Question bool     `json:"question"`
	Kind     string   `json:"kind,omitempty"`
	// Heads lists what the labels speak for, when that is not everything:
	// a data set labelled only for spam says nothing about hate. Empty
	// means every category and both signals.
	Heads []string `json:"-"`
	// Source is the file or data set the item came from.
	Source string `json:"-"`
}

// Has reports whether the item carries the label (a category, "question"
// or "register").
func (it Item) Has(label string) bool {
	switch label {
	case "question":
		return it.Question
	case "register":
		return it.Register
	}
	return slices.Contains(it.Labels, label)
}

// Knows reports whether the item's labels speak for the head.
func (it Item) Knows(head string) bool {
	return len(it.Heads) == 0 || slices.Contains(it.Heads, head)
}

// Source is one file read, with its hash.
type Source struct {
	Name   string
	SHA256 string
	Items  int
}

// ErrCorpus is returned for a corpus file that breaks the format.
var ErrCorpus = errors.New("corpus")

// ReadOwn reads every *.jsonl file of fsys (uppsikt's own corpus), in name
// order, and checks each line against the data card: a unique id, a
// language of sv, da or en, known labels, valid UTF-8 text.
func ReadOwn(fsys fs.FS) ([]Item, []Source, error) {
	names, err := fs.Glob(fsys, "*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%w: no *.jsonl files", ErrCorpus)
	}
	var items []Item
	var sources []Source
	seen := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, err
		}
		n := 0
		for i, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var it Item
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&it); err != nil {
				return nil, nil, fmt.Errorf("%w: %s:%d: %w", ErrCorpus, name, i+1, err)
			}
			if err := check(it); err != nil {
				return nil, nil, fmt.Errorf("%w: %s:%d: %w", ErrCorpus, name, i+1, err)
			}
			if prev, ok := seen[it.ID]; ok {
				return nil, nil, fmt.Errorf("%w: %s:%d: id %s is also in %s", ErrCorpus, name, i+1, it.ID, prev)
			}
			seen[it.ID] = name
			it.Source = name
			items = append(items, it)
			n++
		}
		sources = append(sources, Source{Name: name, SHA256: hash(data), Items: n})
	}
	return items, sources, nil
}

func check(it Item) error {
	switch {
	case it.ID == "":
		return errors.New("no id")
	case it.Lang != "sv" && it.Lang != "da" && it.Lang != "en":
		return fmt.Errorf("%s: lang %q (sv, da or en)", it.ID, it.Lang)
	case strings.TrimSpace(it.Text) == "":
		return fmt.Errorf("%s: no text", it.ID)
	case !utf8.ValidString(it.Text):
		return fmt.Errorf("%s: text is not valid UTF-8", it.ID)
	case it.Labels == nil:
		return fmt.Errorf("%s: no labels list (write [] for none)", it.ID)
	}
	for _, l := range it.Labels {
		if !slices.Contains(moderation.Categories(), l) {
			return fmt.Errorf("%s: unknown label %q", it.ID, l)
		}
	}
	return nil
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Fold assigns an item to one of k cross-validation folds by its id, so
// that an item stays in its fold when others are added.
func Fold(id string, k int) int {
	sum := sha256.Sum256([]byte(id))
	return int(uint32(sum[0])<<24|uint32(sum[1])<<16|uint32(sum[2])<<8|uint32(sum[3])) % k
}

// readLines reads a file of fsys line by line.
func readLines(fsys fs.FS, name string, fn func(i int, line []byte) error) (Source, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Source{}, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	i := 0
	for sc.Scan() {
		i++
		if err := fn(i, sc.Bytes()); err != nil {
			return Source{}, fmt.Errorf("%s:%d: %w", name, i, err)
		}
	}
	if err := sc.Err(); err != nil {
		return Source{}, fmt.Errorf("%s: %w", name, err)
	}
	return Source{Name: path.Base(name), SHA256: hash(data)}, nil
}
