package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules/learn"
)

// tinyModel trains a model over the engine's own features that scores
// offers of "gurkmajonnäs" as advertising, so that the model's use can be
// tested apart from the corpus the built-in model learns from.
func tinyModel(t *testing.T) *learn.Model {
	t.Helper()
	e, err := LoadDefault(Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	heads := ModelHeads()
	adv := slices.Index(heads, moderation.CatAdvertising)
	var ex []learn.Example
	pos := []string{"Köp gurkmajonnäs billigt idag", "Gurkmajonnäs till halva priset, skriv till mig", "Bästa gurkmajonnäsen finns hos oss", "Gurkmajonnäs på rea nu"}
	neg := []string{"Hur dags öppnar biblioteket?", "Tack för en fin konsert", "Vägen vid skolan är full av hål", "När töms soptunnorna?", "Snart är det sommarlov"}
	for i := 0; i < 10; i++ {
		for _, p := range pos {
			b := e.ModelFeatures(p, "sv", 12)
			ex = append(ex, learn.Example{Buckets: b, Labels: 1 << adv, Known: 1 << adv})
		}
		for _, n := range neg {
			b := e.ModelFeatures(n, "sv", 12)
			ex = append(ex, learn.Example{Buckets: b, Known: 1 << adv})
		}
	}
	th := make([]float64, len(heads))
	for i := range th {
		th[i] = 0.5
	}
	m, err := learn.Train(ex, heads, learn.Options{Bits: 12, Epochs: 10}, th)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Finish(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModelModes(t *testing.T) {
	m := tinyModel(t)
	const offer = "Gurkmajonnäsen i dag hos Pelle"
	const clean = "Tack för att ni plogade så fort"
	for _, tc := range []struct {
		name      string
		opts      Options
		account   string
		wantModel bool // an opinion is recorded
		wantCat   bool // the model's category is in the verdict
	}{
		{name: "no model", opts: Options{}},
		{name: "on by default", opts: Options{Model: m}, wantModel: true, wantCat: true},
		{name: "shadow", opts: Options{Model: m, ModelMode: moderation.ModelShadow}, wantModel: true},
		{name: "off", opts: Options{Model: m, ModelMode: moderation.ModelOff}},
		{name: "account in shadow", opts: Options{Model: m, Accounts: map[string]AccountOverride{"kommun": {ModelMode: moderation.ModelShadow}}}, account: "kommun", wantModel: true},
		{name: "account on while off", opts: Options{Model: m, ModelMode: moderation.ModelOff, Accounts: map[string]AccountOverride{"kommun": {ModelMode: moderation.ModelOn}}}, account: "kommun", wantModel: true, wantCat: true},
		{name: "threshold raised", opts: Options{Model: m, ModelThresholds: map[string]float64{"advertising": 0.9999}}, wantModel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Today = testToday
			e, err := LoadDefault(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var c moderation.Classifier = e
			if tc.account != "" {
				c = e.ForAccount(tc.account)
			}
			v := c.Classify(offer, "sv")
			if got := v.Model != nil; got != tc.wantModel {
				t.Fatalf("model opinion recorded: %v, want %v", got, tc.wantModel)
			}
			if got := slices.Contains(v.Categories, "advertising"); got != tc.wantCat {
				t.Fatalf("categories %v: advertising %v, want %v", v.Categories, got, tc.wantCat)
			}
			if !tc.wantModel {
				return
			}
			if v.Model.Model != m.ID() || len(v.Model.Scores) != len(m.Heads) {
				t.Fatalf("opinion %+v: want model %s and %d scores", v.Model, m.ID(), len(m.Heads))
			}
			if tc.wantCat {
				hit := v.Hits[slices.IndexFunc(v.Hits, func(h moderation.Hit) bool { return h.RuleID == "model.advertising" })]
				if !strings.Contains(hit.Explanation, "Learned model") || hit.End <= hit.Start || offer[hit.Start:hit.End] != hit.Match {
					t.Errorf("model hit %+v: want an explanation and a span of the text", hit)
				}
				if hit.Citation.Section == "" {
					t.Errorf("model hit cites no guideline passage: %+v", hit.Citation)
				}
			}
			clean := c.Classify(clean, "sv")
			if len(clean.Categories) != 0 {
				t.Errorf("clean comment flagged: %v", clean.Categories)
			}
		})
	}
}

func TestModelExplainsWithFeatures(t *testing.T) {
	m := tinyModel(t)
	e, err := LoadDefault(Options{Today: testToday, Model: m})
	if err != nil {
		t.Fatal(err)
	}
	v := e.Classify("Gurkmajonnäsen i dag hos Pelle", "sv")
	var adv moderation.ModelScore
	for _, s := range v.Model.Scores {
		if s.Head == "advertising" {
			adv = s
		}
	}
	if !adv.Over || len(adv.Features) == 0 {
		t.Fatalf("advertising score %+v: want over its threshold with features", adv)
	}
	if !strings.Contains(strings.ToLower(adv.Features[0].Text), "gurkmaj") && !strings.Contains(adv.Features[0].Text, "…") {
		t.Errorf("strongest feature %q does not come from the offer", adv.Features[0].Text)
	}
	for i := 1; i < len(adv.Features); i++ {
		if adv.Features[i].Weight > adv.Features[i-1].Weight {
			t.Errorf("features not strongest first: %+v", adv.Features)
		}
	}
}

func TestModelOptionsRefused(t *testing.T) {
	m := tinyModel(t)
	for name, o := range map[string]Options{
		"unknown mode":      {Model: m, ModelMode: "loud"},
		"unknown head":      {Model: m, ModelThresholds: map[string]float64{"personal_id": 0.5}},
		"threshold over 1":  {Model: m, ModelThresholds: map[string]float64{"hate": 1.5}},
		"account mode":      {Model: m, Accounts: map[string]AccountOverride{"a": {ModelMode: "maybe"}}},
		"threshold of zero": {Model: m, ModelThresholds: map[string]float64{"hate": 0}},
	} {
		o.Today = testToday
		if _, err := LoadDefault(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The features named for an explanation are the features scored, and
// each has a name and a place in the text.
func TestNamedFeaturesAreTheFeatures(t *testing.T) {
	e, err := LoadDefault(Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"Du är en idiot 🤡 www.example.shop!! @Kalle",
		"KÖP NU 199 kr, ring 070-123 45 67? mejla sälj@exempel.se",
		"Æblegrød og søde kager, hvad koster de?",
		"i d i o t, j.ä.v.l.a 1d10t",
		"",
		strings.Repeat("ä", 40),
	} {
		s := e.pool.Get().(*scratch)
		s.text = text
		normalize(text, &s.plain)
		tokenize(text, s)
		f := &featSink{bits: 16}
		s.features(f, "sv")
		plain := slices.Clone(f.buckets)
		for i := range plain {
			f.want = append(f.want, i)
		}
		s.features(f, "sv")
		if !slices.Equal(plain, f.buckets) || len(f.refs) != len(f.buckets) {
			t.Errorf("%q: %d buckets, %d when explaining (%d refs)", text, len(plain), len(f.buckets), len(f.refs))
		}
		for i, r := range f.refs {
			name, os, oe := s.name(r)
			if name == "" || os > oe || oe > len(text) {
				t.Errorf("%q: feature %d %+v is named %q at %d-%d", text, i, r, name, os, oe)
			}
		}
		e.pool.Put(s)
	}
}

func TestFoldForModel(t *testing.T) {
	for in, want := range map[string]string{
		"jävla":      "javla",
		"sparebøsse": "sparebosse",
		"kæmpe":      "kaempe",
		"199kr":      "000kr",
		"café":       "cafe",
		"straße":     "strasse",
		"łódź":       "łodź", // letters outside Latin-1 stay
	} {
		if got := string(foldForModel(nil, []byte(in))); got != want {
			t.Errorf("foldForModel(%q) = %q, want %q", in, got, want)
		}
	}
}
