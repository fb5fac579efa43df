package pdf

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// Verbatim are texts a comment may hold that Windows-1252 does not: the
// round-trip tests draw them and read them back with pdftotext.
var Verbatim = []struct{ Name, Text string }{
	{"latin", "Petrović, Łódź, Dvořák"},
	{"sámi", "Ŋ ŋ Đ đ Ŧ ŧ Š š Ž ž Á á Č č"},
	{"cyrillic", "Привет, мир! Ёлка"},
	{"arabic", "مرحبا بالعالم"},
	{"emoji", "Bra jobbat 👍😀 tack 🥲 𝐛𝐨𝐥𝐝"}, // 🥲 is newer than Symbola: a box, read back all the same
	{"han", "中文"}, // in no font of uppsikt: boxes, read back all the same
	{"zwj", "familj 👨‍👩‍👧 här"},
	{"flag", "Sverige 🇸🇪 Danmark 🇩🇰"},
	{"marks", "a\u200bb c\u200dd e\u200ef"},
	{"heart", "❤️ och ✅"},
}

// textPDF draws lines with Text, with or without the single-byte fonts, and
// converts the document to PDF/A-2b.
func textPDF(t *testing.T, winAnsi bool, lines []string) string {
	t.Helper()
	g, err := NewGlyphs()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var w *WinAnsi
	if winAnsi {
		if w, err = NewWinAnsiCut(dir); err != nil {
			t.Fatal(err)
		}
	}
	f := fpdf.New("P", "mm", "A4", "")
	if w != nil {
		w.addAs(f, winAnsiFamily)
	}
	f.AddPage()
	tx := NewText(f, w, winAnsiFamily, g)
	tx.Font("", 10)
	for _, l := range lines {
		tx.Multi(0, 5, Prepare(l), "", false)
	}
	tx.Font("B", 12)
	tx.Multi(0, 6, Prepare("Ögonblicksbild – Łódź 😀"), "", false)
	if err := f.Error(); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "in.pdf")
	var doc bytes.Buffer
	if err := tx.Output(&doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, doc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pdf")
	if err := ConvertFiles(context.Background(), []string{src}, out, 2, Metadata{Title: "t"}, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if *keep != "" {
		data, _ := os.ReadFile(out)
		os.WriteFile(filepath.Join(*keep, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), data, 0o644)
	}
	return out
}

// TestTextVerbatim draws the texts with and without the single-byte fonts,
// converts them to PDF/A with Ghostscript and reads them back with
// pdftotext: each must come back as written. The only change allowed is
// that pdftotext puts a line it reads right to left (the Arabic) between
// embedding marks (U+202A–U+202E), which are removed.
func TestTextVerbatim(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	var lines []string
	for _, v := range Verbatim {
		lines = append(lines, v.Name+": "+v.Text)
	}
	marks := strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "")
	for _, winAnsi := range []bool{true, false} {
		out := textPDF(t, winAnsi, lines)
		got := marks.Replace(run(t, nil, "pdftotext", "-enc", "UTF-8", out, "-"))
		for _, l := range append(lines, "Ögonblicksbild – Łódź 😀") {
			if !strings.Contains(got, l) {
				t.Errorf("single-byte fonts %v: pdftotext lacks %q (%+q):\n%s", winAnsi, l, l, got)
			}
		}
	}
}

// TestEvidenceVerbatim renders an evidence PDF whose comment holds every
// text of Verbatim, as it is given to the registrar (PDF/A-3b, the
// single-byte fonts for what Windows-1252 holds), and reads the verbatim
// text back with pdftotext; embedding marks are removed as in
// TestTextVerbatim.
func TestEvidenceVerbatim(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	w, err := NewWinAnsiCut(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ev := sampleEvidence(t, 0)
	var lines []string
	for _, v := range Verbatim {
		lines = append(lines, v.Name+": "+v.Text)
	}
	ev.Versions = ev.Versions[:1]
	ev.Versions[0].Message = strings.Join(lines, "\n")
	ev.Author.Name = "Đorđe Petrović 🙂"
	out := render(t, ev, Options{WinAnsi: w})
	marks := strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "")
	got := marks.Replace(run(t, out, "pdftotext", "-enc", "UTF-8", "-", "-"))
	for _, l := range append(lines, "Đorđe Petrović 🙂") {
		if !strings.Contains(got, l) {
			t.Errorf("pdftotext lacks %q (%+q)", l, l)
		}
	}
	if strings.Contains(got, "[U+") {
		t.Errorf("pdftotext output has a code point placeholder:\n%s", got)
	}
}
