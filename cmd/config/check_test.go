package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var minimalEnv = map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"}

// problems parses yaml (relative paths under dir) and returns its problems
// and warnings as "line N: field: message" strings.
func problems(t *testing.T, yaml, dir string, vars map[string]string) (probs, warns []string) {
	t.Helper()
	cfg, err := Parse([]byte(yaml), "u.yaml", dir, env(vars))
	var ws []Problem
	if err != nil {
		var cerr *Error
		if !errors.As(err, &cerr) {
			t.Fatalf("got %v, want a *config.Error", err)
		}
		for _, p := range cerr.Problems {
			probs = append(probs, p.String())
		}
		ws = cerr.Warnings
	} else {
		ws = cfg.Warnings()
	}
	for _, w := range ws {
		warns = append(warns, w.String())
	}
	return probs, warns
}

func containsAll(t *testing.T, what string, got, wants []string) {
	t.Helper()
	all := strings.Join(got, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("%s do not contain %q; got:\n%s", what, w, all)
		}
	}
}

// TestTypeErrorsNameTheirField: every YAML type error names the key path
// of the value and its line, and one does not hide the next.
func TestTypeErrorsNameTheirField(t *testing.T) {
	accounts := `meta:
  app_secret: ${APP_SECRET}
accounts:
  - key: a
    platform: webpage
    id: https://a.se/
    name: A
    owners: [anna]
  - key: b
    platform: webpage
    id: https://b.se/
    name: B
    owners: [anna]
  - key: c
    platform: webpage
    id: https://c.se/
    name: C
    owners: [anna]
    schedule: [fast, slow]
`
	tests := []struct {
		name  string
		yaml  string
		wants []string
	}{
		{
			name:  "a list where a string belongs",
			yaml:  accounts,
			wants: []string{"line 19: accounts[2].schedule: cannot unmarshal !!seq into string"},
		},
		{
			name:  "text where a number belongs",
			yaml:  minimal + "capture:\n  max_height: high\n",
			wants: []string{"line 12: capture.max_height: cannot unmarshal !!str `high` into int"},
		},
		{
			name:  "a long text, cut in the message",
			yaml:  minimal + "capture:\n  timeout: 30s\n  max_height: very high indeed\n",
			wants: []string{"line 13: capture.max_height: cannot unmarshal !!str `very hi...` into int"},
		},
		{
			name:  "the same text twice on a line, in a flow list",
			yaml:  minimal + "register:\n  outlets:\n    - {kind: smtp, host: h, port: [587], from: a@b, to: c@d}\n",
			wants: []string{"line 13: register.outlets[0].port: cannot unmarshal !!seq into int"},
		},
		{
			name:  "a map where a list belongs",
			yaml:  "meta:\n  app_secret: ${APP_SECRET}\naccounts:\n  key: fb\n",
			wants: []string{"line 4: accounts: cannot unmarshal !!map into []config.Account"},
		},
		{
			name:  "a number where a list belongs",
			yaml:  minimal + "web:\n  trusted_proxies: 5\n",
			wants: []string{"line 12: web.trusted_proxies: cannot unmarshal !!int `5` into []string"},
		},
		{
			name:  "a map where a secret belongs",
			yaml:  "meta:\n  app_secret:\n    value: x\n",
			wants: []string{"line 3: meta.app_secret: cannot unmarshal !!map into a secret"},
		},
		{
			name: "a bad duration does not hide the next error",
			yaml: minimal + `schedules:
  default:
    interval: soon
capture:
  max_height: high
`,
			wants: []string{`line 13: schedules.default.interval: "soon" is not a duration`,
				"line 15: capture.max_height: cannot unmarshal !!str `high` into int"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, _ := problems(t, tt.yaml, t.TempDir(), minimalEnv)
			containsAll(t, "problems", probs, tt.wants)
			for _, p := range probs {
				if strings.Contains(p, "(file)") {
					t.Errorf("a problem without its field: %s", p)
				}
			}
		})
	}
}

