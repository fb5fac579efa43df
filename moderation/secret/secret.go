// Package secret seals secrets that uppsikt must keep in its store, such
// as the page access tokens set with "uppsikt account token set", so that
// the database file, its backups and its archive copies never hold them in
// clear text.
//
// A Key is 32 random bytes (AES-256), given to uppsikt in the configuration
// as base64 (secrets.token_key: ${UPPSIKT_TOKEN_KEY}, or token_key_file),
// never stored beside the database. Seal encrypts with AES-256-GCM under a
// fresh random 12-byte nonce and binds the sealed value to what it is for
// (the additional data names the purpose and the account), so a value
// copied to another account's row does not open. The sealed form is
//
//	"v1" || nonce (12 bytes) || ciphertext and tag
//
// and Key.ID, the first 8 hex digits of the key's SHA-256, is stored beside
// it to tell which key sealed it. Standard library only.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the length of a key in bytes.
const KeySize = 32

const version = "v1"

// ErrOpen is returned when a sealed value does not open: the wrong key, the
// wrong account, or a damaged value.
var ErrOpen = errors.New("secret: the sealed value does not open with this key")

// Key is an AES-256 key. Its zero value is no key. It prints, formats and
// logs as "[redacted]".
type Key struct {
	aead cipher.AEAD
	id   string
}

// ParseKey reads a key written as base64 (standard or URL alphabet, with
// or without padding) of exactly 32 bytes, as "openssl rand -base64 32"
// prints it.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return Key{}, errors.New("secret: the key is not base64 (make one with: openssl rand -base64 32)")
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secret: the key is %d bytes, want %d (make one with: openssl rand -base64 32)", len(raw), KeySize)
	}
	return NewKey(raw)
}

// NewKey makes a Key of 32 raw bytes.
func NewKey(raw []byte) (Key, error) {
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secret: the key is %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("secret: %w", err)
	}
	sum := sha256.Sum256(raw)
	return Key{aead: aead, id: hex.EncodeToString(sum[:4])}, nil
}

// IsZero reports whether k is no key.
func (k Key) IsZero() bool { return k.aead == nil }

// ID names the key without revealing it: the first 8 hex digits of its
// SHA-256.
func (k Key) ID() string { return k.id }

// String never reveals the key.
func (k Key) String() string { return "[redacted]" }

// GoString never reveals the key.
func (k Key) GoString() string { return "secret.Key([redacted])" }

// LogValue never reveals the key.
func (k Key) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Seal encrypts plaintext for purpose (such as "token/" and the account
// key): only Open with the same key and purpose gives it back.
func (k Key) Seal(purpose string, plaintext []byte) ([]byte, error) {
	if k.IsZero() {
		return nil, errors.New("secret: no key")
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secret: nonce: %w", err)
	}
	out := make([]byte, 0, len(version)+len(nonce)+len(plaintext)+k.aead.Overhead())
	out = append(out, version...)
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad(purpose)), nil
}

// Open decrypts a value Seal made for purpose; ErrOpen when the key, the
// purpose or the value is not the one it was sealed with.
func (k Key) Open(purpose string, sealed []byte) ([]byte, error) {
	if k.IsZero() {
		return nil, errors.New("secret: no key")
	}
	n := len(version) + k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() || string(sealed[:len(version)]) != version {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, sealed[len(version):n], sealed[n:], aad(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

func aad(purpose string) []byte { return []byte("uppsikt/" + version + "/" + purpose) }
