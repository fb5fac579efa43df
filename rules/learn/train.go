package learn

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Options are the training options. The zero value of a field means its
// default.
type Options struct {
	Bits   uint8   `json:"bits"`   // 2^Bits feature buckets (default 18)
	Epochs int     `json:"epochs"` // passes over the examples (default 12)
	Rate   float64 `json:"rate"`   // AdaGrad's base learning rate (default 0.3)
	L2     float64 `json:"l2"`     // L2 penalty per update (default 1e-5)
	Seed   uint64  `json:"seed"`   // seed of the shuffle (default 1)
	// Balance weighs the positive examples of a head by sqrt(negatives /
	// positives), at most MaxBalance, so that rare categories are learnt.
	Balance    bool    `json:"balance"`
	MaxBalance float64 `json:"max_balance"` // default 6
	// NormPower: each feature occurrence of a comment with n of them
	// counts n^-NormPower (default 0.5).
	NormPower float64 `json:"norm_power"`
}

func (o Options) withDefaults() Options {
	if o.Bits == 0 {
		o.Bits = 18
	}
	if o.Epochs == 0 {
		o.Epochs = 12
	}
	if o.Rate == 0 {
		o.Rate = 0.3
	}
	if o.L2 == 0 {
		o.L2 = 1e-5
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MaxBalance == 0 {
		o.MaxBalance = 6
	}
	if o.NormPower == 0 {
		o.NormPower = 0.5
	}
	return o
}

// Example is one training comment.
type Example struct {
	// Buckets holds the comment's feature buckets, one entry per
	// occurrence (for the same Bits as the options).
	Buckets []uint32
	// Labels has bit h set when head h applies.
	Labels uint32
	// Known has bit h set when the example says anything about head h: a
	// public data set labelled for offensive language says nothing about
	// advertising. Heads not known are not trained on the example.
	Known uint32
	// Weight of the example (0 counts as 1).
	Weight float64
}

// ErrTrain is returned for examples or options that cannot be trained on.
var ErrTrain = errors.New("learn: cannot train")

// Train fits one logistic regression per head with AdaGrad. It is
// deterministic. thresholds are the decision thresholds to record (nil for
// 0.5 each).
func Train(examples []Example, heads []string, opts Options, thresholds []float64) (*Model, error) {
	opts = opts.withDefaults()
	nh := len(heads)
	switch {
	case nh == 0 || nh > MaxHeads:
		return nil, fmt.Errorf("%w: %d heads (1 to %d)", ErrTrain, nh, MaxHeads)
	case len(examples) == 0:
		return nil, fmt.Errorf("%w: no examples", ErrTrain)
	case thresholds != nil && len(thresholds) != nh:
		return nil, fmt.Errorf("%w: %d thresholds for %d heads", ErrTrain, len(thresholds), nh)
	case opts.Bits < 8 || opts.Bits > 24:
		return nil, fmt.Errorf("%w: %d bits (8 to 24)", ErrTrain, opts.Bits)
	}
	dim := 1 << opts.Bits
	for i, ex := range examples {
		for _, b := range ex.Buckets {
			if int(b) >= dim {
				return nil, fmt.Errorf("%w: example %d has bucket %d of %d", ErrTrain, i, b, dim)
			}
		}
	}
	// Class weights.
	pos := make([]int, nh)
	neg := make([]int, nh)
	for _, ex := range examples {
		for h := range nh {
			if ex.Known&(1<<h) == 0 {
				continue
			}
			if ex.Labels&(1<<h) != 0 {
				pos[h]++
			} else {
				neg[h]++
			}
		}
	}
	posW := make([]float64, nh)
	for h := range nh {
		posW[h] = 1
		if opts.Balance && pos[h] > 0 {
			posW[h] = min(math.Sqrt(float64(neg[h])/float64(pos[h])), opts.MaxBalance)
			posW[h] = max(posW[h], 1)
		}
	}

	w := make([]float64, dim*nh)
	acc := make([]float64, dim*nh) // AdaGrad's sums of squared gradients
	bias := make([]float64, nh)
	accB := make([]float64, nh)
	const eps = 1e-8
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	var z, grad [MaxHeads]float64
	for epoch := range opts.Epochs {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(epoch)))
		for i := len(order) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			order[i], order[j] = order[j], order[i]
		}
		for _, idx := range order {
			ex := &examples[idx]
			if len(ex.Buckets) == 0 {
				continue
			}
			norm := Norm(len(ex.Buckets), opts.NormPower)
			weight := ex.Weight
			if weight == 0 {
				weight = 1
			}
			for h := range nh {
				z[h] = 0
			}
			for _, b := range ex.Buckets {
				base := int(b) * nh
				for h := range nh {
					z[h] += w[base+h]
				}
			}
			any := false
			for h := range nh {
				grad[h] = 0
				if ex.Known&(1<<h) == 0 {
					continue
				}
				p := sigmoid(bias[h] + float64(norm*z[h]))
				y := 0.0
				cw := weight
				if ex.Labels&(1<<h) != 0 {
					y = 1
					cw = float64(weight * posW[h])
				}
				grad[h] = float64((p - y) * cw)
				g := grad[h]
				accB[h] += float64(g * g)
				bias[h] -= float64(opts.Rate*g) / (math.Sqrt(accB[h]) + eps)
				any = true
			}
			if !any {
				continue
			}
			for _, b := range ex.Buckets {
				base := int(b) * nh
				for h := range nh {
					g := grad[h]
					if g == 0 {
						continue
					}
					k := base + h
					gi := float64(g*norm) + float64(opts.L2*w[k])
					acc[k] += float64(gi * gi)
					w[k] -= float64(opts.Rate*gi) / (math.Sqrt(acc[k]) + eps)
				}
			}
		}
	}

	// A head with no positive example never fires.
	for h := range nh {
		if pos[h] == 0 {
			bias[h] = -30
		}
	}
	m := &Model{Heads: append([]string(nil), heads...), Bits: opts.Bits, weights: make([]int8, dim*nh), scale: make([]float64, nh), bias: bias}
	m.Thresholds = make([]float64, nh)
	for h := range nh {
		m.Thresholds[h] = 0.5
		if thresholds != nil {
			m.Thresholds[h] = thresholds[h]
		}
	}
	// int8 weights, one scale per head.
	for h := range nh {
		top := 0.0
		for b := range dim {
			top = max(top, math.Abs(w[b*nh+h]))
		}
		if top == 0 {
			top = 1
		}
		m.scale[h] = top / 127
	}
	nonZero := 0
	for i, x := range w {
		q := math.Round(x / m.scale[i%nh])
		m.weights[i] = int8(max(-127, min(127, q)))
		if m.weights[i] != 0 {
			nonZero++
		}
	}
	m.buildRows()
	m.Info = Info{Options: opts, Examples: len(examples), Positives: pos, NonZero: nonZero}
	return m, nil
}

