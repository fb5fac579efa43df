package register

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

var testPDF = []byte("%PDF-1.7\n% test evidence\n%%EOF\n")

func testDelivery() Delivery {
	return Delivery{
		Entry:   moderation.RegisterEntry{ID: 7, Year: 2026, Seq: 42, Number: "KS 2026/0042", Reason: "borttagen kommentar", CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
		PDF:     testPDF,
		Sidecar: []byte(`{"number":"KS 2026/0042"}`),
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"series", "KS 2026/0042", "KS_2026_0042"},
		{"plain", "2026/0001", "2026_0001"},
		{"odd", "../../etc/passwd", "etc_passwd"},
		{"letters", "SOC-2026:7", "SOC-2026_7"},
	}
	for _, tt := range tests {
		if got := FileName(tt.in); got != tt.want {
			t.Errorf("%s: FileName(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "diarium")
	f := Folder{Dir: dir}
	for range 2 { // a repeated delivery rewrites the same files
		if err := f.Deliver(context.Background(), testDelivery()); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, ","), "KS_2026_0042.json,KS_2026_0042.pdf"; got != want {
		t.Errorf("files = %s, want %s (no temporary files left)", got, want)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "KS_2026_0042.pdf"))
	if string(got) != string(testPDF) {
		t.Errorf("pdf content differs")
	}
}

func TestSMTPWithSTARTTLSAndAuth(t *testing.T) {
	srv := startSMTP(t, "uppsikt", "hemligt")
	out := SMTP{Host: "127.0.0.1", Port: srv.port(), Username: "uppsikt", Password: "hemligt",
		From: "uppsikt@gruvberg.se", To: "registrator@gruvberg.se", TLS: &tls.Config{RootCAs: srv.roots, ServerName: "127.0.0.1"}}
	if err := out.Deliver(context.Background(), testDelivery()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.got()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !m.TLS || !m.Authed {
		t.Errorf("tls %v, authed %v; want both", m.TLS, m.Authed)
	}
	if !strings.Contains(m.To, "registrator@gruvberg.se") {
		t.Errorf("RCPT = %q", m.To)
	}
	parsed, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if !strings.Contains(subj, "KS 2026/0042") {
		t.Errorf("subject = %q, want the register number", subj)
	}
	_, params, err := mime.ParseMediaType(parsed.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(parsed.Body, params["boundary"])
	found := map[string][]byte{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			data, _ = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(data), "\r\n", ""))
		}
		found[p.FileName()] = data
	}
	if string(found["KS_2026_0042.pdf"]) != string(testPDF) {
		t.Errorf("attached PDF = %q, want the evidence PDF", found["KS_2026_0042.pdf"])
	}
	if !strings.Contains(string(found["KS_2026_0042.json"]), "KS 2026/0042") {
		t.Errorf("attached sidecar = %q", found["KS_2026_0042.json"])
	}
}

func TestSMTPRefusals(t *testing.T) {
	tests := []struct {
		name  string
		noTLS bool
		pass  string
		want  string
	}{
		{"no STARTTLS", true, "hemligt", "STARTTLS"},
		{"wrong password", false, "fel", "AUTH"},
	}
	for _, tt := range tests {
		srv := startSMTP(t, "uppsikt", "hemligt")
		srv.noTLS = tt.noTLS
		out := SMTP{Host: "127.0.0.1", Port: srv.port(), Username: "uppsikt", Password: tt.pass,
			From: "a@b.se", To: "c@d.se", TLS: &tls.Config{RootCAs: srv.roots, ServerName: "127.0.0.1"}}
		err := out.Deliver(context.Background(), testDelivery())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one mentioning %s", tt.name, err, tt.want)
		}
		if n := len(srv.got()); n != 0 {
			t.Errorf("%s: server accepted %d messages, want 0", tt.name, n)
		}
	}
}

