// Command uppsikt-model trains uppsikt's learned model from its corpus and
// writes it where the binary embeds it ("make model"):
//
//	uppsikt-model -own rules/corpus -out rules/model.bin
//
// Training is deterministic: the same corpus and code give the same model,
// and rules/train's test fails when rules/model.bin is not the model they
// give. It prints the model's manifest and its thresholds.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uppsikt/uppsikt/rules/train"
)

func main() {
	own := flag.String("own", "rules/corpus", "uppsikt's own corpus")
	out := flag.String("out", "rules/model.bin", "where to write the model")
	flag.Parse()
	if err := run(*own, *out); err != nil {
		fmt.Fprintln(os.Stderr, "uppsikt-model:", err)
		os.Exit(1)
	}
}

func run(own, out string) error {
	cfg := train.Defaults()
	cfg.Own = os.DirFS(own)
	res, err := train.Run(cfg)
	if err != nil {
		return err
	}
	m := res.Model
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".model-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Printf("model %s: %d examples from %d files, %d heads, 2^%d buckets, %d non-zero weights, %d bytes, trained in %.1f s\n",
		m.ID(), m.Info.Examples, len(m.Info.Inputs), len(m.Heads), m.Bits, m.Info.NonZero, len(data), res.Elapsed.Seconds())
	for h, head := range m.Heads {
		fmt.Printf("  %-17s threshold %.3f, %d positive examples\n", head, m.Thresholds[h], m.Info.Positives[h])
	}
	fmt.Printf("wrote %s\n", out)
	return nil
}
