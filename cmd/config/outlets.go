package config

import (
	"fmt"
	"os"

	"github.com/uppsikt/uppsikt/archive/register"
)

// TLSFiles returns the outlet's TLS files for register.TLSFiles.Config.
func (o Outlet) TLSFiles() register.TLSFiles {
	return register.TLSFiles{CAFile: o.CAFile, CertFile: o.CertFile, KeyFile: o.KeyFile}
}

// validateOutlets checks the outlets' TLS and authentication keys (kind,
// host, port and URL are checked in validate), resolving their file paths
// against the file's folder.
func (c *Config) validateOutlets(loc *locator, cerr *Error) {
	for i := range c.Register.Outlets {
		o := &c.Register.Outlets[i]
		field := fmt.Sprintf("register.outlets[%d]", i)
		o.CAFile, o.CertFile, o.KeyFile = c.abs(o.CAFile), c.abs(o.CertFile), c.abs(o.KeyFile)
		switch {
		case o.Kind != "smtp" && o.TLS != "":
			cerr.add(loc, field+".tls", "only for an smtp outlet")
		case o.Kind != "smtp":
		case o.TLS == "" || o.TLS == register.SMTPStartTLS || o.TLS == register.SMTPImplicitTLS:
		case o.TLS == register.SMTPPlain:
			if o.Username != "" {
				cerr.add(loc, field+".tls", "none would send the password in plain text: write starttls or implicit, or leave out username")
			}
		default:
			cerr.add(loc, field+".tls", fmt.Sprintf("%q: write starttls, implicit (port 465) or none", o.TLS))
		}
		if o.Kind != "webhook" {
			for _, k := range []struct {
				key string
				set bool
			}{
				{".token", o.Token.raw != ""}, {".token_file", o.TokenFile != ""},
				{".signing_secret", o.SigningSecret.raw != ""}, {".signing_secret_file", o.SigningSecretFile != ""},
			} {
				if k.set {
					cerr.add(loc, field+k.key, "only for a webhook outlet")
				}
			}
		}
		if o.Kind == "folder" && (o.CAFile != "" || o.CertFile != "" || o.KeyFile != "") {
			cerr.add(loc, field+".kind", "a folder outlet has no TLS: leave out ca_file, cert_file and key_file")
			continue
		}
		if o.CAFile != "" {
			if _, err := (register.TLSFiles{CAFile: o.CAFile}).Config(); err != nil {
				cerr.add(loc, field+".ca_file", err.Error())
			}
		}
		if o.CertFile != "" || o.KeyFile != "" {
			if _, err := (register.TLSFiles{CertFile: o.CertFile, KeyFile: o.KeyFile}).Config(); err != nil {
				f := ".cert_file"
				if o.KeyFile == "" {
					f = ".key_file"
				}
				cerr.add(loc, field+f, err.Error())
			}
		}
		if o.Kind == "webhook" && o.Token.Value() == "" && o.SigningSecret.Value() == "" && o.CertFile == "" {
			cerr.warn(loc, field+".url", "the registrar cannot tell uppsikt's requests from anyone else's: give token_file, signing_secret_file, or cert_file and key_file")
		}
	}
}

// warnOpenFiles warns about files holding a secret, other than the *_file
// secrets (resolveSecrets warns about those), that others may read.
func (c *Config) warnOpenFiles(loc *locator, cerr *Error) {
	for i, o := range c.Register.Outlets {
		if o.KeyFile != "" {
			c.warnOpenFile(loc, cerr, fmt.Sprintf("register.outlets[%d].key_file", i), o.KeyFile)
		}
	}
	if c.Capture.CookiesFile != "" {
		c.warnOpenFile(loc, cerr, "capture.cookies_file", c.Capture.CookiesFile)
	}
}

// warnOpenFile warns when the secret file at path may be read or written
// by its group or others (mode & 0o077); a file that cannot be read is
// reported elsewhere.
func (c *Config) warnOpenFile(loc *locator, cerr *Error, field, path string) {
	path = c.abs(path)
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		cerr.warn(loc, field, fmt.Sprintf("%s holds a secret and is open to its group or others (mode %04o): chmod 600 %s (or 400)", path, perm, path))
	}
}

// warnPlainSecret warns about a secret written in the file itself. The
// token key alone is refused (validateSecrets): it unseals every stored
// token. Another inline secret works, and is warned about: the file is
// often readable by more people, and kept in more places (backups,
// version control), than the secret should be.
func (c *Config) warnPlainSecret(loc *locator, cerr *Error, field string) {
	if field == "secrets.token_key" {
		return
	}
	cerr.warn(loc, field, "the secret is written in the file in plain text: give it as ${ENV_NAME} or "+lastName(field)+"_file")
}

func (e *Error) warn(loc *locator, field, msg string) {
	e.Warnings = append(e.Warnings, Problem{Field: field, Line: loc.line(field), Message: msg})
}
