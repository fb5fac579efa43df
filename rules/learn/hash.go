package learn

// FNV-1a, 64 bits. It is simple, fast on short keys and has no
// per-process seed, so a feature hashes to the same bucket in training and
// in the running service.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Hasher builds the hash of one feature name from parts, without
// allocating: h := Start(ns); h = h.Bytes(word); ...
type Hasher uint64

// Start begins a feature name in namespace ns (a byte that keeps, say, the
// word "kr" apart from the character trigram "kr").
func Start(ns byte) Hasher { return Hasher((fnvOffset ^ uint64(ns)) * fnvPrime) }

// Bytes adds b to the name.
func (h Hasher) Bytes(b []byte) Hasher {
	x := uint64(h)
	for _, c := range b {
		x = (x ^ uint64(c)) * fnvPrime
	}
	return Hasher(x)
}

// String adds s to the name.
func (h Hasher) String(s string) Hasher {
	x := uint64(h)
	for i := 0; i < len(s); i++ {
		x = (x ^ uint64(s[i])) * fnvPrime
	}
	return Hasher(x)
}

// Byte adds one byte to the name.
func (h Hasher) Byte(c byte) Hasher { return Hasher((uint64(h) ^ uint64(c)) * fnvPrime) }

// Bucket is the feature's bucket in a table of 2^bits.
func (h Hasher) Bucket(bits uint8) uint32 {
	x := uint64(h)
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	return uint32(x) & (1<<bits - 1)
}
