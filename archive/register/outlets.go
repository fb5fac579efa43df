package register

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Delivery is one register entry as handed to an outlet: its evidence
// PDF, or, later, the decision addendum filed under the same number.
type Delivery struct {
	Entry moderation.RegisterEntry
	// Document is what PDF is: DocumentEvidence (the comment's evidence
	// PDF) or DocumentDecision (the decision addendum that completes it).
	Document string
	// DecisionID is the decision a decision addendum records (a case
	// reopened and decided again has two under one number).
	DecisionID int64
	PDF        []byte
	Sidecar    []byte // JSON describing the entry (see Sidecar)
}

// What a delivery carries.
const (
	DocumentEvidence = ""         // the evidence PDF, with the entry
	DocumentDecision = "decision" // the decision addendum, after the evidence
)

// BaseName is the base name of the delivery's files: FileName of the
// register number, with "-decision-" and the decision's id for a decision
// addendum ("KS_2026_0042-decision-17"), so that an addendum never
// replaces the evidence PDF, or another addendum, in a drop folder.
func (d Delivery) BaseName() string {
	base := FileName(d.Entry.Number)
	if base != "" && d.Document == DocumentDecision {
		base += "-decision-" + strconv.FormatInt(d.DecisionID, 10)
	}
	return base
}

// key identifies the delivery to an endpoint: the register number, and
// "/decision/" and the decision's id after it for a decision addendum.
func (d Delivery) key() string {
	if d.Document == DocumentDecision {
		return d.Entry.Number + "/decision/" + strconv.FormatInt(d.DecisionID, 10)
	}
	return d.Entry.Number
}

