package sqlite

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestAccountTokens(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Sidan"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AccountToken(ctx, "fb"); !errors.Is(err, moderation.ErrNotFound) {
		t.Fatalf("no token stored: got %v, want ErrNotFound", err)
	}
	if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "nope", Sealed: []byte{1}, KeyID: "k"}); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("token of an unknown account: got %v, want ErrNotFound", err)
	}
	if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "fb", KeyID: "k"}); err == nil {
		t.Error("a token without sealed bytes was stored")
	}
	for i, sealed := range [][]byte{{1, 2, 3}, {4, 5}} {
		if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "fb", Sealed: sealed, KeyID: "a0b1c2d3", Fingerprint: "fp", SetBy: "anna"}); err != nil {
			t.Fatal(err)
		}
		got, err := st.AccountToken(ctx, "fb")
		if err != nil || !bytes.Equal(got.Sealed, sealed) || got.KeyID != "a0b1c2d3" || got.SetBy != "anna" || got.SetAt.IsZero() {
			t.Errorf("round %d: got %+v, %v", i, got, err)
		}
	}
	if ok, err := st.ClearAccountToken(ctx, "fb"); !ok || err != nil {
		t.Errorf("clear: got %v, %v", ok, err)
	}
	if ok, err := st.ClearAccountToken(ctx, "fb"); ok || err != nil {
		t.Errorf("clear again: got %v, %v; want false", ok, err)
	}
	if _, err := st.AccountToken(ctx, "fb"); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("after clear: got %v, want ErrNotFound", err)
	}
}
