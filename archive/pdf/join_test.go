package pdf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// partPDF writes a PDF of pages pages in DejaVu Sans (UTF-8), each saying
// which part and page it is, with text outside Windows-1252.
func partPDF(t *testing.T, dir string, part, pages int) string {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	AddFonts(f)
	f.SetFont(FontFamily, "", 12)
	for p := 1; p <= pages; p++ {
		f.AddPage()
		f.Cell(0, 10, fmt.Sprintf("part %d page %d – Привет Łódź", part, p))
	}
	path := filepath.Join(dir, fmt.Sprintf("part-%d.pdf", part))
	if err := f.OutputFileAndClose(path); err != nil {
		t.Fatal(err)
	}
	return path
}

type outlineItem struct {
	Title string        `json:"title"`
	Page  int           `json:"destpageposfrom1"`
	Open  bool          `json:"open"`
	Kids  []outlineItem `json:"kids"`
}

func flatten(items []outlineItem, level int, into *[]string) {
	for _, it := range items {
		*into = append(*into, fmt.Sprintf("%d %s p%d open=%v", level, it.Title, it.Page, it.Open))
		flatten(it.Kids, level+1, into)
	}
}

func TestConvertFilesJoinsParts(t *testing.T) {
	dir := t.TempDir()
	srcs := []string{partPDF(t, dir, 1, 2), partPDF(t, dir, 2, 3), partPDF(t, dir, 3, 1)}
	meta := Metadata{
		Title:    "Årsöversikt för Växjö – 2025 (Ærø)",
		Subject:  "Test",
		Author:   "Växjö kommun",
		Creator:  "uppsikt test",
		Language: "sv-SE",
		Outline: []Bookmark{
			{Title: "Omslag", Page: 1, Top: 800},
			{Title: "Innehåll", Page: 2, Top: 800},
			{Title: "Januari", Page: 3, Level: 1, Top: 700},
			{Title: "Inlägg 😀", Page: 4, Level: 2, Top: 500.5},
			{Title: "Februari", Page: 5, Level: 1, Top: 700},
			{Title: "Manifest", Page: 6, Top: 800},
		},
	}
	att := Attachment{Name: "data.json", MIME: "application/json", Description: "Data", Relationship: "Data",
		Data: []byte(`{"a":1}`), ModTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	out := filepath.Join(dir, "out.pdf")
	if err := ConvertFiles(context.Background(), srcs, out, 3, meta, []Attachment{att}, Options{}); err != nil {
		t.Fatalf("ConvertFiles: %v", err)
	}
	run(t, nil, "qpdf", "--check", out)

	var doc struct {
		Pages    []json.RawMessage `json:"pages"`
		Outlines []outlineItem     `json:"outlines"`
		Attach   map[string]any    `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(run(t, nil, "qpdf", "--json=2", "--json-key=pages", "--json-key=outlines", "--json-key=attachments", out)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Pages) != 6 {
		t.Errorf("got %d pages, want 6", len(doc.Pages))
	}
	var got []string
	flatten(doc.Outlines, 0, &got)
	// qpdf calls an item without children open; the top level is open,
	// deeper levels with children closed.
	want := []string{"0 Omslag p1 open=true", "0 Innehåll p2 open=true", "1 Januari p3 open=false",
		"2 Inlägg 😀 p4 open=true", "1 Februari p5 open=true", "0 Manifest p6 open=true"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := doc.Attach["data.json"]; !ok || len(doc.Attach) != 1 {
		t.Errorf("attachments %v, want data.json", doc.Attach)
	}
	for p := 1; p <= 6; p++ {
		want := fmt.Sprintf("part %d page", map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3}[p])
		if txt := run(t, nil, "pdftotext", "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), out, "-"); !strings.Contains(txt, want) || !strings.Contains(txt, "Привет") {
			t.Errorf("page %d: %q, want %q and Привет", p, txt, want)
		}
	}

	raw := run(t, nil, "qpdf", "--qdf", "--object-streams=disable", out, "-")
	for _, s := range []string{"/OutputIntents", "/GTS_PDFA1", "/Lang (sv-SE)", "/AF", "/AFRelationship /Data",
		"<rdf:li>sv-SE</rdf:li>", "Årsöversikt för Växjö – 2025 (Ærø)", "<rdf:li>Växjö kommun</rdf:li>", "/ID ["} {
		if !strings.Contains(raw, s) {
			t.Errorf("the joined file lacks %q", s)
		}
	}
	if !regexp.MustCompile(`pdfaid:part(='3'|="3"|>3<)`).MatchString(raw) || !regexp.MustCompile(`pdfaid:conformance(='B'|="B"|>B<)`).MatchString(raw) {
		t.Error("the XMP metadata is not PDF/A-3b's")
	}
	if n := strings.Count(raw, "/Type /Catalog"); n != 1 {
		t.Errorf("%d catalogs, want 1", n)
	}
	if strings.Count(raw, "/Type /Outlines") != 1 {
		t.Errorf("want one outline dictionary")
	}
	fonts := run(t, nil, "pdffonts", out)
	lines := strings.Split(strings.TrimSpace(fonts), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts: %s", fonts)
	}
	for _, l := range lines[2:] {
		if f := strings.Fields(l); len(f) < 5 || !strings.Contains(l, " yes ") {
			t.Errorf("font not embedded: %s", l)
		}
	}
	info := run(t, nil, "pdfinfo", out)
	for _, s := range []string{"Title:           Årsöversikt för Växjö – 2025 (Ærø)", "Author:          Växjö kommun", "Pages:           6"} {
		if !strings.Contains(info, s) {
			t.Errorf("pdfinfo lacks %q:\n%s", s, info)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}
