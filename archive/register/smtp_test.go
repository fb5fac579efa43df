package register

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on 127.0.0.1 for the tests: EHLO,
// STARTTLS with a self-signed certificate, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT. It records every accepted message and refuses AUTH and MAIL before
// STARTTLS.
type smtpServer struct {
	t        testing.TB
	ln       net.Listener
	cert     tls.Certificate
	roots    *x509.CertPool
	user     string
	pass     string
	noTLS    bool // do not offer STARTTLS
	implicit bool // TLS from the first byte (SMTPS), set by startSMTPImplicit
	plainOK  bool // accept mail without TLS (a local relay)
	mu       sync.Mutex
	messages []smtpMessage
	wg       sync.WaitGroup
}

type smtpMessage struct {
	From, To, Data string
	TLS, Authed    bool
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func startSMTP(t testing.TB, user, pass string) *smtpServer {
	t.Helper()
	cert, roots := selfSigned(t)
	return serveSMTP(t, &smtpServer{t: t, cert: cert, roots: roots, user: user, pass: pass})
}

// startSMTPImplicit is startSMTP speaking TLS from the first byte, as on
// port 465, with the certificate cert.
func startSMTPImplicit(t testing.TB, cert tls.Certificate, user, pass string) *smtpServer {
	t.Helper()
	return serveSMTP(t, &smtpServer{t: t, cert: cert, user: user, pass: pass, implicit: true})
}

func serveSMTP(t testing.TB, s *smtpServer) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{s.cert}})
	}
	s.ln = ln
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(conn) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) got() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.messages...)
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	var (
		msg    smtpMessage
		secure = s.implicit
		authed bool
	)
	if tc, ok := conn.(*tls.Conn); ok {
		if err := tc.Handshake(); err != nil {
			return
		}
	}
	say("220 127.0.0.1 ESMTP test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			w.WriteString("250-127.0.0.1\r\n")
			if !secure && !s.noTLS && !s.implicit {
				w.WriteString("250-STARTTLS\r\n")
			}
			if secure {
				w.WriteString("250-AUTH PLAIN\r\n")
			}
			say("250 8BITMIME")
		case "STARTTLS":
			if s.noTLS {
				say("502 not offered")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			secure = true
		case "AUTH":
			parts := strings.Fields(line)
			if !secure || len(parts) != 3 || parts[1] != "PLAIN" {
				say("530 must issue STARTTLS first")
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(parts[2])
			f := strings.Split(string(raw), "\x00")
			if len(f) == 3 && f[1] == s.user && f[2] == s.pass {
				authed = true
				say("235 ok")
			} else {
				say("535 bad credentials")
			}
		case "MAIL":
			if (!secure && !s.plainOK) || (s.user != "" && !authed) {
				say("530 authentication required")
				continue
			}
			msg = smtpMessage{From: line, TLS: secure, Authed: authed}
			say("250 ok")
		case "RCPT":
			msg.To = line
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			msg.Data = b.String()
			s.mu.Lock()
			s.messages = append(s.messages, msg)
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}
