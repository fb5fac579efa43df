package learn

import (
	"bytes"
	"math"
	"testing"
)

// toy builds examples over 2^10 buckets: head 0 ("a") applies when bucket
// 7 is present, head 1 ("b") when bucket 9 is; every example has noise.
func toy(n int) []Example {
	var out []Example
	for i := range n {
		ex := Example{Known: 3}
		ex.Buckets = append(ex.Buckets, uint32(100+i%50), uint32(300+i%17))
		if i%3 == 0 {
			ex.Buckets = append(ex.Buckets, 7)
			ex.Labels |= 1
		}
		if i%5 == 0 {
			ex.Buckets = append(ex.Buckets, 9)
			ex.Labels |= 2
		}
		out = append(out, ex)
	}
	return out
}

func TestTrainLearns(t *testing.T) {
	m, err := Train(toy(300), []string{"a", "b"}, Options{Bits: 10, Epochs: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 2)
	for _, tc := range []struct {
		name    string
		buckets []uint32
		wantA   bool
		wantB   bool
	}{
		{"neither", []uint32{101, 301}, false, false},
		{"a", []uint32{101, 301, 7}, true, false},
		{"b", []uint32{101, 301, 9}, false, true},
		{"both", []uint32{101, 301, 7, 9}, true, true},
	} {
		m.Scores(tc.buckets, out)
		if got := out[0] >= 0.5; got != tc.wantA {
			t.Errorf("%s: score a = %.3f, want over 0.5: %v", tc.name, out[0], tc.wantA)
		}
		if got := out[1] >= 0.5; got != tc.wantB {
			t.Errorf("%s: score b = %.3f, want over 0.5: %v", tc.name, out[1], tc.wantB)
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	ex := toy(200)
	a, err := Train(ex, []string{"a", "b"}, Options{Bits: 10, Epochs: 5, Balance: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(ex, []string{"a", "b"}, Options{Bits: 10, Epochs: 5, Balance: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := Equal(a, b); !ok {
		t.Fatalf("two trainings differ: %s", why)
	}
	c, err := Train(ex, []string{"a", "b"}, Options{Bits: 10, Epochs: 5, Balance: true, Seed: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := Equal(a, c); ok {
		t.Fatal("another seed gave the same model: the seed is not used")
	}
}

func TestUnknownHeadsAreNotTrained(t *testing.T) {
	ex := toy(200)
	for i := range ex {
		ex[i].Known = 1 // nothing is known about head b
	}
	m, err := Train(ex, []string{"a", "b"}, Options{Bits: 10, Epochs: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Weight(9, 1); w != 0 {
		t.Fatalf("head b learnt weight %v for bucket 9 from examples that say nothing about it", w)
	}
}

func TestEncodeDecode(t *testing.T) {
	m, err := Train(toy(100), []string{"a", "b"}, Options{Bits: 10, Epochs: 3}, []float64{0.4, 0.6})
	if err != nil {
		t.Fatal(err)
	}
	m.Info.Inputs = []Input{{Name: "x.jsonl", SHA256: "00", Examples: 100}}
	if err := m.Finish(); err != nil {
		t.Fatal(err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := Equal(m, d); !ok {
		t.Fatalf("decoded model differs: %s", why)
	}
	if d.ID() != m.ID() || len(d.ID()) != 12 {
		t.Fatalf("id %q, want %q", d.ID(), m.ID())
	}
	if d.Thresholds[1] != 0.6 {
		t.Fatalf("threshold %v, want 0.6", d.Thresholds[1])
	}
	for _, bad := range [][]byte{nil, []byte("hello"), data[:len(magic)+2], bytes.Replace(data, []byte(`"bits":10`), []byte(`"bits":30`), 1), data[:len(data)-10]} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%d bytes) accepted a broken model", len(bad))
		}
	}
}

func TestBestThreshold(t *testing.T) {
	scores := []float64{0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1}
	labels := []bool{true, true, false, true, false, false, false}
	th, f := BestThreshold(scores, labels, 1, 0.05)
	// Taking the top four gives P 3/4, R 1: F1 0.857, the best.
	if !(th > 0.3 && th <= 0.6) || math.Abs(f-6.0/7) > 1e-9 {
		t.Fatalf("threshold %.3f F1 %.3f, want between 0.3 and 0.6 with F1 0.857", th, f)
	}
	// With beta 0.3 precision weighs more: the top two (P 1, R 2/3).
	th, _ = BestThreshold(scores, labels, 0.3, 0.05)
	if !(th > 0.7 && th <= 0.8) {
		t.Fatalf("threshold %.3f for beta 0.3, want between 0.7 and 0.8", th)
	}
}

func TestTop(t *testing.T) {
	m, err := Train(toy(300), []string{"a", "b"}, Options{Bits: 10, Epochs: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	buckets := []uint32{101, 7, 301, 7}
	got := m.Top(buckets, []int{0}, 5)[0]
	if len(got) == 0 || got[0].Bucket != 7 {
		t.Fatalf("Top = %+v, want bucket 7 first", got)
	}
	if got[0].First != 1 {
		t.Errorf("the first occurrence is named: got index %d, want 1", got[0].First)
	}
	single := m.Weight(7, 0) * Norm(len(buckets), 0.5)
	if math.Abs(got[0].Weight-2*single) > 1e-12 {
		t.Errorf("two occurrences weigh %v, want %v", got[0].Weight, 2*single)
	}
	for i, c := range got {
		if c.Weight <= 0 {
			t.Errorf("a feature that pushed down is listed: %+v", c)
		}
		if i > 0 && c.Weight > got[i-1].Weight {
			t.Errorf("not strongest first: %+v", got)
		}
	}
	if got := m.Top(buckets, []int{0}, 1)[0]; len(got) != 1 {
		t.Errorf("Top(k=1) gave %d features", len(got))
	}
}

// Scores adds weights four heads at a time; it must give what adding
// Weight over the occurrences gives, also past the 256 features after
// which its lanes are emptied, and for heads past the eighth.
func TestScoresMatchWeights(t *testing.T) {
	heads := make([]string, MaxHeads)
	for i := range heads {
		heads[i] = string(rune('a' + i))
	}
	var ex []Example
	for i := range 400 {
		e := Example{Known: 1<<MaxHeads - 1, Labels: uint32(i*2654435761) & (1<<MaxHeads - 1)}
		for k := range 20 {
			e.Buckets = append(e.Buckets, uint32((i*31+k*17)%1024))
		}
		ex = append(ex, e)
	}
	m, err := Train(ex, heads, Options{Bits: 10, Epochs: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 255, 256, 257, 1000} {
		var buckets []uint32
		for k := range n {
			buckets = append(buckets, uint32((k*7919)%1024))
		}
		got := make([]float64, MaxHeads)
		m.Scores(buckets, got)
		for h := range MaxHeads {
			sum := 0.0
			for _, b := range buckets {
				sum += m.Weight(b, h)
			}
			want := sigmoid(m.bias[h] + sum*Norm(len(buckets), 0.5))
			if math.Abs(got[h]-want) > 1e-9 {
				t.Fatalf("%d features, head %d: score %v, want %v", n, h, got[h], want)
			}
		}
	}
}