// Finish records the manifest and computes the model's identity; call it
// once the Info is complete.
func (m *Model) Finish() error {
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	d, err := Decode(data)
	if err != nil {
		return err
	}
	m.id = d.id
	return nil
}

// BestThreshold returns the probability threshold that gives the highest
// F-beta score (beta < 1 favours precision) on scored examples, and that
// score. Candidate thresholds are the scores themselves, at least floor.
func BestThreshold(scores []float64, labels []bool, beta, floor float64) (float64, float64) {
	type sl struct {
		s float64
		l bool
	}
	xs := make([]sl, len(scores))
	total := 0
	for i := range scores {
		xs[i] = sl{scores[i], labels[i]}
		if labels[i] {
			total++
		}
	}
	// Sort descending by score; ties keep their order for determinism.
	slices.SortStableFunc(xs, func(a, b sl) int { return cmp.Compare(b.s, a.s) })
	b2 := beta * beta
	bestT, bestF := 0.5, -1.0
	tp, fp := 0, 0
	for i, x := range xs {
		if x.l {
			tp++
		} else {
			fp++
		}
		if i+1 < len(xs) && xs[i+1].s == x.s {
			continue
		}
		if x.s < floor {
			break
		}
		fn := total - tp
		f := (1 + b2) * float64(tp) / ((1+b2)*float64(tp) + b2*float64(fn) + float64(fp))
		if f > bestF {
			// Half-way to the next lower score, so the threshold does not
			// sit on a training score.
			t := x.s
			if i+1 < len(xs) {
				t = (x.s + max(xs[i+1].s, floor)) / 2
			}
			bestT, bestF = t, f
		}
	}
	return bestT, bestF
}
