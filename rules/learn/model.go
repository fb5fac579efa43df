package learn

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// MaxHeads bounds the heads of one model (a fixed array holds the sums).
const MaxHeads = 16

// Model is a trained multi-label linear model. It is safe for concurrent
// use once built.
type Model struct {
	// Heads names what each output scores: removal categories, "question",
	// "register".
	Heads []string
	// Bits: the model has 2^Bits feature buckets.
	Bits uint8
	// Thresholds are the default decision thresholds on the probability,
	// one per head, chosen on cross-validation folds when the model was
	// trained.
	Thresholds []float64
	// Info records what the model was trained from and how.
	Info Info

	weights []int8    // bucket-major: weights[b*len(Heads)+h]
	rows    []byte    // the same, biased by 128, 16 bytes a bucket: what Scores reads
	scale   []float64 // per head: weight = int8 × scale
	bias    []float64 // per head
	id      string
}

// Info is the model's manifest.
type Info struct {
	// Trainer names the training code's version; it changes whenever the
	// features or the training change what a model holds.
	Trainer string `json:"trainer"`
	// Options are the training options.
	Options Options `json:"options"`
	// Inputs are the data the model was trained from, with their hashes.
	Inputs []Input `json:"inputs"`
	// Examples is the number of training examples; Positives their count
	// per head.
	Examples  int   `json:"examples"`
	Positives []int `json:"positives"`
	// NonZero is the number of non-zero weights.
	NonZero int `json:"non_zero"`
	// Thresholds says how the thresholds were chosen.
	Thresholds string `json:"thresholds,omitempty"`
}

// Input is one file or data set a model was trained from.
type Input struct {
	Name     string `json:"name"`
	SHA256   string `json:"sha256"`
	Examples int    `json:"examples"`
}

// ID names the model: the first 12 hex digits of the SHA-256 of its
// encoding.
func (m *Model) ID() string { return m.id }

// Head returns the index of the named head, or -1.
func (m *Model) Head(name string) int {
	for i, h := range m.Heads {
		if h == name {
			return i
		}
	}
	return -1
}

// Norm is the value of each feature occurrence in a comment with n of
// them: n^-power (power 0.5, the default, scales a comment's feature vector
// to unit length when no feature repeats).
func Norm(n int, power float64) float64 {
	switch {
	case n <= 0:
		return 0
	case power == 0.5:
		return 1 / math.Sqrt(float64(n))
	}
	return math.Pow(float64(n), -power)
}

// norm is Norm with the model's power.
func (m *Model) norm(n int) float64 { return Norm(n, m.Info.Options.NormPower) }

// Scores writes the probability of every head for a comment with the given
// feature buckets (one entry per occurrence) into out, which must have
// len(m.Heads) elements.
//
// Each bucket's weights are 16 bytes (one per head, biased by 128), read
// as two 64-bit words and added in 16-bit lanes, four heads an addition
// (SWAR); the lanes are emptied into the sums every 256 features, before
// they could overflow.
func (m *Model) Scores(buckets []uint32, out []float64) {
	const lo = 0x00FF00FF00FF00FF
	var sums [MaxHeads]int64
	var a0, a1, a2, a3 uint64
	n := 0
	flush := func() {
		for j := range 4 {
			sh := 16 * j
			sums[2*j] += int64(a0>>sh&0xFFFF) - 128*int64(n)
			sums[2*j+1] += int64(a1>>sh&0xFFFF) - 128*int64(n)
			sums[8+2*j] += int64(a2>>sh&0xFFFF) - 128*int64(n)
			sums[9+2*j] += int64(a3>>sh&0xFFFF) - 128*int64(n)
		}
		a0, a1, a2, a3, n = 0, 0, 0, 0, 0
	}
	rows := m.rows
	for _, b := range buckets {
		r := rows[int(b)*16 : int(b)*16+16]
		x, y := binary.LittleEndian.Uint64(r), binary.LittleEndian.Uint64(r[8:])
		a0 += x & lo
		a1 += x >> 8 & lo
		a2 += y & lo
		a3 += y >> 8 & lo
		if n++; n == 256 {
			flush()
		}
	}
	flush()
	norm := m.norm(len(buckets))
	for h := range m.Heads {
		out[h] = sigmoid(m.bias[h] + m.scale[h]*norm*float64(sums[h]))
	}
}

// buildRows lays the weights out for Scores.
func (m *Model) buildRows() {
	nh := len(m.Heads)
	dim := len(m.weights) / nh
	m.rows = make([]byte, dim*16)
	for b := range dim {
		for h := range 16 {
			w := int8(0)
			if h < nh {
				w = m.weights[b*nh+h]
			}
			m.rows[b*16+h] = byte(int(w) + 128)
		}
	}
}

// Weight is the weight of one bucket for one head.
func (m *Model) Weight(bucket uint32, head int) float64 {
	return float64(m.weights[int(bucket)*len(m.Heads)+head]) * m.scale[head]
}

// Contribution is one feature's part in a score.
type Contribution struct {
	Bucket uint32
	// Weight is its push on the log-odds: weight × occurrences × norm.
	Weight float64
	// First is the index of its first occurrence in the buckets given to
	// Top, so that the caller can name it.
	First int
}