// TestSecretWarnings: a secret written in the file, and a secret file its
// group or others may open, are warned about with field and line; they are
// not problems. The token key alone is refused inline.
func TestSecretWarnings(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("s3cret\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	write("open-token", 0o644)
	write("group-token", 0o640)
	write("own-token", 0o600)
	write("ro-token", 0o400)
	write("cookies.json", 0o644)
	tests := []struct {
		name      string
		yaml      string
		wantWarns []string // each must appear
		noWarn    string   // a field no warning may name ("" for none)
		wantProb  string   // a problem that must appear ("" for none)
	}{
		{
			name:      "inline app secret",
			yaml:      strings.Replace(minimal, "${APP_SECRET}", "abc123", 1),
			wantWarns: []string{"line 3: meta.app_secret: the secret is written in the file in plain text: give it as ${ENV_NAME} or app_secret_file"},
		},
		{
			name:      "inline account token",
			yaml:      strings.Replace(minimal, "${PAGE_TOKEN}", "EAAB123", 1),
			wantWarns: []string{"line 10: accounts[0].token: the secret is written in the file in plain text"},
		},
		{
			name:   "from the environment",
			yaml:   minimal,
			noWarn: "meta.app_secret",
		},
		{
			name:      "a token file open to others",
			yaml:      strings.Replace(minimal, "token: ${PAGE_TOKEN}", "token_file: open-token", 1),
			wantWarns: []string{"line 10: accounts[0].token_file: " + filepath.Join(dir, "open-token") + " holds a secret and is open to its group or others (mode 0644)"},
		},
		{
			name:      "a token file open to its group",
			yaml:      strings.Replace(minimal, "token: ${PAGE_TOKEN}", "token_file: group-token", 1),
			wantWarns: []string{"accounts[0].token_file: " + filepath.Join(dir, "group-token") + " holds a secret and is open to its group or others (mode 0640)"},
		},
		{
			name:   "a token file of its owner alone",
			yaml:   strings.Replace(minimal, "token: ${PAGE_TOKEN}", "token_file: own-token", 1),
			noWarn: "accounts[0].token_file",
		},
		{
			name:   "a read-only token file of its owner alone",
			yaml:   strings.Replace(minimal, "token: ${PAGE_TOKEN}", "token_file: ro-token", 1),
			noWarn: "accounts[0].token_file",
		},
		{
			name:      "a cookies file open to others",
			yaml:      minimal + "capture:\n  cookies_file: cookies.json\n",
			wantWarns: []string{"line 12: capture.cookies_file: " + filepath.Join(dir, "cookies.json") + " holds a secret"},
		},
		{
			name:     "the token key inline is refused, not warned about",
			yaml:     minimal + "secrets:\n  token_key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			wantProb: "line 12: secrets.token_key: write the key as ${ENV_NAME} or use token_key_file, not inline",
			noWarn:   "secrets.token_key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, warns := problems(t, tt.yaml, dir, minimalEnv)
			containsAll(t, "warnings", warns, tt.wantWarns)
			if tt.wantProb != "" {
				containsAll(t, "problems", probs, []string{tt.wantProb})
			} else if len(probs) > 0 {
				t.Errorf("problems %q, want none", probs)
			}
			for _, w := range warns {
				if tt.noWarn != "" && strings.Contains(w, tt.noWarn+":") {
					t.Errorf("warning %q, want none for %s", w, tt.noWarn)
				}
				if strings.Contains(w, "s3cret") || strings.Contains(w, "abc123") || strings.Contains(w, "EAAB123") {
					t.Errorf("warning %q shows the secret", w)
				}
			}
		})
	}
}

