package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// TestCommandsReadStoredTokens: a token set with "uppsikt account token
// set" (and none in the configuration) is what snapshots, own-post
// deletion and objections use, as the service does; they built their Graph
// clients from the configuration alone and had no token. An account with
// no token at all stops the service but not those commands.
func TestCommandsReadStoredTokens(t *testing.T) {
	dir := t.TempDir()
	raw := make([]byte, 32)
	rand.Read(raw)
	path := filepath.Join(dir, "uppsikt.yaml")
	body := "municipality: {name: Gruvbergs kommun, country: se}\npaths: {data: data}\nsecrets: {token_key: \"${TOKEN_KEY}\"}\n" +
		"meta: {app_id: \"1000000000000001\", app_secret: \"${APP_SECRET}\"}\n" +
		"accounts:\n  - {key: fb, platform: facebook, id: \"1000000000000002\", name: Gruvberg, owners: [a]}\n" +
		"  - {key: ig, platform: instagram, id: \"17841400000000101\", name: gruvberg, owners: [a]}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TOKEN_KEY": base64.StdEncoding.EncodeToString(raw), "APP_SECRET": rigSecret}
	cfg, err := config.Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := cfg.Secrets.Key()
	sealed, err := key.Seal(moderation.TokenPurpose("fb"), []byte("EAAB-stored-token"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: "fb", Sealed: sealed, KeyID: key.ID(), SetBy: "anna", SetAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got, err := knownTokens(ctx, cfg, st, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if got["fb"] != "EAAB-stored-token" || len(got) != 1 {
		t.Errorf("knownTokens = %v; want the stored token of fb and nothing for ig", got)
	}
	if tok := graphClient(cfg, got, discardLogger()).Token("fb"); tok != "EAAB-stored-token" {
		t.Errorf("the commands' Graph client has token %q for fb; want the stored one", tok)
	}
	if _, err := accountTokens(ctx, cfg, st, discardLogger()); err == nil {
		t.Error("accountTokens accepted an Instagram account without a token; the service must not start so")
	}
}
