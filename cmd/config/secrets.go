package config

import (
	"github.com/uppsikt/uppsikt/moderation/secret"
)

// Secrets configures how uppsikt keeps secrets in its database.
type Secrets struct {
	// TokenKey seals the account tokens set with "uppsikt account token
	// set" (AES-256-GCM, moderation/secret): base64 of 32 random bytes, as
	// "openssl rand -base64 32" prints it. Give it as ${ENV_NAME} or
	// token_key_file, never inline, and never keep it beside the database or
	// its backups. Without it no token is stored, and every Facebook and
	// Instagram account needs its token in this file.
	TokenKey     Secret `yaml:"token_key"`
	TokenKeyFile string `yaml:"token_key_file"`

	key secret.Key
}

// Key returns the token key; its zero value when none is configured.
func (s Secrets) Key() secret.Key { return s.key }

// validateSecrets parses the token key resolved by resolveSecrets. A key
// written inline in the file is refused: the file is often readable by
// more people than the secret should be.
func (c *Config) validateSecrets(loc *locator, cerr *Error) {
	s := &c.Secrets
	if s.TokenKey.Value() == "" {
		return
	}
	if s.TokenKey.raw != "" && !envRef.MatchString(s.TokenKey.raw) {
		cerr.add(loc, "secrets.token_key", "write the key as ${ENV_NAME} or use token_key_file, not inline")
		return
	}
	k, err := secret.ParseKey(s.TokenKey.Value())
	if err != nil {
		field := "secrets.token_key"
		if s.TokenKeyFile != "" {
			field += "_file"
		}
		cerr.add(loc, field, err.Error())
		return
	}
	s.key = k
}