// testCertFiles writes a self-signed certificate and its key as PEM into
// dir (cert.pem, key.pem, the key 0600).
func testCertFiles(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "uppsikt"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(filepath.Join(dir, "open-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.Chmod(filepath.Join(dir, "open-key.pem"), 0o644)
	os.WriteFile(filepath.Join(dir, "hook-token"), []byte("t0k3n\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "not.pem"), []byte("hello\n"), 0o644)
}

// TestOutletKeys checks the outlets' TLS and authentication keys.
func TestOutletKeys(t *testing.T) {
	dir := t.TempDir()
	testCertFiles(t, dir)
	outlet := func(lines string) string { return minimal + "register:\n  outlets:\n    - " + lines + "\n" }
	smtp := "kind: smtp\n      host: mail.se\n      port: 465\n      from: a@b.se\n      to: c@d.se\n      "
	hook := "kind: webhook\n      url: https://diarium.se/in\n      "
	tests := []struct {
		name      string
		yaml      string
		wantProbs []string
		wantWarns []string
		noWarn    string
	}{
		{name: "smtp implicit TLS with a CA file", yaml: outlet(smtp + "tls: implicit\n      ca_file: cert.pem")},
		{name: "smtp starttls", yaml: outlet(smtp + "tls: starttls")},
		{name: "smtp without TLS and without a password", yaml: outlet(smtp + "tls: none")},
		{name: "smtp without TLS refuses a password", yaml: outlet(smtp + "tls: none\n      username: u\n      password: ${APP_SECRET}"),
			wantProbs: []string{"line 18: register.outlets[0].tls: none would send the password in plain text"}},
		{name: "smtp unknown tls", yaml: outlet(smtp + "tls: ssl"),
			wantProbs: []string{`line 18: register.outlets[0].tls: "ssl": write starttls, implicit (port 465) or none`}},
		{name: "tls on a webhook", yaml: outlet(hook + "tls: implicit\n      token_file: hook-token"),
			wantProbs: []string{"line 15: register.outlets[0].tls: only for an smtp outlet"}},
		{name: "a token on smtp", yaml: outlet(smtp + "token_file: hook-token"),
			wantProbs: []string{"line 18: register.outlets[0].token_file: only for a webhook outlet"}},
		{name: "webhook with a token file", yaml: outlet(hook + "token_file: hook-token"), noWarn: "register.outlets[0]"},
		{name: "webhook with a signing secret", yaml: outlet(hook + "signing_secret: ${APP_SECRET}"), noWarn: "register.outlets[0]"},
		{name: "webhook with a client certificate", yaml: outlet(hook + "cert_file: cert.pem\n      key_file: key.pem\n      ca_file: cert.pem"), noWarn: "register.outlets[0]"},
		{name: "webhook without authentication", yaml: outlet(hook),
			wantWarns: []string{"line 14: register.outlets[0].url: the registrar cannot tell uppsikt's requests from anyone else's"}},
		{name: "a client key open to others", yaml: outlet(hook + "cert_file: cert.pem\n      key_file: open-key.pem"),
			wantWarns: []string{"line 16: register.outlets[0].key_file: " + filepath.Join(dir, "open-key.pem") + " holds a secret and is open to its group or others (mode 0644)"}},
		{name: "a certificate without its key", yaml: outlet(hook + "token_file: hook-token\n      cert_file: cert.pem"),
			wantProbs: []string{"register.outlets[0].key_file: client certificate: give both cert_file and key_file"}},
		{name: "a CA file that is not PEM", yaml: outlet(hook + "token_file: hook-token\n      ca_file: not.pem"),
			wantProbs: []string{"line 16: register.outlets[0].ca_file: ca file " + filepath.Join(dir, "not.pem") + ": no PEM certificate in it"}},
		{name: "a missing CA file", yaml: outlet(hook + "token_file: hook-token\n      ca_file: none.pem"),
			wantProbs: []string{"line 16: register.outlets[0].ca_file: ca file: open " + filepath.Join(dir, "none.pem")}},
		{name: "TLS files on a folder", yaml: outlet("kind: folder\n      path: /srv/in\n      ca_file: cert.pem"),
			wantProbs: []string{"register.outlets[0].kind: a folder outlet has no TLS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, warns := problems(t, tt.yaml, dir, minimalEnv)
			containsAll(t, "problems", probs, tt.wantProbs)
			if len(tt.wantProbs) == 0 && len(probs) > 0 {
				t.Errorf("problems %q, want none", probs)
			}
			containsAll(t, "warnings", warns, tt.wantWarns)
			for _, w := range warns {
				if tt.noWarn != "" && strings.Contains(w, tt.noWarn) {
					t.Errorf("warning %q, want none for %s", w, tt.noWarn)
				}
				if strings.Contains(w, "t0k3n") {
					t.Errorf("warning %q shows the token", w)
				}
			}
		})
	}
}

// TestOutletSecretsResolved: the webhook's token and signing secret are
// read from their files or the environment, and the TLS files' paths are
// made absolute against the file's folder.
func TestOutletSecretsResolved(t *testing.T) {
	dir := t.TempDir()
	testCertFiles(t, dir)
	yaml := minimal + `register:
  outlets:
    - kind: webhook
      url: https://diarium.se/in
      token_file: hook-token
      signing_secret: ${HOOK_SECRET}
      cert_file: cert.pem
      key_file: key.pem
`
	cfg, err := Parse([]byte(yaml), "u.yaml", dir, env(map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t", "HOOK_SECRET": "hmac-key"}))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Register.Outlets[0]
	if got, want := o.Token.Value(), "t0k3n"; got != want {
		t.Errorf("token: got %q, want %q", got, want)
	}
	if got, want := o.SigningSecret.Value(), "hmac-key"; got != want {
		t.Errorf("signing secret: got %q, want %q", got, want)
	}
	if got, want := o.TLSFiles().CertFile, filepath.Join(dir, "cert.pem"); got != want {
		t.Errorf("cert file: got %q, want %q", got, want)
	}
	tlsCfg, err := o.TLSFiles().Config()
	if err != nil || tlsCfg == nil || len(tlsCfg.Certificates) != 1 {
		t.Errorf("TLS config: got %v, %v; want one client certificate", tlsCfg, err)
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("warnings %v, want none", w)
	}
}
