package snapshot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// verbatim are comments that Windows-1252 cannot hold, which a snapshot
// must show as written: each is stored as a comment and must come back
// from pdftotext.
var verbatim = []string{
	"Petrović, Łódź, Dvořák",
	// pdftotext reads a line of nothing but single letters and spaces
	// ("a b c") as one word, in any font: the letters come after a word.
	"Sámegiella: Ŋ ŋ Đ đ Ŧ ŧ Š š Ž ž Á á Č č",
	"Привет, как дела? Ёжик",
	"مرحبا بالعالم",
	"Bra jobbat 👍😀 tack",
	"Familjen 👨‍👩‍👧 hälsar",
	"Flaggor 🇸🇪 🇩🇰",
	"Mellanrum a\u200bb, fogare c\u200cd, riktning e\u200ef",
	"𝐅𝐞𝐭 𝐭𝐞𝐱𝐭",
}

// bidiMarks are the embedding marks pdftotext puts around a line it reads
// right to left (U+202A–U+202E); no text of the test has them, so they are
// removed before comparing. Nothing else is normalised.
var bidiMarks = strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "")

func TestSnapshotVerbatim(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext", "pdfinfo", "pdffonts", "qpdf")
	st := openStore(t)
	ctx := context.Background()
	post := func(id, msg string, at time.Time) {
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: id, Message: msg, CreatedAt: at,
			Author: moderation.Author{ID: "1094810000000001", Name: "Gruvbergs kommun"}}); err != nil {
			t.Fatalf("SavePost: %v", err)
		}
	}
	post("p1", "Välkomna till Gruvbergs kommun 🎉", time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC))
	post("p2", "Vinterväghållning", time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC))
	post("p3", "Vår i Gruvberg", time.Date(2025, 4, 2, 9, 0, 0, 0, time.UTC))
	for i, text := range verbatim {
		at := time.Date(2025, 1, 10, 10, i, 0, 0, time.UTC)
		if _, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "p1", PlatformID: "c" + strconv.Itoa(i),
			Author: moderation.Author{ID: "u" + strconv.Itoa(i), Name: "Đorđe Łukasz"}, Message: text, CreatedAt: at, Source: moderation.SourcePoll, SeenAt: at}); err != nil {
			t.Fatalf("RecordComment: %v", err)
		}
	}
	w := New(Options{Store: st, Language: "sv", Municipality: "Gruvbergs kommun", Creator: "uppsikt 9.9.9",
		Now: func() time.Time { return time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC) }})
	from, to := Year(2025, time.UTC)
	out := filepath.Join(t.TempDir(), "fb-2025.pdf")
	res, err := w.Write(ctx, Request{AccountKey: "fb", Kind: moderation.SnapshotYearly, From: from, To: to, Out: out})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}

	// UPPSIKT_KEEP=folder keeps the PDF for a look.
	if os.Getenv("UPPSIKT_KEEP") != "" {
		data, _ := os.ReadFile(out)
		os.WriteFile(filepath.Join(os.Getenv("UPPSIKT_KEEP"), "snapshot-verbatim.pdf"), data, 0o644)
	}

	text := bidiMarks.Replace(run(t, "pdftotext", "-enc", "UTF-8", out, "-"))
	for _, want := range append(verbatim, "Đorđe Łukasz", "Välkomna till Gruvbergs kommun 🎉", "Ögonblicksbild av Gruvbergs kommun") {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q (%+q)", want, want)
		}
	}
	if strings.Contains(text, "[U+") {
		t.Errorf("pdftotext output has a code point placeholder:\n%s", text)
	}

	// Document info and XMP metadata say the same, in full.
	info := run(t, "pdfinfo", out)
	for _, want := range []string{"Title:           Ögonblicksbild Gruvbergs kommun 2025", "Author:          Gruvbergs kommun",
		"Creator:         uppsikt 9.9.9", "Subject:         Ögonblicksbild av kontot fb (facebook)"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	meta := run(t, "pdfinfo", "-meta", out)
	for _, re := range []string{`<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>Ögonblicksbild Gruvbergs kommun 2025</rdf:li>`,
		`<dc:creator>\s*<rdf:Seq>\s*<rdf:li>Gruvbergs kommun</rdf:li>`, `<dc:language><rdf:Bag><rdf:li>sv-SE</rdf:li>`,
		`<xmp:CreatorTool>uppsikt 9.9.9</xmp:CreatorTool>`, `pdfaid:part(='2'|="2"|>2<)`, `pdfaid:conformance(='B'|="B"|>B<)`} {
		if !regexp.MustCompile(re).MatchString(meta) {
			t.Errorf("XMP metadata lacks %s:\n%s", re, meta)
		}
	}
	cat := run(t, "qpdf", "--show-object=trailer", out)
	root := regexp.MustCompile(`/Root (\d+) 0 R`).FindStringSubmatch(cat)
	if root == nil {
		t.Fatalf("trailer: %s", cat)
	}
	if c := run(t, "qpdf", "--show-object="+root[1], out); !strings.Contains(c, "/Lang (sv-SE)") {
		t.Errorf("catalog has no /Lang (sv-SE): %s", c)
	}
	for _, l := range strings.Split(strings.TrimSpace(run(t, "pdffonts", out)), "\n")[2:] {
		if f := strings.Fields(l); len(f) < 6 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %s", l)
		}
	}
	run(t, "qpdf", "--check", out)

	// The outline: cover, contents, content with months and posts, manifest.
	var doc struct {
		Outlines []outline `json:"outlines"`
	}
	if err := json.Unmarshal([]byte(run(t, "qpdf", "--json", "--json-key=outlines", out)), &doc); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, o := range doc.Outlines {
		titles = append(titles, o.Title)
	}
	if got, want := strings.Join(titles, " | "), "Omslag och kontouppgifter | Innehållsförteckning | Innehåll: inlägg med kommentarer och svar | Manifest: SHA-256 av innehållet"; got != want {
		t.Fatalf("outline: got %s, want %s", got, want)
	}
	content := doc.Outlines[2]
	if len(content.Kids) != 2 || content.Kids[0].Title != "Januari 2025" || content.Kids[1].Title != "April 2025" {
		t.Fatalf("outline of the content: got %+v, want January and April", content.Kids)
	}
	jan := content.Kids[0]
	if len(jan.Kids) != 2 || !strings.HasSuffix(jan.Kids[0].Title, "Välkomna till Gruvbergs kommun 🎉") {
		t.Fatalf("January: got %+v, want its two posts", jan.Kids)
	}
	if doc.Outlines[0].Page != 1 || doc.Outlines[1].Page != 2 || doc.Outlines[3].Page != res.Pages {
		t.Errorf("outline: cover, contents and manifest go to pages %d, %d and %d, want 1, 2 and %d",
			doc.Outlines[0].Page, doc.Outlines[1].Page, doc.Outlines[3].Page, res.Pages)
	}
	for _, o := range []outline{jan, jan.Kids[0], jan.Kids[1], content.Kids[1], content.Kids[1].Kids[0]} {
		if o.Page < 1 || o.Page > res.Pages {
			t.Errorf("bookmark %q goes to page %d of %d", o.Title, o.Page, res.Pages)
			continue
		}
		page := run(t, "pdftotext", "-enc", "UTF-8", "-f", strconv.Itoa(o.Page), "-l", strconv.Itoa(o.Page), out, "-")
		want := o.Title
		if i := strings.Index(want, ": "); i > 0 && strings.HasPrefix(want, "Inlägg") {
			want = want[:i] // a post's bookmark is its heading and the start of its text
		}
		if !strings.Contains(page, want) {
			t.Errorf("bookmark %q goes to page %d, which does not have it:\n%s", o.Title, o.Page, page)
		}
	}
}

type outline struct {
	Title string    `json:"title"`
	Page  int       `json:"destpageposfrom1"`
	Kids  []outline `json:"kids"`
}
