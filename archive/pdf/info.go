package pdf

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Ghostscript 10.00 discards the whole document info of a PDF/A file when
// a string in it is not ASCII, so ConvertFiles gives it the info
// transliterated (see psInfo) and then puts the exact texts in place with
// an incremental update, which PDF/A allows: a new document info
// dictionary and a new XMP metadata stream appended to the file, with a
// cross-reference section for the two objects. Both say the same: dc:title
// is /Title, dc:creator /Author, dc:description /Subject, xmp:CreatorTool
// /Creator, and dc:language the catalog's /Lang.

var (
	trailerRe  = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$`)
	refRe      = func(key string) *regexp.Regexp { return regexp.MustCompile(`/` + key + `\s+(\d+)\s+0\s+R`) }
	idRe       = regexp.MustCompile(`/ID\s*\[[^\]]*\]`)
	dateRe     = func(key string) *regexp.Regexp { return regexp.MustCompile(`/` + key + `\s*\((D:[^)]*)\)`) }
	producerRe = regexp.MustCompile(`/Producer\s*\(((?:\\.|[^\\)])*)\)`)
	lengthRe   = regexp.MustCompile(`/Length\s+(\d+)`)
)

// updateInfo appends the incremental update that gives the PDF at path
// the exact document info and XMP metadata of meta.
func updateInfo(path string, meta Metadata, creator string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	tail := make([]byte, min(size, 4096))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil {
		return err
	}
	m := trailerRe.FindSubmatch(tail)
	if m == nil {
		return fmt.Errorf("pdf: document info: no trailer at the end of the file")
	}
	trailer := m[1]
	prev, _ := strconv.ParseInt(string(m[2]), 10, 64)
	sizeM := regexp.MustCompile(`/Size\s+(\d+)`).FindSubmatch(trailer)
	rootM, infoM := refRe("Root").FindSubmatch(trailer), refRe("Info").FindSubmatch(trailer)
	id := idRe.Find(trailer)
	if sizeM == nil || rootM == nil || infoM == nil || id == nil {
		return fmt.Errorf("pdf: document info: trailer lacks /Size, /Root, /Info or /ID")
	}
	info, _ := strconv.Atoi(string(infoM[1]))
	root, _ := strconv.Atoi(string(rootM[1]))
	offset := func(obj int) (int64, error) {
		// A classic cross-reference table: "xref\n0 n\n" and 20-byte entries.
		head := make([]byte, 64)
		n, _ := f.ReadAt(head, prev)
		head = head[:n]
		if !bytes.HasPrefix(head, []byte("xref")) {
			return 0, fmt.Errorf("pdf: document info: no cross-reference table at %d", prev)
		}
		lines := bytes.SplitN(head, []byte("\n"), 3)
		if len(lines) < 3 || !bytes.HasPrefix(lines[1], []byte("0 ")) {
			return 0, fmt.Errorf("pdf: document info: unexpected cross-reference table")
		}
		at := prev + int64(len(lines[0])+len(lines[1])+2) + 20*int64(obj)
		entry := make([]byte, 20)
		if _, err := f.ReadAt(entry, at); err != nil {
			return 0, err
		}
		return strconv.ParseInt(string(entry[:10]), 10, 64)
	}
	read := func(obj int, n int) ([]byte, int64, error) {
		off, err := offset(obj)
		if err != nil {
			return nil, 0, err
		}
		buf := make([]byte, n)
		got, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		return buf[:got], off, nil
	}
	infoObj, _, err := read(info, 4096)
	if err != nil {
		return err
	}
	infoObj = infoObj[:max(bytes.Index(infoObj, []byte("endobj")), 0)]
	rootObj, _, err := read(root, 4096)
	if err != nil {
		return err
	}
	metaM := refRe("Metadata").FindSubmatch(rootObj[:max(bytes.Index(rootObj, []byte("endobj")), 0)])
	if metaM == nil {
		return fmt.Errorf("pdf: document info: the catalog has no /Metadata")
	}
	metaNum, _ := strconv.Atoi(string(metaM[1]))
	metaHead, metaOff, err := read(metaNum, 512)
	if err != nil {
		return err
	}
	lm := lengthRe.FindSubmatch(metaHead)
	s := bytes.Index(metaHead, []byte("stream"))
	if lm == nil || s < 0 {
		return fmt.Errorf("pdf: document info: the metadata stream has no /Length")
	}
	n, _ := strconv.Atoi(string(lm[1]))
	s += len("stream")
	for s < len(metaHead) && (metaHead[s] == '\r' || metaHead[s] == '\n') {
		s++
	}
	xmp := make([]byte, n)
	if _, err := f.ReadAt(xmp, metaOff+int64(s)); err != nil {
		return fmt.Errorf("pdf: document info: metadata: %w", err)
	}
	newXMP, err := fixXMP(string(xmp), meta, creator)
	if err != nil {
		return err
	}

	var b bytes.Buffer
	b.WriteString("\n")
	start := size + 1
	infoAt := start + int64(b.Len()) - 1
	fmt.Fprintf(&b, "%d 0 obj\n<<", info)
	for _, kv := range [][2]string{{"Title", meta.Title}, {"Author", meta.Author}, {"Subject", meta.Subject}, {"Creator", creator}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " /%s %s", kv[0], pdfString(kv[1]))
		}
	}
	for _, key := range []string{"CreationDate", "ModDate"} {
		if d := dateRe(key).FindSubmatch(infoObj); d != nil {
			fmt.Fprintf(&b, " /%s (%s)", key, d[1])
		}
	}
	if p := producerRe.FindSubmatch(infoObj); p != nil {
		fmt.Fprintf(&b, " /Producer (%s)", p[1])
	}
	b.WriteString(" >>\nendobj\n")
	metaAt := start + int64(b.Len()) - 1
	fmt.Fprintf(&b, "%d 0 obj\n<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n%s\nendstream\nendobj\n", metaNum, len(newXMP), newXMP)
	xrefAt := start + int64(b.Len()) - 1
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, e := range [][2]int64{{int64(info), infoAt}, {int64(metaNum), metaAt}} {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", e[0], e[1])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %s /Root %d 0 R /Info %d 0 R\n%s\n/Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		sizeM[1], root, info, id, prev, xrefAt)
	if _, err := f.WriteAt(b.Bytes(), size); err != nil {
		return fmt.Errorf("pdf: document info: %w", err)
	}
	return f.Sync()
}

// fixXMP puts the exact title, author, subject, creator tool and language
// in Ghostscript's XMP metadata.
func fixXMP(xmp string, meta Metadata, creator string) (string, error) {
	set := func(re, value string) error {
		r := regexp.MustCompile(re)
		loc := r.FindStringSubmatchIndex(xmp)
		if loc == nil {
			return fmt.Errorf("pdf: XMP metadata lacks %s", re)
		}
		xmp = xmp[:loc[2]] + xmlEscape(value) + xmp[loc[3]:]
		return nil
	}
	if err := set(`<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>([^<]*)</rdf:li>`, meta.Title); err != nil {
		return "", err
	}
	if meta.Author != "" {
		if err := set(`<dc:creator>\s*<rdf:Seq>\s*<rdf:li>([^<]*)</rdf:li>`, meta.Author); err != nil {
			return "", err
		}
	}
	if meta.Subject != "" {
		if err := set(`<dc:description>\s*<rdf:Alt>\s*<rdf:li[^>]*>([^<]*)</rdf:li>`, meta.Subject); err != nil {
			return "", err
		}
	}
	if err := set(`<xmp:CreatorTool>([^<]*)</xmp:CreatorTool>`, creator); err != nil {
		return "", err
	}
	if meta.Language != "" {
		i := strings.Index(xmp, "</dc:title>")
		if i < 0 {
			return "", fmt.Errorf("pdf: XMP metadata lacks dc:title")
		}
		i += len("</dc:title>")
		xmp = xmp[:i] + "\n<dc:language><rdf:Bag><rdf:li>" + xmlEscape(meta.Language) + "</rdf:li></rdf:Bag></dc:language>" + xmp[i:]
	}
	return xmp, nil
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;").Replace(s)
}

// pdfString is s as a PDF text string: literal when printable ASCII,
// otherwise UTF-16BE with a byte order mark, in hexadecimal.
func pdfString(s string) string {
	return psText(s) // the PostScript and PDF forms are the same
}