// Top returns, for each of the given heads, the features of a comment that
// pushed its score up most, at most k of them, strongest first; each
// feature (bucket) is counted once with the sum of its occurrences, and
// named by its first occurrence. buckets are the comment's feature
// occurrences, as given to Scores.
func (m *Model) Top(buckets []uint32, heads []int, k int) [][]Contribution {
	// Each occurrence as bucket<<32 | index: sorted, the occurrences of a
	// bucket are together, its first one first.
	occs := make([]uint64, len(buckets))
	for i, b := range buckets {
		occs[i] = uint64(b)<<32 | uint64(i)
	}
	slices.Sort(occs)
	norm := m.norm(len(buckets))
	out := make([][]Contribution, len(heads))
	for i := 0; i < len(occs); {
		b := uint32(occs[i] >> 32)
		j := i + 1
		for j < len(occs) && uint32(occs[j]>>32) == b {
			j++
		}
		n := float64(j - i)
		for hi, h := range heads {
			w := m.Weight(b, h) * n * norm
			if w <= 0 {
				continue
			}
			out[hi] = insertTop(out[hi], Contribution{Bucket: b, Weight: w, First: int(uint32(occs[i]))}, k)
		}
		i = j
	}
	return out
}

// insertTop adds c to top, kept strongest first (earlier first occurrence
// first among equals) and at most k long.
func insertTop(top []Contribution, c Contribution, k int) []Contribution {
	at := len(top)
	for at > 0 && (top[at-1].Weight < c.Weight || top[at-1].Weight == c.Weight && top[at-1].First > c.First) {
		at--
	}
	if at >= k {
		return top
	}
	if len(top) < k {
		top = append(top, Contribution{})
	}
	copy(top[at+1:], top[at:len(top)-1])
	top[at] = c
	return top
}

func sigmoid(x float64) float64 {
	if x < -40 {
		return 0
	}
	return 1 / (1 + math.Exp(-x))
}

// The encoding: a magic line, a little-endian uint32 length and a JSON
// header, then the weights compressed with DEFLATE.
const magic = "uppsikt linear model 1\n"

type header struct {
	Heads      []string  `json:"heads"`
	Bits       uint8     `json:"bits"`
	Scale      []float64 `json:"scale"`
	Bias       []float64 `json:"bias"`
	Thresholds []float64 `json:"thresholds"`
	Info       Info      `json:"info"`
}

// ErrFormat is returned for a model file uppsikt cannot read.
var ErrFormat = errors.New("learn: not a model file")

// MarshalBinary encodes the model.
func (m *Model) MarshalBinary() ([]byte, error) {
	hdr, err := json.Marshal(header{Heads: m.Heads, Bits: m.Bits, Scale: m.scale, Bias: m.bias, Thresholds: m.Thresholds, Info: m.Info})
	if err != nil {
		return nil, fmt.Errorf("learn: encoding the header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(magic)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	buf.Write(hdr)
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, len(m.weights))
	for i, w := range m.weights {
		raw[i] = byte(w)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads a model encoded by MarshalBinary.
func Decode(data []byte) (*Model, error) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok || len(rest) < 4 {
		return nil, ErrFormat
	}
	n := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if uint64(n) > uint64(len(rest)) {
		return nil, fmt.Errorf("%w: header of %d bytes in %d", ErrFormat, n, len(rest))
	}
	var h header
	if err := json.Unmarshal(rest[:n], &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrFormat, err)
	}
	nh := len(h.Heads)
	switch {
	case nh == 0 || nh > MaxHeads:
		return nil, fmt.Errorf("%w: %d heads", ErrFormat, nh)
	case h.Bits < 8 || h.Bits > 24:
		return nil, fmt.Errorf("%w: %d bits", ErrFormat, h.Bits)
	case len(h.Scale) != nh || len(h.Bias) != nh || len(h.Thresholds) != nh:
		return nil, fmt.Errorf("%w: scales, biases or thresholds do not match the %d heads", ErrFormat, nh)
	}
	want := (1 << h.Bits) * nh
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(rest[n:])), int64(want)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: weights: %w", ErrFormat, err)
	}
	if len(raw) != want {
		return nil, fmt.Errorf("%w: %d weights, want %d", ErrFormat, len(raw), want)
	}
	m := &Model{Heads: h.Heads, Bits: h.Bits, Thresholds: h.Thresholds, Info: h.Info, scale: h.Scale, bias: h.Bias, weights: make([]int8, want)}
	for i, b := range raw {
		m.weights[i] = int8(b)
	}
	m.buildRows()
	sum := sha256.Sum256(data)
	m.id = hex.EncodeToString(sum[:])[:12]
	return m, nil
}

// Equal reports whether two models hold the same heads, weights, biases,
// thresholds and manifest (the encoding's compressed bytes may differ
// between Go versions; the model may not).
func Equal(a, b *Model) (bool, string) {
	ha, _ := json.Marshal(header{Heads: a.Heads, Bits: a.Bits, Scale: a.scale, Bias: a.bias, Thresholds: a.Thresholds, Info: a.Info})
	hb, _ := json.Marshal(header{Heads: b.Heads, Bits: b.Bits, Scale: b.scale, Bias: b.bias, Thresholds: b.Thresholds, Info: b.Info})
	if !bytes.Equal(ha, hb) {
		return false, fmt.Sprintf("headers differ:\n%s\n%s", ha, hb)
	}
	for i := range a.weights {
		if a.weights[i] != b.weights[i] {
			return false, fmt.Sprintf("weight %d (bucket %d, head %s) is %d, want %d", i, i/len(a.Heads), a.Heads[i%len(a.Heads)], a.weights[i], b.weights[i])
		}
	}
	return true, ""
}
