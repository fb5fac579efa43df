package register

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSFiles names the files an outlet's TLS connection uses; each may be
// empty.
type TLSFiles struct {
	// CAFile is a PEM bundle of the certificates that may sign the
	// server's certificate, in place of the system's roots (a municipality's
	// own CA).
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its private
	// key, for a server that requires one (mutual TLS). Both or neither.
	CertFile string
	KeyFile  string
}

// Config reads the files into a TLS configuration (TLS 1.2 at least). It
// returns nil, nil when no file is named: the defaults then apply.
func (f TLSFiles) Config() (*tls.Config, error) {
	if f == (TLSFiles{}) {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca file %s: no PEM certificate in it", f.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case f.CertFile != "" && f.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
		if err != nil {
			// The error names the files, never the key's content.
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case f.CertFile != "" || f.KeyFile != "":
		return nil, errors.New("client certificate: give both cert_file and key_file")
	}
	return cfg, nil
}
