package register

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// registerTables are the fixed texts of the registrar mail and of register
// reasons per language.
func registerTables() map[string][]string {
	out := map[string][]string{}
	for _, lang := range Languages() {
		for _, t := range mailWords[lang] {
			out[lang] = append(out[lang], t)
		}
		for _, why := range []string{decide.ReasonRegister, decide.ReasonHidden, decide.ReasonRemoved, moderation.DecideRemove,
			moderation.DecideKeep, moderation.DecideRegister, moderation.DecideEscalate, moderation.DecideReopen} {
			out[lang] = append(out[lang], decide.RegisterReason(lang, why, nil, ""))
		}
		for _, c := range moderation.Categories() {
			out[lang] = append(out[lang], decide.CategoryName(lang, c))
		}
	}
	return out
}

// TestRegistrarMailInEveryLanguage registers a hidden comment with a
// reason written in sv, da and en, delivers it to a folder and to an SMTP
// server, and finds no text of another language in the mail (subject and
// text), the reason and the sidecar, and no category code.
func TestRegistrarMailInEveryLanguage(t *testing.T) {
	tables := registerTables()
	want := map[string][]string{
		"sv": {"Diarieföring KS 2026/0001: kommentar i sociala medier", "Diarienummer: KS 2026/0001", "Skäl: dold i väntan på granskning: personnummer, trakasserier", "bifogas"},
		"da": {"Journalisering KS 2026/0001: kommentar på sociale medier", "Journalnummer: KS 2026/0001", "Begrundelse: skjult i afventning af gennemgang: CPR-nummer, chikane", "vedhæftet"},
		"en": {"Registration KS 2026/0001: comment on social media", "Register number: KS 2026/0001", "Reason: hidden pending review: identity number, harassment", "attached"},
	}
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
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
			if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Gruvberg", Status: moderation.AccountActive}); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "p1", PlatformID: "c1", Message: "x",
				Author: moderation.Author{ID: "9", Name: "Kim"}, CreatedAt: now, Source: moderation.SourcePoll, SeenAt: now})
			if err != nil {
				t.Fatal(err)
			}
			reason := decide.RegisterReason(lang, decide.ReasonHidden, []string{moderation.CatPersonalID, moderation.CatHarassment}, "")
			if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, Reason: reason, CreatedAt: now},
				func(y, s int) string { return "KS 2026/0001" }); err != nil {
				t.Fatal(err)
			}
			f, err := dir.Put(ctx, testPDF, "pdf")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: "pdf", SHA256: f.SHA256, Path: f.Path, Size: f.Size}); err != nil {
				t.Fatal(err)
			}
			srv := startSMTP(t, "", "")
			drop := filepath.Join(t.TempDir(), "drop")
			d := New(Options{Store: st, Evidence: dir, Language: lang, Outlets: []Outlet{
				Folder{Dir: drop},
				SMTP{Host: "127.0.0.1", Port: srv.port(), From: "a@b.se", To: "c@d.se", TLS: &tls.Config{RootCAs: srv.roots, ServerName: "127.0.0.1"}, Language: lang},
			}})
			if n, err := d.DeliverPending(ctx); n != 2 || err != nil { // one delivery per outlet
				t.Fatalf("DeliverPending: got %d, %v; want 2, nil", n, err)
			}

			srv.mu.Lock()
			msgs := srv.messages
			srv.mu.Unlock()
			if len(msgs) != 1 {
				t.Fatalf("mails: got %d, want 1", len(msgs))
			}
			subject, body := decodeMail(t, msgs[0].Data)
			side, err := os.ReadFile(filepath.Join(drop, "KS_2026_0001.json"))
			if err != nil {
				t.Fatal(err)
			}
			var sc SidecarData
			if err := json.Unmarshal(side, &sc); err != nil {
				t.Fatal(err)
			}
			if sc.Language != lang || sc.Reason != reason {
				t.Errorf("sidecar: got language %q, reason %q; want %q, %q", sc.Language, sc.Reason, lang, reason)
			}
			text := subject + "\n" + body + "\n" + sc.Reason
			t.Logf("%s registrar mail (subject, text part, sidecar reason):\n%s", lang, text)
			if got := testenv.Foreign(text, lang, tables); len(got) > 0 {
				t.Errorf("the %s registrar mail has text of another language: got %q, want none\n%s", lang, got, text)
			}
			for _, c := range moderation.Categories() {
				// "harassment" is the code and the English word.
				if !strings.Contains(decide.CategoryName(lang, c), c) && strings.Contains(text, c) {
					t.Errorf("the %s registrar mail has the category code %q", lang, c)
				}
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range want[lang] {
				if !strings.Contains(flat, w) {
					t.Errorf("mail lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// decodeMail decodes a mail's subject and its text/plain part.
func decodeMail(t *testing.T, data string) (subject, text string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			text += string(b)
		}
	}
	return subject, text
}
