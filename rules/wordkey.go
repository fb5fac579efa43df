package rules

import "encoding/binary"

// prefixKey packs the first eight bytes of a word into an integer, the first
// byte lowest; shorter words leave the high bytes zero. Normalised words
// hold no zero bytes, so two words of at most eight bytes are equal exactly
// when their keys are, and a word begins with a prefix p (at most eight
// bytes) exactly when key&maskOf(len(p)) == prefixKey(p).
func prefixKey(w []byte) uint64 {
	if cap(w) >= 8 {
		// Read eight bytes at once and drop what lies beyond the word.
		v := binary.LittleEndian.Uint64(w[:8])
		if len(w) >= 8 {
			return v
		}
		return v & maskOf(len(w))
	}
	var v uint64
	for i := min(len(w), 8) - 1; i >= 0; i-- {
		v = v<<8 | uint64(w[i])
	}
	return v
}

// maskOf is the key mask of the first n bytes of a word.
func maskOf(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(n)) - 1
}

// keySet maps words of at most eight bytes, packed by prefixKey, to a small
// value; an open-addressing table that is read without hashing a string.
type keySet struct {
	keys  []uint64 // 0: empty slot
	vals  []uint8
	shift uint
	n     int // keys in use
}

func newKeySet(n int) keySet {
	size, bits := 16, uint(4)
	for size < 2*n {
		size *= 2
		bits++
	}
	return keySet{keys: make([]uint64, size), vals: make([]uint8, size), shift: 64 - bits}
}

func (k *keySet) slot(key uint64) int {
	mask := len(k.keys) - 1
	i := int((key * 0x9E3779B97F4A7C15) >> k.shift)
	for k.keys[i] != 0 && k.keys[i] != key {
		i = (i + 1) & mask
	}
	return i
}

// or sets the bits v on key; key must not be zero.
func (k *keySet) or(key uint64, v uint8) {
	if 2*(k.n+1) > len(k.keys) {
		k.grow()
	}
	i := k.slot(key)
	if k.keys[i] == 0 {
		k.n++
	}
	k.keys[i] = key
	k.vals[i] |= v
}

// get returns the value of key, 0 when absent.
func (k *keySet) get(key uint64) uint8 {
	if len(k.keys) == 0 {
		return 0
	}
	return k.vals[k.slot(key)]
}

func (k *keySet) grow() {
	old := *k
	*k = newKeySet(max(len(old.keys), 8))
	for i, x := range old.keys {
		if x != 0 {
			j := k.slot(x)
			k.keys[j], k.vals[j] = x, old.vals[i]
			k.n++
		}
	}
}
