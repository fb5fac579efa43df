package secret

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func newKey(t *testing.T) (Key, string) {
	t.Helper()
	raw := make([]byte, KeySize)
	rand.Read(raw)
	s := base64.StdEncoding.EncodeToString(raw)
	k, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k, s
}

func TestSealOpen(t *testing.T) {
	k, _ := newKey(t)
	other, _ := newKey(t)
	token := []byte("EAAG-page-token-1234567890")
	sealed, err := k.Seal("token/fb", token)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, token) || bytes.Contains(sealed, []byte("EAAG")) {
		t.Fatalf("sealed value holds the token in clear: %q", sealed)
	}
	again, _ := k.Seal("token/fb", token)
	if bytes.Equal(sealed, again) {
		t.Error("sealing twice gave the same bytes: the nonce is not fresh")
	}
	got, err := k.Open("token/fb", sealed)
	if err != nil || !bytes.Equal(got, token) {
		t.Fatalf("Open: got %q, %v", got, err)
	}
	damaged := bytes.Clone(sealed)
	damaged[len(damaged)-1] ^= 1
	for _, tc := range []struct {
		name    string
		key     Key
		purpose string
		sealed  []byte
	}{
		{"another key", other, "token/fb", sealed},
		{"another account", k, "token/ig", sealed},
		{"damaged", k, "token/fb", damaged},
		{"truncated", k, "token/fb", sealed[:10]},
		{"empty", k, "token/fb", nil},
	} {
		if _, err := tc.key.Open(tc.purpose, tc.sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: got %v, want ErrOpen", tc.name, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"standard base64", base64.StdEncoding.EncodeToString(raw), true},
		{"url base64 without padding and a newline", base64.RawURLEncoding.EncodeToString(raw) + "\n", true},
		{"16 bytes", base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"not base64", "this is not a key!", false},
		{"empty", "", false},
	} {
		k, err := ParseKey(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), tc.in) && tc.in != "" {
			t.Errorf("%s: the error shows the key: %v", tc.name, err)
		}
		if tc.ok && len(k.ID()) != 8 {
			t.Errorf("%s: id %q", tc.name, k.ID())
		}
	}
}

func TestKeyNeverPrints(t *testing.T) {
	k, s := newKey(t)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), logged.String()} {
		if strings.Contains(out, s) || !strings.Contains(out, "redacted") {
			t.Errorf("printed: %q", out)
		}
	}
}
