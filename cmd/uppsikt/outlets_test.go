package main

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
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/register"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// writeCert issues a certificate (self-signed when ca is nil) and writes it
// and its key as PEM files NAME.pem and NAME.key in dir.
func writeCert(t *testing.T, dir, name string, ca *tls.Certificate, tmpl *x509.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Subject = pkix.Name{CommonName: name}
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.Leaf, ca.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestRegisterOutletsFromConfig builds the outlets from a configuration
// file and delivers through the webhook to an HTTPS endpoint that requires
// the client certificate, the bearer token and the signature.
func TestRegisterOutletsFromConfig(t *testing.T) {
	dir := t.TempDir()
	ca := writeCert(t, dir, "ca", nil, &x509.Certificate{SerialNumber: big.NewInt(1), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature})
	server := writeCert(t, dir, "server", &ca, &x509.Certificate{SerialNumber: big.NewInt(2), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	writeCert(t, dir, "client", &ca, &x509.Certificate{SerialNumber: big.NewInt(3),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err := os.WriteFile(filepath.Join(dir, "hook-token"), []byte("t0k3n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
	got := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte("hmac-key"))
		io.WriteString(m, r.Header.Get("X-Uppsikt-Timestamp")+".")
		m.Write(body)
		if r.Header.Get("Authorization") != "Bearer t0k3n" ||
			r.Header.Get("X-Uppsikt-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) ||
			len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "client" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		got <- r.Header.Get("Idempotency-Key")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()

	yaml := `municipality: {name: Østervig Kommune, country: dk, timezone: Europe/Copenhagen, language: da}
meta:
  app_secret: ${APP_SECRET}
accounts:
  - {key: web, platform: webpage, id: "https://gruvberg.se/", name: Gruvberg, owners: [anna], site: {url: "https://gruvberg.se/", comment: .c, author: .a, time: time, text: .t}}
register:
  outlets:
    - kind: webhook
      url: ` + srv.URL + `/in
      token_file: hook-token
      signing_secret: ${HOOK_SECRET}
      cert_file: client.pem
      key_file: client.key
      ca_file: ca.pem
    - kind: smtp
      host: 127.0.0.1
      port: 465
      from: a@b.se
      to: c@d.se
      ca_file: ca.pem
`
	path := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(k string) string { return map[string]string{"APP_SECRET": "a", "HOOK_SECRET": "hmac-key"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	outlets, err := registerOutlets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(outlets) != 2 {
		t.Fatalf("got %d outlets, want 2", len(outlets))
	}
	d := register.Delivery{Entry: moderation.RegisterEntry{ID: 1, Number: "KS 2026/0001", CreatedAt: time.Now()},
		PDF: []byte("%PDF-1.7\n%%EOF\n"), Sidecar: []byte(`{"number":"KS 2026/0001"}`)}
	if err := outlets[0].Deliver(context.Background(), d); err != nil {
		t.Fatalf("webhook delivery: %v", err)
	}
	if key := <-got; key != "KS 2026/0001" {
		t.Errorf("the endpoint got Idempotency-Key %q, want KS 2026/0001", key)
	}
	smtp, ok := outlets[1].(register.SMTP)
	if !ok {
		t.Fatalf("outlet 1 is %T, want register.SMTP", outlets[1])
	}
	if smtp.TLS == nil || smtp.TLS.RootCAs == nil || !smtp.TLS.RootCAs.Equal(pool) {
		t.Errorf("the SMTP outlet does not trust the configured CA file")
	}
	if smtp.Language != "da" {
		t.Errorf("the SMTP outlet writes its mail in %q, want the municipality's da", smtp.Language)
	}
}
