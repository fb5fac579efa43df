// Command uppsikt-eval measures uppsikt's classifier on labelled corpora. It
// runs "uppsikt classify" as a subprocess (the measuring contract: JSON Lines
// in, one verdict line out per comment) and prints precision, recall and F1
// per category together with the misses.
//
//	uppsikt-eval -bin bin/uppsikt -corpus ../shared/corpus
//
// It reads dev.jsonl (every category, question and register), the DKhate
// training split (OFF against harassment|hate|profanity) and the YouTube spam
// files (spam against advertising). A missing corpus is reported and skipped.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

type item struct {
	ID     string
	Text   string
	Lang   string
	Labels map[string]bool // expected labels, including "question" and "register"
}

type verdict struct {
	ID         string   `json:"id"`
	Categories []string `json:"categories"`
	Question   bool     `json:"question"`
	Register   bool     `json:"register"`
	Hits       []struct {
		Rule  string `json:"rule"`
		Match string `json:"match"`
	} `json:"hits"`
}

func main() {
	bin := flag.String("bin", "bin/uppsikt", "the uppsikt binary")
	corpus := flag.String("corpus", "../shared/corpus", "the corpus folder")
	today := flag.String("today", "", "reference date passed to classify (default: today)")
	misses := flag.Int("misses", 40, "misses to list per data set (0 for none)")
	flag.Parse()
	if _, err := os.Stat(*corpus); err != nil {
		fmt.Fprintf(os.Stderr, "uppsikt-eval: corpus %s not found (it lives in ../shared/corpus beside the project); nothing to measure\n", *corpus)
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	failed := false
	run := func(name string, items []item, err error, cats []string) {
		if err != nil {
			fmt.Printf("== %s: skipped: %v\n\n", name, err)
			return
		}
		got, err := classify(ctx, *bin, *today, items)
		if err != nil {
			fmt.Fprintf(os.Stderr, "uppsikt-eval: %s: %v\n", name, err)
			failed = true
			return
		}
		report(name, items, got, cats, *misses)
	}
	dev, err := readDev(filepath.Join(*corpus, "dev.jsonl"))
	run("dev.jsonl", dev, err, append(categories(), "question", "register", "any_flag"))
	dk, err := readDKHate(filepath.Join(*corpus, "external", "dkhate-train.tsv"))
	run("DKhate (OFF = harassment|hate|profanity)", dk, err, []string{"offensive"})
	yt, err := readYouTube(filepath.Join(*corpus, "external", "youtube-spam"))
	run("YouTube spam (spam = advertising)", yt, err, []string{"advertising"})
	if failed {
		os.Exit(1)
	}
}

func categories() []string {
	return []string{"personal_id", "sensitive_data", "harassment", "hate", "profanity",
		"party_politics", "advertising", "crime_incitement", "violence_porn", "copyright"}
}

func readDev(path string) ([]item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []item
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var d struct {
			ID       string   `json:"id"`
			Lang     string   `json:"lang"`
			Text     string   `json:"text"`
			Labels   []string `json:"labels"`
			Register bool     `json:"register"`
			Question bool     `json:"question"`
		}
		if err := json.Unmarshal(line, &d); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		it := item{ID: d.ID, Text: d.Text, Lang: d.Lang, Labels: map[string]bool{}}
		for _, l := range d.Labels {
			it.Labels[l] = true
		}
		it.Labels["question"] = d.Question
		it.Labels["register"] = d.Register
		it.Labels["any_flag"] = len(d.Labels) > 0
		out = append(out, it)
	}
	return out, nil
}

func readDKHate(path string) ([]item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []item
	for i, rec := range recs {
		if i == 0 || len(rec) < 3 {
			continue
		}
		out = append(out, item{ID: "dk" + rec[0], Text: rec[1], Lang: "da", Labels: map[string]bool{"offensive": strings.TrimSpace(rec[2]) == "OFF"}})
	}
	return out, nil
}

func readYouTube(dir string) ([]item, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CSV files in %s", dir)
	}
	var out []item
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for i, rec := range recs {
			if i == 0 || len(rec) < 5 {
				continue
			}
			out = append(out, item{ID: "yt" + rec[0], Text: rec[3], Lang: "en", Labels: map[string]bool{"advertising": strings.TrimSpace(rec[4]) == "1"}})
		}
	}
	return out, nil
}

// classify runs "uppsikt classify" once over all items.
func classify(ctx context.Context, bin, today string, items []item) (map[string]verdict, error) {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, it := range items {
		if err := enc.Encode(map[string]string{"id": it.ID, "text": it.Text, "lang": it.Lang}); err != nil {
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
	got := map[string]verdict{}
	dec := json.NewDecoder(&out)
	for {
		var v verdict
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading classify output: %w", err)
		}
		got[v.ID] = v
	}
	if len(got) != len(items) {
		return nil, fmt.Errorf("classify answered %d of %d comments: %s", len(got), len(items), stderr.String())
	}
	return got, nil
}

func predicted(v verdict, label string) bool {
	switch label {
	case "question":
		return v.Question
	case "register":
		return v.Register
	case "any_flag":
		return len(v.Categories) > 0
	case "offensive":
		return slices.Contains(v.Categories, "harassment") || slices.Contains(v.Categories, "hate") || slices.Contains(v.Categories, "profanity")
	}
	return slices.Contains(v.Categories, label)
}

func report(name string, items []item, got map[string]verdict, labels []string, maxMisses int) {
	fmt.Printf("== %s: %d comments\n", name, len(items))
	fmt.Printf("%-18s %5s %5s %5s %5s  %6s %6s %6s\n", "category", "tp", "fp", "fn", "n", "P", "R", "F1")
	var missLines []string
	for _, l := range labels {
		tp, fp, fn, n := 0, 0, 0, 0
		for _, it := range items {
			want, have := it.Labels[l], predicted(got[it.ID], l)
			if want {
				n++
			}
			switch {
			case want && have:
				tp++
			case have && !want:
				fp++
				missLines = append(missLines, fmt.Sprintf("  FP %-16s %s %q %s", l, it.ID, clip(it.Text), rulesOf(got[it.ID])))
			case want && !have:
				fn++
				missLines = append(missLines, fmt.Sprintf("  FN %-16s %s %q", l, it.ID, clip(it.Text)))
			}
		}
		p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
		f := 0.0
		if p+r > 0 {
			f = 2 * p * r / (p + r)
		}
		fmt.Printf("%-18s %5d %5d %5d %5d  %6.3f %6.3f %6.3f\n", l, tp, fp, fn, n, p, r, f)
	}
	clean, flagged := 0, 0
	for _, it := range items {
		if name == "dev.jsonl" && !it.Labels["any_flag"] {
			clean++
			if len(got[it.ID].Categories) > 0 {
				flagged++
			}
		}
	}
	if clean > 0 {
		fmt.Printf("clean comments flagged: %d of %d (%.1f %%)\n", flagged, clean, 100*float64(flagged)/float64(clean))
	}
	sort.Strings(missLines)
	if maxMisses > 0 && len(missLines) > 0 {
		fmt.Printf("misses (%d, showing up to %d):\n", len(missLines), maxMisses)
		for i, m := range missLines {
			if i >= maxMisses {
				break
			}
			fmt.Println(m)
		}
	}
	fmt.Println()
}

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

func rulesOf(v verdict) string {
	var ids []string
	for _, h := range v.Hits {
		ids = append(ids, h.Rule+"("+h.Match+")")
	}
	return strings.Join(ids, " ")
}
