package register

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test, with the files a
// configuration names: its certificate, and certificates it issues.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // the CA certificate as PEM
	pool *x509.CertPool
	dir  string
	n    int64
}

func newTestCA(t testing.TB, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ca := &testCA{cert: cert, key: key, dir: t.TempDir(), pool: x509.NewCertPool(), n: 1}
	ca.pool.AddCert(cert)
	ca.file = filepath.Join(ca.dir, name+"-ca.pem")
	writePEM(t, ca.file, "CERTIFICATE", der)
	return ca
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// issue returns a certificate for 127.0.0.1 (server) or a client, and the
// files of its certificate and key.
func (ca *testCA) issue(t testing.TB, name string, usage x509.ExtKeyUsage) (cert tls.Certificate, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca.n++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.n), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(ca.dir, name+".pem"), filepath.Join(ca.dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", kder)
	cert, err = tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return cert, certFile, keyFile
}

// registrar is the registrar's HTTPS endpoint: it requires a client
// certificate from its CA, and checks the bearer token and the signature
// the way docs/register.md tells a registrar's system to, with crypto/hmac
// (not Sign). It answers 401 to a request that fails a check.
type registrar struct {
	srv    *httptest.Server
	token  string
	secret []byte
	now    time.Time
	mu     sync.Mutex
	got    []string // Idempotency-Key of each accepted request
	fails  []string // why each refused request was refused
}

func startRegistrar(t *testing.T, serverCA, clientCA *testCA, token string, secret []byte, now time.Time) *registrar {
	t.Helper()
	cert, _, _ := serverCA.issue(t, "registrar", x509.ExtKeyUsageServerAuth)
	r := &registrar{token: token, secret: secret, now: now}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCA.pool}
	r.srv.Config.ErrorLog = nil
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *registrar) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	refuse := func(why string) {
		r.mu.Lock()
		r.fails = append(r.fails, why)
		r.mu.Unlock()
		http.Error(w, why, http.StatusUnauthorized)
	}
	if r.token != "" && req.Header.Get("Authorization") != "Bearer "+r.token {
		refuse("token")
		return
	}
	if r.secret != nil {
		ts := req.Header.Get("X-Uppsikt-Timestamp")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Unix(sec, 0).Sub(r.now).Abs() > 5*time.Minute {
			refuse("timestamp")
			return
		}
		m := hmac.New(sha256.New, r.secret)
		io.WriteString(m, ts+".")
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if !hmac.Equal([]byte(req.Header.Get("X-Uppsikt-Signature")), []byte(want)) {
			refuse("signature")
			return
		}
	}
	var msg struct {
		PDFName string `json:"pdf_name"`
	}
	if err := json.Unmarshal(body, &msg); err != nil || msg.PDFName == "" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.got = append(r.got, req.Header.Get("Idempotency-Key"))
	r.mu.Unlock()
}

func (r *registrar) results() (got, fails []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...), append([]string(nil), r.fails...)
}

