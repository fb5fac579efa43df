package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// FontFamily is the fpdf family name AddFonts registers DejaVu Sans under.
const FontFamily = fontFamily

// AddFonts registers the embedded DejaVu Sans, regular and bold, with f as
// FontFamily, so that other documents of uppsikt (yearly snapshots) use the
// same fonts as the evidence PDF.
func AddFonts(f *fpdf.Fpdf) {
	f.AddUTF8FontFromBytes(fontFamily, "", dejaVuSans)
	f.AddUTF8FontFromBytes(fontFamily, "B", dejaVuSansBold)
}

// ConvertFiles converts the PDF files srcs, in order, into one PDF/A file at
// out with Ghostscript: PDF/A-2b when part is 2, PDF/A-3b when part is 3
// (the only part that allows attachments). Ghostscript reads the inputs
// from disk and writes page by page, so large documents need not be held in
// memory. out is written in place; callers write to a temporary name and
// rename.
func ConvertFiles(ctx context.Context, srcs []string, out string, part int, meta Metadata, atts []Attachment, opts Options) error {
	if part != 2 && part != 3 {
		return fmt.Errorf("pdf: PDF/A part %d: want 2 or 3", part)
	}
	if len(atts) > 0 && part != 3 {
		return fmt.Errorf("pdf: attachments need PDF/A-3")
	}
	if len(srcs) == 0 {
		return fmt.Errorf("pdf: nothing to convert")
	}
	opts = opts.withDefaults()
	gs, err := exec.LookPath(opts.Ghostscript)
	if err != nil {
		return fmt.Errorf("pdf: ghostscript: %w (install it with `make deps`)", err)
	}
	icc, err := filepath.Abs(opts.ICCProfile)
	if err != nil {
		return fmt.Errorf("pdf: ICC profile: %w", err)
	}
	if _, err := os.Stat(icc); err != nil {
		return fmt.Errorf("pdf: ICC profile: %w", err)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "uppsikt-pdfa-")
	if err != nil {
		return fmt.Errorf("pdf: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	var ps strings.Builder
	writePrologue(&ps, meta, icc)
	for i, a := range atts {
		if !relationships[a.Relationship] {
			return fmt.Errorf("pdf: attachment %q: AFRelationship %q is not one of Source, Data, Alternative, Supplement, Unspecified", a.Name, a.Relationship)
		}
		if a.Name == "" || a.MIME == "" {
			return fmt.Errorf("pdf: attachment %d needs a name and a MIME type", i+1)
		}
		p := filepath.Join(dir, fmt.Sprintf("attachment-%d", i))
		if err := os.WriteFile(p, a.Data, 0o600); err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
		writeAttachment(&ps, i, a, p)
	}
	def := filepath.Join(dir, "pdfa_def.ps")
	if err := os.WriteFile(def, []byte(ps.String()), 0o600); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	args := []string{"-q", "-dBATCH", "-dNOPAUSE", "-dSAFER",
		// Ghostscript 10.00's new PDF interpreter makes pdfwrite about five
		// times slower on long text documents with embedded TrueType fonts
		// (0.3 s of CPU a page); the classic interpreter is used while it
		// exists. Later versions without it ignore the switch.
		"-dNEWPDF=false",
		fmt.Sprintf("-dPDFA=%d", part), "-dPDFACompatibilityPolicy=1",
		"-sColorConversionStrategy=RGB", "-sProcessColorModel=DeviceRGB",
		"-sDEVICE=pdfwrite",
		"-dAutoFilterColorImages=false", "-dColorImageFilter=/FlateEncode",
		"-dDownsampleColorImages=false",
		"-dAutoFilterGrayImages=false", "-dGrayImageFilter=/FlateEncode",
		"-dDownsampleGrayImages=false",
		"--permit-file-read=" + dir + string(filepath.Separator),
		"--permit-file-read=" + icc,
	}
	for _, s := range srcs {
		abs, err := filepath.Abs(s)
		if err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
		args = append(args, "--permit-file-read="+abs)
	}
	args = append(args, "--permit-file-write="+outAbs, "-sOutputFile="+outAbs, def)
	for _, s := range srcs {
		abs, _ := filepath.Abs(s)
		args = append(args, abs)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gs, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pdf: ghostscript: %w", ctx.Err())
		}
		return fmt.Errorf("pdf: ghostscript: %w: %s", err, tail(stderr.String(), 800))
	}
	head := make([]byte, 5)
	f, err := os.Open(outAbs)
	if err != nil {
		return fmt.Errorf("pdf: ghostscript wrote no output: %w: %s", err, tail(stderr.String(), 800))
	}
	defer f.Close()
	if _, err := f.Read(head); err != nil || string(head) != "%PDF-" {
		return fmt.Errorf("pdf: ghostscript output is not a PDF")
	}
	return nil
}
