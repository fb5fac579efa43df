package s3test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/uppsikt/uppsikt/archive/evidence/s3store"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// Version is the versitygw release the Makefile installs.
const Version = "v1.8.0"

// Server is one running versitygw.
type Server struct {
	Endpoint  string // "http://127.0.0.1:PORT"
	AccessKey string
	SecretKey string
	Bucket    string // created by Start
	// Root is the folder versitygw serves: a bucket is a folder in it and
	// an object a file (Root/Bucket/KEY).
	Root string
	// Versions is where versitygw keeps objects' earlier versions (a
	// bucket with Object Lock is versioned, as in S3).
	Versions string
	// CAFile is the PEM certificate of the CA that signed the server's
	// certificate, with Options.TLS; "" otherwise.
	CAFile string

	bin  string
	addr string
	tls  []string // --cert and --key, with Options.TLS
	log  *os.File
	cmd  *exec.Cmd
	done chan error
}

// Options choose the bucket Start creates.
type Options struct {
	ObjectLock bool // create the bucket with Object Lock enabled
	// TLS serves https with a certificate for 127.0.0.1 signed by a CA
	// of the test's own (Server.CAFile).
	TLS bool
}

// Binary returns the versitygw binary, reporting it missing through
// testenv.Missing.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("UPPSIKT_VERSITYGW"); p != "" {
		return p
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				p := filepath.Join(dir, "bin", "versitygw")
				if _, err := os.Stat(p); err == nil {
					return p
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	testenv.Missing(t, "versitygw is not installed: run `make versitygw` (go install github.com/versity/versitygw/cmd/versitygw@%s into bin/)", Version)
	return ""
}

// Start runs versitygw on a free loopback port over a new temporary
// folder, creates a bucket and stops the server when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{
		bin:       Binary(t),
		Root:      t.TempDir(),
		Versions:  t.TempDir(),
		AccessKey: "uppsikt-test",
		SecretKey: randomHex(t, 20),
		Bucket:    "evidence",
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	l.Close()
	s.Endpoint = "http://" + s.addr
	if o.TLS {
		s.Endpoint = "https://" + s.addr
		s.CAFile, s.tls = makeCerts(t)
	}
	logPath := filepath.Join(t.TempDir(), "versitygw.log")
	if s.log, err = os.Create(logPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		s.log.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil && len(b) > 0 {
				t.Logf("versitygw log:\n%s", tail(b, 4000))
			}
		}
	})
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in := &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}
	if o.ObjectLock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := s.client(o.TLS).CreateBucket(ctx, in); err != nil {
		t.Fatalf("versitygw: create bucket: %v", err)
	}
	return s
}

// Restart starts the server again after Stop, on the same port and
// folder.
func (s *Server) Restart() error {
	if s.cmd != nil {
		return errors.New("s3test: versitygw is running")
	}
	args := append([]string{"--port", s.addr, "--quiet"}, s.tls...)
	cmd := exec.Command(s.bin, append(args, "posix", "--versioning-dir", s.Versions, s.Root)...)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("s3test: start versitygw: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case werr := <-done:
			s.cmd = nil
			return fmt.Errorf("s3test: versitygw exited at start: %v", werr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("s3test: versitygw does not listen on %s: %w", s.addr, err)
		}
	}
}

// Stop kills the server (an outage); Restart brings it back.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Options are the s3store options that reach this server's bucket.
func (s *Server) Options() s3store.Options {
	return s3store.Options{Endpoint: s.Endpoint, Bucket: s.Bucket, AccessKey: s.AccessKey, SecretKey: s.SecretKey, CAFile: s.CAFile}
}

// Client is a plain S3 client of the server, for a test to do what
// uppsikt never does (delete, overwrite).
func (s *Server) Client() *s3.Client { return s.client(s.CAFile != "") }

func (s *Server) client(tlsOn bool) *s3.Client {
	o := s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
	if tlsOn {
		pool := x509.NewCertPool()
		pem, _ := os.ReadFile(s.CAFile)
		pool.AppendCertsFromPEM(pem)
		o.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	}
	return s3.New(o)
}

// File is where the server keeps the object key of its bucket.
func (s *Server) File(key string) string {
	return filepath.Join(s.Root, s.Bucket, filepath.FromSlash(key))
}

// Port is the server's port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// makeCerts writes a CA and a server certificate for 127.0.0.1 signed by
// it, and returns the CA's file and versitygw's --cert and --key flags.
func makeCerts(t testing.TB) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "uppsikt test CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.pem", "CERTIFICATE", caDER)
	return caFile, []string{"--cert", write("cert.pem", "CERTIFICATE", leafDER), "--key", write("key.pem", "PRIVATE KEY", keyDER)}
}