// TestWebhookAuthentication delivers to an HTTPS endpoint that requires a
// client certificate and checks a bearer token or an HMAC signature: only
// a request with all of them right is acknowledged.
func TestWebhookAuthentication(t *testing.T) {
	serverCA, clientCA, otherCA := newTestCA(t, "server"), newTestCA(t, "client"), newTestCA(t, "other")
	_, certFile, keyFile := clientCA.issue(t, "uppsikt", x509.ExtKeyUsageClientAuth)
	_, strangerCert, strangerKey := otherCA.issue(t, "stranger", x509.ExtKeyUsageClientAuth)
	now := time.Date(2026, 12, 6, 3, 30, 0, 0, time.UTC)
	secret := []byte("delad hemlighet")
	tests := []struct {
		name          string
		token, secret string // what the registrar checks
		out           Webhook
		files         TLSFiles
		wantErr       string // "" when acknowledged
		wantRefused   string // the registrar's reason, when it answered
	}{
		{name: "bearer token", token: "t0k3n", out: Webhook{Token: "t0k3n"},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}},
		{name: "signature", secret: string(secret), out: Webhook{SigningSecret: secret, Now: func() time.Time { return now }},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}},
		{name: "token and signature", token: "t0k3n", secret: string(secret), out: Webhook{Token: "t0k3n", SigningSecret: secret, Now: func() time.Time { return now }},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}},
		{name: "wrong token", token: "t0k3n", out: Webhook{Token: "fel"},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}, wantErr: "401", wantRefused: "token"},
		{name: "no token", token: "t0k3n", out: Webhook{},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}, wantErr: "401", wantRefused: "token"},
		{name: "wrong secret", secret: string(secret), out: Webhook{SigningSecret: []byte("annan"), Now: func() time.Time { return now }},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}, wantErr: "401", wantRefused: "signature"},
		{name: "old timestamp", secret: string(secret), out: Webhook{SigningSecret: secret, Now: func() time.Time { return now.Add(-time.Hour) }},
			files: TLSFiles{CAFile: serverCA.file, CertFile: certFile, KeyFile: keyFile}, wantErr: "401", wantRefused: "timestamp"},
		{name: "no client certificate", token: "t0k3n", out: Webhook{Token: "t0k3n"},
			files: TLSFiles{CAFile: serverCA.file}, wantErr: "certificate"},
		{name: "client certificate of another CA", token: "t0k3n", out: Webhook{Token: "t0k3n"},
			files: TLSFiles{CAFile: serverCA.file, CertFile: strangerCert, KeyFile: strangerKey}, wantErr: "certificate"},
		{name: "server not signed by the CA file", token: "t0k3n", out: Webhook{Token: "t0k3n"},
			files: TLSFiles{CAFile: otherCA.file, CertFile: certFile, KeyFile: keyFile}, wantErr: "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sec []byte
			if tt.secret != "" {
				sec = []byte(tt.secret)
			}
			reg := startRegistrar(t, serverCA, clientCA, tt.token, sec, now)
			cfg, err := tt.files.Config()
			if err != nil {
				t.Fatal(err)
			}
			out := tt.out
			out.URL, out.TLS = reg.srv.URL+"/inkommande", cfg
			err = out.Deliver(context.Background(), testDelivery())
			got, fails := reg.results()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Deliver: %v (registrar refused: %v)", err, fails)
				}
				if len(got) != 1 || got[0] != "KS 2026/0042" {
					t.Errorf("registrar acknowledged %q, want [KS 2026/0042]", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Deliver error = %v, want one with %q", err, tt.wantErr)
			}
			if len(got) != 0 {
				t.Errorf("registrar acknowledged %q, want nothing", got)
			}
			if tt.wantRefused != "" && (len(fails) != 1 || fails[0] != tt.wantRefused) {
				t.Errorf("registrar refused for %q, want [%s]", fails, tt.wantRefused)
			}
			for _, s := range []string{"t0k3n", "delad hemlighet"} {
				if err != nil && strings.Contains(err.Error(), s) {
					t.Errorf("error %q reveals a secret", err)
				}
			}
		})
	}
}

// TestSignIsDocumented pins the signature to the documented construction
// (docs/register.md has the same example), so that a change breaks the
// registrars' checks only on purpose.
func TestSignIsDocumented(t *testing.T) {
	got := Sign([]byte("secret"), "1764990000", []byte(`{"a":1}`))
	// python3 -c 'import hmac,hashlib; print(hmac.new(b"secret", b"1764990000.{\"a\":1}", hashlib.sha256).hexdigest())'
	want := "sha256=cbb22e919e530405cb6dcb86f6fe9d91e3c556fc9ff403e4fe701d78e32b5542"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestTLSFilesRefusals(t *testing.T) {
	ca := newTestCA(t, "x")
	_, certFile, keyFile := ca.issue(t, "c", x509.ExtKeyUsageClientAuth)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	tests := []struct {
		name  string
		files TLSFiles
		want  string
	}{
		{"cert without key", TLSFiles{CertFile: certFile}, "give both"},
		{"key without cert", TLSFiles{KeyFile: keyFile}, "give both"},
		{"missing CA file", TLSFiles{CAFile: filepath.Join(t.TempDir(), "none.pem")}, "no such file"},
		{"CA file without PEM", TLSFiles{CAFile: notPEM}, "no PEM certificate"},
		{"key that does not match", TLSFiles{CertFile: ca.file, KeyFile: keyFile}, "client certificate"},
	}
	for _, tt := range tests {
		_, err := tt.files.Config()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one with %q", tt.name, err, tt.want)
		}
	}
	if cfg, err := (TLSFiles{}).Config(); cfg != nil || err != nil {
		t.Errorf("no files: got %v, %v; want nil, nil", cfg, err)
	}
}

