package pdf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

var keep = flag.String("keep", "", "write the rendered evidence PDFs into this folder, for a look")

// testPNG draws a w×h page: white, with a red block at the top and a blue
// block at the bottom, so that a split across pages shows both.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 255, 255, 255}
			switch {
			case y < h/4 && x < w/2:
				c = color.RGBA{220, 20, 20, 255}
			case y > 3*h/4 && x > w/2:
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testNRGBA is a w×h PNG with an alpha channel: half transparent, with a
// red block at the top.
func testNRGBA(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{255, 255, 255, 128}
			if y < h/4 && x < w/2 {
				c = color.NRGBA{220, 20, 20, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const xss = `<script>alert(1)</script>`

func sampleEvidence(t testing.TB, shots int) Evidence {
	t.Helper()
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	ev := Evidence{
		RegisterNumber: "KS 2026/0042",
		AccountName:    "Växjö kommun – Fritid & Kultur",
		AccountKey:     "vaxjo-fritid",
		Platform:       moderation.Facebook,
		PostID:         "104_2001",
		PostMessage:    "Nu öppnar isbanan på Stortorget! Välkomna alla – även från Ærø och Øresund.",
		CommentID:      "2001_3007",
		PermalinkURL:   "https://www.facebook.com/104/posts/2001?comment_id=3007&very_long_parameter=abcdefghijklmnopqrstuvwxyz0123456789",
		Author:         moderation.Author{ID: "9988776655", Name: "Åsa Ödmark-Ærenlund"},
		CreatedAt:      created,
		Versions: []moderation.CommentVersion{
			{Version: 1, Message: "Grannen på Storgatan 3 heter Örjan och har personnummer 19811218-9876, ring honom!", SeenAt: created.Add(40 * time.Second), Source: moderation.SourceWebhook},
			{Version: 2, Message: "Ändrat: blåbärssylt, æble og ørred 😡. " + xss + "\nAndra raden med\ttabb.", SeenAt: created.Add(5 * time.Minute), Source: moderation.SourcePoll},
		},
		CapturedAt: created.Add(5*time.Minute + 3*time.Second),
		Location:   sto,
		Hits: []moderation.Hit{{
			RuleID: "personnummer", Category: moderation.CatPersonalID, Start: 56, End: 69,
			Match: "19811218-9876", Citation: moderation.Citation{Document: "Riktlinjer för sociala medier", Section: "Publicering av känsliga personuppgifter"},
			Severity: 3, Suggest: moderation.SuggestHideThenReview, Explanation: "Ett giltigt svenskt personnummer.",
		}},
		Decision: &moderation.Decision{Kind: moderation.DecideRemove, By: "märta.moderator", Surface: "slack", Reason: "Känsliga uppgifter om en enskild i Łódź", At: created.Add(20 * time.Minute)},
		RawJSON:  []byte(`{"id":"2001_3007","message":"Grannen på Storgatan 3 …","from":{"id":"9988776655","name":"Åsa"}}`),
	}
	for i := range shots {
		ev.Screenshots = append(ev.Screenshots, Screenshot{
			Title: []string{"Kommentaren på Facebook", "uppsikts vy av tråden"}[i%2],
			PNG:   testPNG(t, 1280, 900+i*2600), URL: "https://www.facebook.com/104/posts/2001", CapturedAt: ev.CapturedAt,
		})
	}
	return ev
}

func render(t *testing.T, ev Evidence, opts Options) []byte {
	t.Helper()
	out, err := RenderEvidence(context.Background(), ev, opts)
	if err != nil {
		t.Fatal(err)
	}
	if *keep != "" {
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".pdf"
		if err := os.WriteFile(filepath.Join(*keep, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestKeep(t *testing.T) {
	testenv.NeedTools(t, "gs")
	if *keep == "" {
		t.Skip("-keep not set")
	}
	w, err := NewWinAnsiCut(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("shots", func(t *testing.T) { render(t, sampleEvidence(t, 2), Options{WinAnsi: w}) })
	t.Run("noshots", func(t *testing.T) { render(t, sampleEvidence(t, 0), Options{WinAnsi: w}) })
}

func run(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestRenderEvidenceStructure(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdffonts", "pdfdetach", "pdftotext", "pdfimages", "pdftoppm")
	failed := sampleEvidence(t, 0)
	failed.CaptureFailure = "webbläsaren svarade inte inom 20 s"
	// A screenshot with transparency, and one too tall to be embedded once,
	// are drawn in slices.
	sliced := sampleEvidence(t, 0)
	sliced.Screenshots = []Screenshot{
		{Title: "Genomskinlig", PNG: testNRGBA(t, 1280, 900), URL: "https://www.facebook.com/104/posts/2001", CapturedAt: sliced.CapturedAt},
		{Title: "Mycket lång", PNG: testPNG(t, 1280, maxDirectHeight+1), URL: "https://www.facebook.com/104/posts/2001", CapturedAt: sliced.CapturedAt},
	}
	w, err := NewWinAnsiCut(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		ev          Evidence
		opts        Options
		wantImages  int // at least
		wantText    []string
		wantMissing []string
	}{
		{name: "with screenshots", ev: sampleEvidence(t, 2), opts: Options{WinAnsi: w}, wantImages: 2,
			wantText: []string{"Skärmbild 1: Kommentaren på Facebook", "Skärmbild 2: uppsikts vy av tråden (forts. 2)"}},
		{name: "with screenshots, UTF-8 fonts only", ev: sampleEvidence(t, 2), wantImages: 2,
			wantText: []string{"Skärmbild 1: Kommentaren på Facebook", "Skärmbild 2: uppsikts vy av tråden (forts. 2)"}},
		{name: "screenshots in slices", ev: sliced, opts: Options{WinAnsi: w}, wantImages: 2,
			wantText: []string{"Skärmbild 1: Genomskinlig", "Skärmbild 2: Mycket lång (forts. 4)"}},
		{name: "browser failed", ev: failed, opts: Options{WinAnsi: w}, wantImages: 0,
			wantText:    []string{"SAKNAS – webbläsaren svarade inte inom 20 s"},
			wantMissing: []string{"Skärmbild 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.ev, tt.opts)
			dir := t.TempDir()
			file := filepath.Join(dir, "evidence.pdf")
			if err := os.WriteFile(file, out, 0o600); err != nil {
				t.Fatal(err)
			}
			raw := string(out)

			// PDF/A-3b identification in the XMP metadata.
			if !regexp.MustCompile(`pdfaid:part(='3'|="3"|>3<)`).MatchString(raw) {
				t.Error("XMP has no pdfaid:part=3")
			}
			if !regexp.MustCompile(`pdfaid:conformance(='B'|="B"|>B<)`).MatchString(raw) {
				t.Error("XMP has no pdfaid:conformance=B")
			}
			if !strings.Contains(raw, "<dc:title>") || !strings.Contains(raw, "KS 2026/0042 - Bevis: kommentar 2001_3007") {
				t.Error("XMP dc:title does not carry the register number and comment id")
			}
			if !regexp.MustCompile(`/OutputIntents\s*\[\s*\d+ 0 R`).MatchString(raw) {
				t.Error("catalog has no /OutputIntents")
			}
			if !regexp.MustCompile(`/S\s*/GTS_PDFA1`).MatchString(raw) {
				t.Error("no output intent of subtype GTS_PDFA1")
			}
			// A PDF string is written <hex> or (literal); Ghostscript picks
			// whichever is shorter for the ID's bytes.
			if !regexp.MustCompile(`trailer\s*<<(?s:.*?)/ID\s*\[\s*(?:<[0-9A-Fa-f]+>|\((?:\\.|[^\\)])*\))\s*(?:<[0-9A-Fa-f]+>|\((?:\\.|[^\\)])*\))\s*\]`).MatchString(raw) {
				t.Errorf("trailer has no /ID; the file ends with:\n%q", raw[max(0, len(raw)-400):])
			}
			// The attachment is an associated file of the document.
			if !regexp.MustCompile(`/AF\s*\d+ 0 R`).MatchString(raw) {
				t.Error("catalog has no /AF array")
			}
			if !regexp.MustCompile(`/AFRelationship\s*/Source`).MatchString(raw) {
				t.Error("file specification has no /AFRelationship /Source")
			}

			fonts := run(t, nil, "pdffonts", file)
			lines := strings.Split(strings.TrimSpace(fonts), "\n")
			if len(lines) < 3 {
				t.Fatalf("pdffonts lists no fonts:\n%s", fonts)
			}
			for _, l := range lines[2:] {
				// name type encoding emb sub uni object ID; the type can hold spaces.
				f := strings.Fields(l)
				if len(f) < 6 || f[len(f)-5] != "yes" {
					t.Errorf("font not embedded: %s", l)
				}
			}

			list := run(t, nil, "pdfdetach", "-list", file)
			if !strings.Contains(list, "1 embedded files") || !strings.Contains(list, RawJSONName) {
				t.Errorf("pdfdetach -list = %q, want one file %s", list, RawJSONName)
			}
			saved := filepath.Join(dir, "saved.json")
			run(t, nil, "pdfdetach", "-save", "1", "-o", saved, file)
			got, err := os.ReadFile(saved)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tt.ev.RawJSON) {
				t.Errorf("attached JSON = %q, want %q", got, tt.ev.RawJSON)
			}

			text := run(t, nil, "pdftotext", "-enc", "UTF-8", file, "-")
			want := append([]string{
				"KS 2026/0042", "Åsa Ödmark-Ærenlund", "9988776655", "2001_3007",
				"Växjö kommun – Fritid & Kultur", "æble og ørred 😡.", "Känsliga uppgifter om en enskild i Łódź",
				xss, // the payload is text, drawn as it was written
				"2026-03-14 09:26:53 UTC / 2026-03-14 10:26:53 CET (Europe/Stockholm)",
				"Riktlinjer för sociala medier, Publicering av känsliga personuppgifter",
				"märta.moderator (Slack)",
				"Grannen på Storgatan 3 heter Örjan",
			}, tt.wantText...)
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
			for _, w := range tt.wantMissing {
				if strings.Contains(text, w) {
					t.Errorf("pdftotext output has %q, want it absent", w)
				}
			}

			// The SHA-256 lines of the last section match the attachment and
			// each screenshot, in order.
			i := strings.LastIndex(text, "Kontrollsummor (SHA-256)")
			if i < 0 {
				t.Fatal("no checksum section")
			}
			var sums []string
			for _, m := range regexp.MustCompile(`SHA-256 ([0-9a-f]{64})`).FindAllStringSubmatch(text[i:], -1) {
				sums = append(sums, m[1])
			}
			wantSums := []string{sha(tt.ev.RawJSON)}
			for _, s := range tt.ev.Screenshots {
				wantSums = append(wantSums, sha(s.PNG))
			}
			if strings.Join(sums, ",") != strings.Join(wantSums, ",") {
				t.Errorf("checksums = %v, want %v", sums, wantSums)
			}

			imgs := run(t, nil, "pdfimages", "-list", file)
			n := len(strings.Split(strings.TrimSpace(imgs), "\n")) - 2
			if n < tt.wantImages || tt.wantImages == 0 && n != 0 {
				t.Errorf("pdfimages lists %d images, want at least %d:\n%s", n, tt.wantImages, imgs)
			}
			if tt.wantImages > 0 {
				checkRedOnPage(t, file, 2, dir)
			}
		})
	}
}

// checkRedOnPage rasterises a page and looks for the red block of the test
// screenshot, so the image is really drawn, not only listed.
func checkRedOnPage(t *testing.T, file string, page int, dir string) {
	t.Helper()
	prefix := filepath.Join(dir, "page")
	p := strconv.Itoa(page)
	run(t, nil, "pdftoppm", "-r", "30", "-f", p, "-l", p, "-png", "-singlefile", file, prefix)
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	red := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 180 && g>>8 < 80 && bl>>8 < 80 {
				red++
			}
		}
	}
	if red < 100 {
		t.Errorf("page %d has %d red pixels, want the red block of the screenshot", page, red)
	}
}

func TestLayoutRejectsBadScreenshots(t *testing.T) {
	ev := sampleEvidence(t, 1)
	tests := []struct {
		name string
		shot Screenshot
	}{
		{name: "hash does not match", shot: Screenshot{Title: "x", PNG: ev.Screenshots[0].PNG, SHA256: strings.Repeat("a", 64)}},
		{name: "not a PNG", shot: Screenshot{Title: "x", PNG: []byte("GIF89a")}},
		{name: "empty", shot: Screenshot{Title: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ev
			e.Screenshots = []Screenshot{tt.shot}
			if _, err := Layout(e); err == nil {
				t.Error("Layout succeeded, want an error")
			}
		})
	}
}

func TestConvertHonoursContext(t *testing.T) {
	testenv.NeedTools(t, "gs")
	draft, err := Layout(sampleEvidence(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ConvertPDFA3(ctx, draft, Metadata{Title: "x"}, nil, Options{}); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("ConvertPDFA3 with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := ConvertPDFA3(context.Background(), draft, Metadata{Title: "x"}, nil, Options{Ghostscript: "/nonexistent/gs"}); err == nil {
		t.Error("ConvertPDFA3 with a missing Ghostscript succeeded, want an error")
	}
	bad := []Attachment{{Name: "a.json", MIME: "application/json", Relationship: "Owner"}}
	if _, err := ConvertPDFA3(context.Background(), draft, Metadata{Title: "x"}, bad, Options{}); err == nil {
		t.Error("ConvertPDFA3 with an unknown AFRelationship succeeded, want an error")
	}
}

func TestASCII(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "swedish", in: "Växjö Åre", want: "Vaxjo Are"},
		{name: "danish", in: "Ærø Øresund blåbær", want: "AEro Oresund blabaer"},
		{name: "dash and quotes", in: "a – “b”", want: `a - "b"`},
		{name: "no plain form", in: "日本", want: "??"},
		{name: "control", in: "a\nb", want: "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ASCII(tt.in); got != tt.want {
				t.Errorf("ASCII(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "keeps nordic letters", in: "åäö æø", want: "åäö æø"},
		{name: "invalid utf-8", in: "a\xffb", want: "a\uFFFDb"},
		{name: "controls", in: "a\x00b\x1bc\r\nd\te", want: "abc\nd e"},
		{name: "zero width", in: "a\u200bb", want: "ab"},
		{name: "emoji", in: "bra 😀!", want: "bra [U+1F600]!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEmbeddable(t *testing.T) {
	rgb := testPNG(t, 40, 30)
	var gray, paletted bytes.Buffer
	png.Encode(&gray, image.NewGray(image.Rect(0, 0, 4, 4)))
	png.Encode(&paletted, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black}))
	withTRNS := append([]byte{}, rgb[:33]...)
	withTRNS = append(withTRNS, 0, 0, 0, 6, 't', 'R', 'N', 'S', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	withTRNS = append(withTRNS, rgb[33:]...)
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"opaque RGB", rgb, true},
		{"grey", gray.Bytes(), true},
		{"with alpha", testNRGBA(t, 40, 30), false},
		{"paletted", paletted.Bytes(), false},
		{"colour key transparency", withTRNS, false},
		{"not a PNG", []byte("GIF89a and more bytes to pass the length check"), false},
		{"truncated", rgb[:40], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := embeddable(tt.data); got != tt.want {
				t.Errorf("embeddable: got %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkLayout(b *testing.B) {
	ev := sampleEvidence(b, 2)
	var size int
	for b.Loop() {
		out, err := Layout(ev)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

func BenchmarkRenderEvidence(b *testing.B) {
	testenv.NeedTools(b, "gs")
	for _, shots := range []int{0, 2} {
		ev := sampleEvidence(b, shots)
		b.Run(strconv.Itoa(shots)+"-screenshots", func(b *testing.B) {
			var size int
			for b.Loop() {
				out, err := RenderEvidence(context.Background(), ev, Options{})
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "pdfa-bytes")
		})
	}
}

// FuzzLayout feeds outside text (comment, author name, hit) to the layout:
// it must never panic and always give a PDF.
func FuzzLayout(f *testing.F) {
	for _, s := range []string{
		"hej", "😀🎉 emoji", "日本語のコメント", "مرحبا بالعالم", "e\u0301\u0301\u0301", strings.Repeat("x", 5000),
		"\x00\x01\xff\xfe", "<script>alert(1)</script>", "a\r\nb\rc\td", "\u202eevil\u202c", strings.Repeat("å ", 3000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ev := Evidence{
			RegisterNumber: s, AccountName: s, CommentID: s, PermalinkURL: s, PostMessage: s,
			Author:   moderation.Author{ID: s, Name: s},
			Versions: []moderation.CommentVersion{{Version: 1, Message: s}},
			Hits:     []moderation.Hit{{RuleID: s, Category: s, Match: s, Citation: moderation.Citation{Document: s, Section: s}}},
			Decision: &moderation.Decision{Kind: s, By: s, Reason: s},
			RawJSON:  []byte(s), CaptureFailure: s,
		}
		out, err := Layout(ev)
		if err != nil {
			t.Fatalf("Layout: %v", err)
		}
		if !bytes.HasPrefix(out, []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
	})
}
