package train

import (
	"os"
	"testing"

	"github.com/uppsikt/uppsikt/rules"
	"github.com/uppsikt/uppsikt/rules/learn"
)

// The model built into uppsikt must be the one the corpus and the code in
// this repository produce: a change to the corpus, the features or the
// training that is not followed by "make model" fails here.
func TestEmbeddedModelIsCurrent(t *testing.T) {
	embedded, err := rules.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.Own = os.DirFS("../corpus")
	res, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained in %.1f s: %d examples, thresholds %v", res.Elapsed.Seconds(), res.Model.Info.Examples, res.Model.Thresholds)
	if ok, why := learn.Equal(embedded, res.Model); !ok {
		t.Fatalf("rules/model.bin is not the model the corpus and code give (run make model): %s", why)
	}
	// Every comment of the corpus was scored out of fold, by the model of
	// the fold that left it out.
	if len(res.OOF) != len(res.Items) || len(res.Folds) != cfg.Folds {
		t.Fatalf("%d out-of-fold scores for %d items, %d fold models", len(res.OOF), len(res.Items), len(res.Folds))
	}
	for i, s := range res.OOF {
		if len(s) != len(res.Model.Heads) {
			t.Fatalf("item %d has %d scores", i, len(s))
		}
	}
}