// TestSMTPSecurity delivers over implicit TLS (SMTPS) and STARTTLS, the
// server's certificate checked against a CA file, and over plain text only
// without a password.
func TestSMTPSecurity(t *testing.T) {
	ca, other := newTestCA(t, "mail"), newTestCA(t, "other")
	cert, _, _ := ca.issue(t, "smtp", x509.ExtKeyUsageServerAuth)
	tests := []struct {
		name     string
		start    func(t *testing.T) *smtpServer
		security string
		user     string
		caFile   string
		wantErr  string
		wantTLS  bool
	}{
		{name: "implicit TLS with a password", security: SMTPImplicitTLS, user: "uppsikt", caFile: ca.file, wantTLS: true,
			start: func(t *testing.T) *smtpServer { return startSMTPImplicit(t, cert, "uppsikt", "hemligt") }},
		{name: "implicit TLS without authentication", security: SMTPImplicitTLS, caFile: ca.file, wantTLS: true,
			start: func(t *testing.T) *smtpServer { return startSMTPImplicit(t, cert, "", "") }},
		{name: "STARTTLS with a CA file", security: SMTPStartTLS, user: "uppsikt", caFile: ca.file, wantTLS: true,
			start: func(t *testing.T) *smtpServer {
				s := &smtpServer{t: t, cert: cert, user: "uppsikt", pass: "hemligt"}
				return serveSMTP(t, s)
			}},
		{name: "STARTTLS by default", user: "uppsikt", caFile: ca.file, wantTLS: true,
			start: func(t *testing.T) *smtpServer {
				return serveSMTP(t, &smtpServer{t: t, cert: cert, user: "uppsikt", pass: "hemligt"})
			}},
		{name: "implicit TLS, server not signed by the CA file", security: SMTPImplicitTLS, user: "uppsikt", caFile: other.file,
			wantErr: "certificate signed by unknown authority",
			start:   func(t *testing.T) *smtpServer { return startSMTPImplicit(t, cert, "uppsikt", "hemligt") }},
		{name: "STARTTLS, server not signed by the CA file", security: SMTPStartTLS, user: "uppsikt", caFile: other.file,
			wantErr: "certificate signed by unknown authority",
			start: func(t *testing.T) *smtpServer {
				return serveSMTP(t, &smtpServer{t: t, cert: cert, user: "uppsikt", pass: "hemligt"})
			}},
		{name: "plain text without a password", security: SMTPPlain,
			start: func(t *testing.T) *smtpServer {
				return serveSMTP(t, &smtpServer{t: t, cert: cert, noTLS: true, plainOK: true})
			}},
		{name: "plain text refuses a password", security: SMTPPlain, user: "uppsikt", wantErr: "does not send a password",
			start: func(t *testing.T) *smtpServer {
				return serveSMTP(t, &smtpServer{t: t, cert: cert, noTLS: true, plainOK: true, user: "uppsikt", pass: "hemligt"})
			}},
		{name: "unknown security", security: "ssl", wantErr: "write starttls, implicit or none",
			start: func(t *testing.T) *smtpServer { return startSMTPImplicit(t, cert, "", "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			cfg, err := TLSFiles{CAFile: tt.caFile}.Config()
			if err != nil {
				t.Fatal(err)
			}
			out := SMTP{Host: "127.0.0.1", Port: srv.port(), Security: tt.security, Username: tt.user, TLS: cfg,
				From: "uppsikt@gruvberg.se", To: "registrator@gruvberg.se"}
			if tt.user != "" {
				out.Password = "hemligt"
			}
			err = out.Deliver(context.Background(), testDelivery())
			msgs := srv.got()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Deliver error = %v, want one with %q", err, tt.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "hemligt") {
					t.Errorf("error %q reveals the password", err)
				}
				if len(msgs) != 0 {
					t.Errorf("server accepted %d messages, want 0", len(msgs))
				}
				return
			}
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.TLS != tt.wantTLS || m.Authed != (tt.user != "") {
				t.Errorf("tls %v, authed %v; want %v, %v", m.TLS, m.Authed, tt.wantTLS, tt.user != "")
			}
			if !strings.Contains(m.Data, "KS_2026_0042.pdf") {
				t.Errorf("the mail has no attachment KS_2026_0042.pdf")
			}
		})
	}
}

func TestSMTPSecurityDefault(t *testing.T) {
	tests := []struct {
		name string
		out  SMTP
		want string
	}{
		{"port 587", SMTP{Port: 587}, SMTPStartTLS},
		{"port 25", SMTP{Port: 25}, SMTPStartTLS},
		{"port 465", SMTP{Port: 465}, SMTPImplicitTLS},
		{"port 465, STARTTLS said", SMTP{Port: 465, Security: SMTPStartTLS}, SMTPStartTLS},
		{"port 2465, implicit said", SMTP{Port: 2465, Security: SMTPImplicitTLS}, SMTPImplicitTLS},
	}
	for _, tt := range tests {
		if got := tt.out.security(); got != tt.want {
			t.Errorf("%s: security = %q, want %q", tt.name, got, tt.want)
		}
	}
}
