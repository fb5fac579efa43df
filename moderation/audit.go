package moderation

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// ComputeHash is the hash of an audit entry: SHA-256 over the previous entry's
// hash and every field of this one, so that changing, inserting or removing
// any line breaks every hash after it.
func (e AuditEntry) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(e.PrevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.Actor)
	field(e.Action)
	field(e.Subject)
	field(string(e.Detail))
	return hex.EncodeToString(h.Sum(nil))
}