// TestDeliveryRetriedUntilAcknowledged runs the Deliverer against a real
// store, a folder, an SMTP server and an HTTPS webhook that fails twice:
// each outlet gets the entry until it acknowledged it and never again, and
// the entry is marked delivered when the last outlet acknowledged it.
func TestDeliveryRetriedUntilAcknowledged(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir, err := evidence.Open(filepath.Join(t.TempDir(), "ev"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Gruvbergs kommun", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_1", Message: "x",
		Author: moderation.Author{ID: "9", Name: "Åsa"}, CreatedAt: time.Now(), Source: moderation.SourcePoll, SeenAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, Reason: "registrering"},
		func(y, s int) string { return "KS " + time.Now().Format("2006") + "/" + strings.Repeat("0", 3) + "1" })
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		calls int
		keys  []string
	)
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		var body struct {
			Entry     json.RawMessage `json:"entry"`
			PDF       string          `json:"pdf"`
			PDFSHA256 string          `json:"pdf_sha256"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.PDF == "" || len(body.Entry) == 0 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if calls <= 2 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer hook.Close()
	smtpSrv := startSMTP(t, "", "")
	drop := filepath.Join(t.TempDir(), "drop")
	d := New(Options{Store: st, Evidence: dir, Outlets: []Outlet{
		Folder{Dir: drop},
		SMTP{Host: "127.0.0.1", Port: smtpSrv.port(), From: "a@b.se", To: "c@d.se", TLS: &tls.Config{RootCAs: smtpSrv.roots, ServerName: "127.0.0.1"}},
		Webhook{URL: hook.URL, Client: hook.Client()},
	}})

	// No evidence PDF yet: nothing is delivered and nothing fails.
	if n, err := d.DeliverPending(ctx); n != 0 || err != nil {
		t.Fatalf("before evidence: delivered %d, %v; want 0, nil", n, err)
	}
	f, err := dir.Put(ctx, testPDF, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: "pdf", SHA256: f.SHA256, Path: f.Path, Size: f.Size}); err != nil {
		t.Fatal(err)
	}
	// Rounds 1 and 2: the folder and the mail are acknowledged in round 1
	// and never sent again; the webhook fails twice.
	for round := 1; round <= 2; round++ {
		n, err := d.DeliverPending(ctx)
		wantN := 0
		if round == 1 {
			wantN = 2
		}
		if n != wantN || err == nil {
			t.Fatalf("round %d: delivered %d, err %v; want %d and the webhook's failure", round, n, err, wantN)
		}
		es, _ := st.RegisterEntries(ctx, entry.Year)
		if !es[0].Delivered.IsZero() {
			t.Fatalf("round %d: entry marked delivered before every outlet acknowledged", round)
		}
	}
	if n, err := d.DeliverPending(ctx); n != 1 || err != nil {
		t.Fatalf("round 3: delivered %d, %v; want 1 (the webhook), nil", n, err)
	}
	es, _ := st.RegisterEntries(ctx, entry.Year)
	if es[0].Delivered.IsZero() {
		t.Error("entry not marked delivered after every acknowledgement")
	}
	if n, err := d.DeliverPending(ctx); n != 0 || err != nil {
		t.Errorf("round 4: delivered %d, %v; want nothing left", n, err)
	}
	for _, k := range keys {
		if k != entry.Number {
			t.Errorf("Idempotency-Key = %q, want %q", k, entry.Number)
		}
	}
	if n := len(smtpSrv.got()); n != 1 {
		t.Errorf("mails = %d, want 1: an acknowledged outlet is not sent the entry again", n)
	}
	ds, err := st.OutletDeliveries(ctx, entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range ds {
		wantAttempts := 1
		if strings.HasPrefix(dl.Outlet, "webhook:") {
			wantAttempts = 3
		}
		if dl.Attempts != wantAttempts || dl.DeliveredAt.IsZero() {
			t.Errorf("%s: %d attempts, delivered %v; want %d and delivered", dl.Outlet, dl.Attempts, dl.DeliveredAt, wantAttempts)
		}
	}
	if _, err := os.Stat(filepath.Join(drop, FileName(entry.Number)+".json")); err != nil {
		t.Errorf("sidecar in drop folder: %v", err)
	}
}
