package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// accountTokens returns the access token of every configured account: the
// one set with "uppsikt account token set" (sealed in the store under
// secrets.token_key) when there is one, else the one in the configuration.
// A stored token that the configured key cannot open is an error, so that
// a wrong key stops the service at start instead of disconnecting every
// account; so is a Facebook or Instagram account with no token at all.
func accountTokens(ctx context.Context, cfg *config.Config, st moderation.Store, log *slog.Logger) (map[string]string, error) {
	return tokensOf(ctx, cfg, st, log, true)
}

// knownTokens is accountTokens for the commands and jobs that also work
// without the platform (snapshots, own-post deletion, objections): an
// account without a token is left out instead of an error.
func knownTokens(ctx context.Context, cfg *config.Config, st moderation.Store, log *slog.Logger) (map[string]string, error) {
	return tokensOf(ctx, cfg, st, log, false)
}

// graphClient is a Graph API client for the configured accounts with the
// given tokens.
func graphClient(cfg *config.Config, tokens map[string]string, log *slog.Logger) *facebook.Client {
	return facebook.NewClient(facebook.ClientOptions{
		GraphURL: cfg.Meta.GraphURL, Version: cfg.Meta.Version, AppID: cfg.Meta.AppID,
		AppSecret: cfg.Meta.AppSecret.Value(), Tokens: tokens, Logger: log.With("part", "graph"),
	})
}

func tokensOf(ctx context.Context, cfg *config.Config, st moderation.Store, log *slog.Logger, required bool) (map[string]string, error) {
	key := cfg.Secrets.Key()
	ts, _ := st.(moderation.TokenStore)
	out := map[string]string{}
	for _, a := range cfg.Accounts {
		tok := a.Token.Value()
		if ts != nil {
			t, err := ts.AccountToken(ctx, a.Key)
			switch {
			case errors.Is(err, moderation.ErrNotFound):
			case err != nil:
				return nil, err
			case key.IsZero():
				log.Warn("a token is stored for the account, but secrets.token_key is not configured: the configured token is used", "account", a.Key)
			case t.KeyID != key.ID():
				return nil, fmt.Errorf("account %s: its stored token was sealed with the key %s, and secrets.token_key is the key %s: configure that key, or set the token again (uppsikt account token set)",
					a.Key, t.KeyID, key.ID())
			default:
				plain, err := key.Open(moderation.TokenPurpose(a.Key), t.Sealed)
				if err != nil {
					return nil, fmt.Errorf("account %s: stored token: %w", a.Key, err)
				}
				tok = string(plain)
			}
		}
		if required && tok == "" && (a.Platform == string(moderation.Facebook) || a.Platform == string(moderation.Instagram)) {
			return nil, fmt.Errorf("account %s has no access token: set one with uppsikt account token set, or give it in the configuration", a.Key)
		}
		if tok != "" {
			out[a.Key] = tok
		}
	}
	return out, nil
}

// runAccountToken is "uppsikt account token set|clear -config FILE
// -account KEY [-by NAME]". set reads the token from standard input (one
// line, never from the command line, where other users could see it) and
// stores it sealed with secrets.token_key; clear removes it, so that the
// configured token is used again. Both are audited, without the token.
func runAccountToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "clear") {
		return groupUsage(env, "account token", "Usage: uppsikt account token set|clear -config FILE -account KEY [-by NAME]  (set reads the token from standard input)",
			args, "want account token set or account token clear")
	}
	verb := args[0]
	fs := newFlagSet(env, "account token "+verb, "-config FILE -account KEY [-by NAME]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	key := fs.String("account", "", "the account's key")
	by := fs.String("by", "cli", "who sets the token, for the audit log")
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	var acct *config.Account
	for i := range cfg.Accounts {
		if cfg.Accounts[i].Key == *key {
			acct = &cfg.Accounts[i]
		}
	}
	if acct == nil || (acct.Platform != string(moderation.Facebook) && acct.Platform != string(moderation.Instagram)) {
		return fmt.Errorf("%w: no Facebook or Instagram account %q in %s", errUsage, *key, *path)
	}
	tk := cfg.Secrets.Key()
	if verb == "set" && tk.IsZero() {
		return fmt.Errorf("%w: secrets.token_key is not configured in %s: a token is stored only sealed with it", errUsage, *path)
	}
	var token string
	if verb == "set" {
		line, err := bufio.NewReader(io.LimitReader(env.stdin, 64<<10)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the token from standard input: %w", err)
		}
		if token = strings.TrimSpace(line); token == "" {
			return fmt.Errorf("%w: give the token on standard input", errUsage)
		}
	}
	st, err := pt.Store(ctx)
	if err != nil {
		return err
	}
	detail := fmt.Appendf(nil, `{"key_id":%q}`, tk.ID())
	switch verb {
	case "set":
		sealed, err := tk.Seal(moderation.TokenPurpose(*key), []byte(token))
		if err != nil {
			return err
		}
		fp := facebook.TokenFingerprint(token)
		if err := st.SetAccountToken(ctx, moderation.AccountToken{AccountKey: *key, Sealed: sealed, KeyID: tk.ID(),
			Fingerprint: fp, SetBy: *by, SetAt: time.Now()}); err != nil {
			return err
		}
		detail = fmt.Appendf(nil, `{"key_id":%q,"fingerprint":%q}`, tk.ID(), fp)
		fmt.Fprintf(env.stdout, "token of %s stored sealed (fingerprint %s); uppsikt uses it from its next start\n", *key, fp)
	case "clear":
		ok, err := st.ClearAccountToken(ctx, *key)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(env.stdout, "no token stored for %s\n", *key)
			return nil
		}
		fmt.Fprintf(env.stdout, "stored token of %s removed; uppsikt uses the configured token from its next start\n", *key)
	}
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: *by, Action: "account.token_" + verb, Subject: *key, Detail: detail}); err != nil {
		return err
	}
	return nil
}