// Outlet hands register entries to the registrar. Deliver returns nil only
// when the entry was acknowledged; it may be called again for the same
// entry (after a crash between the acknowledgement and its record) and must
// then not harm. Name identifies the outlet in the delivery queue: it must
// stay the same for the same destination.
type Outlet interface {
	Name() string
	Deliver(ctx context.Context, d Delivery) error
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9-]+`)

// FileName is the base name of an entry's files: the register number with
// every other character than letters, digits and '-' as '_'
// ("KS 2026/0042" → "KS_2026_0042").
func FileName(number string) string {
	return strings.Trim(unsafeName.ReplaceAllString(number, "_"), "_")
}

// Folder writes NUMBER.pdf and NUMBER.json into Dir (NUMBER-decision-ID.pdf
// and NUMBER-decision-ID.json for a decision addendum).
type Folder struct {
	Dir string
}

// Name identifies the outlet in the delivery queue and in logs.
func (f Folder) Name() string { return "folder:" + f.Dir }

// Deliver writes the PDF, then the sidecar, each atomically.
func (f Folder) Deliver(ctx context.Context, d Delivery) error {
	if err := os.MkdirAll(f.Dir, 0o750); err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	base := d.BaseName()
	if base == "" {
		return errors.New("register folder: entry has no number")
	}
	if err := writeAtomic(ctx, f.Dir, base+".pdf", d.PDF); err != nil {
		return err
	}
	return writeAtomic(ctx, f.Dir, base+".json", d.Sidecar)
}

func writeAtomic(ctx context.Context, dir, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("register folder: write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("register folder: sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	dh, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("register folder: %w", err)
	}
	defer dh.Close()
	if err := dh.Sync(); err != nil {
		return fmt.Errorf("register folder: sync folder: %w", err)
	}
	return nil
}

// SMTP mails entries to the registrar's mailbox, over TLS: STARTTLS by
// default, implicit TLS (SMTPS, port 465) with Security "implicit". Plain
// text (Security "none", for a relay on the same host) carries no password:
// a configured Username is refused there.
type SMTP struct {
	Host     string
	Port     int
	Username string // no authentication when empty
	Password string
	From     string
	To       string
	// Security is how the connection is protected: SMTPStartTLS (the
	// default, except on port 465), SMTPImplicitTLS (the default on port
	// 465) or SMTPPlain.
	Security string
	// TLS is the configuration for the TLS connection; by default the
	// system's roots. ServerName is Host when it is empty.
	TLS *tls.Config
	// Timeout bounds one delivery (default 60 s).
	Timeout time.Duration
	// HelloName is sent in EHLO (default "localhost").
	HelloName string
	// Language is the language of the mail (sv, da, en; sv when empty):
	// the municipality's.
	Language string
}

// How an SMTP outlet protects its connection (SMTP.Security).
const (
	SMTPStartTLS    = "starttls" // plain connection upgraded with STARTTLS, which must be offered
	SMTPImplicitTLS = "implicit" // TLS from the first byte (SMTPS, port 465)
	SMTPPlain       = "none"     // no TLS, and therefore no password
)

// security returns Security with its default filled in.
func (s SMTP) security() string {
	switch {
	case s.Security != "":
		return s.Security
	case s.Port == 465:
		return SMTPImplicitTLS
	default:
		return SMTPStartTLS
	}
}

func (s SMTP) tlsConfig() *tls.Config {
	cfg := s.TLS
	if cfg == nil {
		return &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = s.Host
	}
	return cfg
}

// Name identifies the outlet in the delivery queue and in logs.
func (s SMTP) Name() string { return "smtp:" + s.To + "@" + s.Host }

// Deliver sends one mail with the PDF and the sidecar attached.
func (s SMTP) Deliver(ctx context.Context, d Delivery) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	security := s.security()
	switch security {
	case SMTPStartTLS, SMTPImplicitTLS:
	case SMTPPlain:
		if s.Username != "" {
			return fmt.Errorf("smtp: %s: uppsikt does not send a password over a connection without TLS", addr)
		}
	default:
		return fmt.Errorf("smtp: security %q: write starttls, implicit or none", security)
	}
	var conn net.Conn
	var err error
	if security == SMTPImplicitTLS {
		d := tls.Dialer{Config: s.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if security == SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp: %s does not offer STARTTLS; uppsikt does not send register entries in plain text unless security is none", addr)
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	msg, err := s.message(d)
	if err != nil {
		return err
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(s.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil { // the server's acknowledgement
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := c.Quit(); err != nil {
		return nil // accepted already; a failed QUIT does not undo it
	}
	return nil
}

func (s SMTP) message(d Delivery) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	domain := "uppsikt.invalid"
	if i := strings.LastIndex(s.From, "@"); i >= 0 {
		domain = s.From[i+1:]
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", s.From)
	hdr("To", s.To)
	subject, attached := fmt.Sprintf(mailText(s.Language, "subject"), d.Entry.Number), mailText(s.Language, "attached")
	if d.Document == DocumentDecision {
		subject, attached = fmt.Sprintf(mailText(s.Language, "subject_decision"), d.Entry.Number), mailText(s.Language, "attached_decision")
	}
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+d.BaseName()+"."+strconv.FormatInt(d.Entry.ID, 10)+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
	b.WriteString("\r\n")

	text := fmt.Sprintf("%s: %s\r\n%s: %s\r\n%s: %s\r\n\r\n%s\r\n",
		mailText(s.Language, "number"), d.Entry.Number, mailText(s.Language, "reason"), d.Entry.Reason, mailText(s.Language, "created"), d.Entry.CreatedAt.UTC().Format(time.RFC3339), attached)
	part := func(ctype, name string, data []byte, b64 bool) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", ctype)
		if name != "" {
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		}
		if b64 {
			h.Set("Content-Transfer-Encoding", "base64")
		} else {
			h.Set("Content-Transfer-Encoding", "8bit")
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if !b64 {
			_, err = w.Write(data)
			return err
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			if _, err := io.WriteString(w, enc[:76]+"\r\n"); err != nil {
				return err
			}
			enc = enc[76:]
		}
		_, err = io.WriteString(w, enc+"\r\n")
		return err
	}
	base := d.BaseName()
	if err := errors.Join(
		part("text/plain; charset=utf-8", "", []byte(text), false),
		part("application/pdf", base+".pdf", d.PDF, true),
		part("application/json", base+".json", d.Sidecar, true),
		mw.Close(),
	); err != nil {
		return nil, fmt.Errorf("smtp: message: %w", err)
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// Webhook posts entries as JSON to an HTTPS endpoint: the sidecar's fields
// under "entry", the PDF in base64 under "pdf" with its SHA-256, and
// "document": "decision" for a decision addendum. Any 2xx answer
// acknowledges the entry. The Idempotency-Key is the register number, with
// "/decision/" and the decision's id after it for an addendum.
//
// The endpoint can know the request is uppsikt's by a bearer token
// ("Authorization: Bearer TOKEN"), by a signature of the body, or both, and
// by the client certificate of TLS. The signature is HMAC-SHA256 with the
// shared secret over the timestamp, a full stop and the body, exactly as
// sent; the request carries
//
//	X-Uppsikt-Timestamp: 1764990000              (Unix seconds)
//	X-Uppsikt-Signature: sha256=<64 hex digits>  (hex of the HMAC)
//
// The receiver computes HMAC-SHA256(secret, timestamp + "." + body),
// compares it in constant time, and refuses a timestamp more than a few
// minutes from its clock (a replayed request). See docs/register.md.
type Webhook struct {
	URL    string
	Client *http.Client // a client with a 60 s timeout and TLS when nil
	// Token is sent as "Authorization: Bearer Token" when set.
	Token string
	// SigningSecret signs every request (X-Uppsikt-Signature) when set.
	SigningSecret []byte
	// TLS configures the connection when Client is nil: the CA that signs
	// the endpoint's certificate, a client certificate (TLSFiles.Config).
	TLS *tls.Config
	// Now is the clock of the signature's timestamp (time.Now when nil).
	Now func() time.Time
}

// Headers of a signed webhook request.
const (
	HeaderTimestamp = "X-Uppsikt-Timestamp"
	HeaderSignature = "X-Uppsikt-Signature"
)

// Sign returns the X-Uppsikt-Signature value of body sent at timestamp (Unix
// seconds as written in X-Uppsikt-Timestamp): "sha256=" and the hex of
// HMAC-SHA256(secret, timestamp + "." + body). A receiver written in Go can
// check a request with it and hmac.Equal.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Name identifies the outlet in the delivery queue and in logs.
func (w Webhook) Name() string { return "webhook:" + w.URL }

// Deliver posts one entry.
func (w Webhook) Deliver(ctx context.Context, d Delivery) error {
	sum := sha256.Sum256(d.PDF)
	msg := map[string]any{
		"entry":      json.RawMessage(d.Sidecar),
		"pdf":        base64.StdEncoding.EncodeToString(d.PDF),
		"pdf_sha256": hex.EncodeToString(sum[:]),
		"pdf_name":   d.BaseName() + ".pdf",
	}
	if d.Document != DocumentEvidence {
		msg["document"] = d.Document
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", d.key())
	if w.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.Token)
	}
	if len(w.SigningSecret) > 0 {
		now := time.Now
		if w.Now != nil {
			now = w.Now
		}
		ts := strconv.FormatInt(now().Unix(), 10)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, Sign(w.SigningSecret, ts, body))
	}
	cl := w.Client
	if cl == nil {
		cl = &http.Client{Timeout: 60 * time.Second}
		if w.TLS != nil {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.TLSClientConfig = w.TLS
			defer tr.CloseIdleConnections() // a transport of this delivery alone
			cl.Transport = tr
		}
	}
	resp, err := cl.Do(req)
	if err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("register webhook: answered %s", resp.Status)
	}
	return nil
}
