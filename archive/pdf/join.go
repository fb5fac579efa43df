package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// convertJoin converts each of srcs to PDF/A with Ghostscript on its own,
// one after the other, and joins the converted files into outAbs with qpdf.
// The first file is converted with everything that belongs to the whole
// document: the document info, the output intent, /Lang and the
// attachments, which qpdf keeps with the first file's catalog; the others
// only with the output intent that Ghostscript needs to write PDF/A. The
// outline, whose bookmarks point at pages of any part, is then added to the
// joined file with qpdf's JSON update, and the exact document info and XMP
// metadata with updateInfo. Fonts that several parts share stay separate
// font objects, one per part.
func convertJoin(ctx context.Context, srcs []string, outAbs string, part int, meta Metadata, atts []Attachment, opts Options) error {
	qpdf, err := exec.LookPath(opts.QPDF)
	if err != nil {
		return fmt.Errorf("pdf: qpdf: %w (install it with `make deps`)", err)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "uppsikt-join-")
	if err != nil {
		return fmt.Errorf("pdf: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	first := meta
	first.Outline = nil
	rest := Metadata{Title: meta.Title, Creator: meta.Creator}
	converted := make([]string, len(srcs))
	for i, src := range srcs {
		converted[i] = filepath.Join(dir, fmt.Sprintf("part-%04d.pdf", i))
		m, a := rest, []Attachment(nil)
		if i == 0 {
			m, a = first, atts
		}
		if err := ghostscript(ctx, []string{src}, converted[i], part, m, a, opts); err != nil {
			return fmt.Errorf("pdf: part %d of %d: %w", i+1, len(srcs), err)
		}
	}
	joined := filepath.Join(dir, "joined.pdf")
	args := append([]string{converted[0], "--object-streams=disable", "--pages"}, converted...)
	if err := runQPDF(ctx, opts, qpdf, append(args, "--", joined)...); err != nil {
		return err
	}
	for _, p := range converted { // the disk space of the parts is not needed any more
		os.Remove(p)
	}
	if len(meta.Outline) == 0 {
		if err := os.Rename(joined, outAbs); err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
	} else {
		update, err := outlineUpdate(ctx, opts, qpdf, joined, meta.Outline)
		if err != nil {
			return err
		}
		upd := filepath.Join(dir, "outline.json")
		if err := os.WriteFile(upd, update, 0o600); err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
		if err := runQPDF(ctx, opts, qpdf, joined, "--object-streams=disable", "--update-from-json="+upd, outAbs); err != nil {
			return err
		}
	}
	return updateInfo(outAbs, meta, meta.creator())
}

// runQPDF runs qpdf with args; exit status 3 (warnings) is an error too, as
// a warning about the parts means the joined file may not be what they say.
func runQPDF(ctx context.Context, opts Options, qpdf string, args ...string) error {
	out, err := qpdfOutput(ctx, opts, qpdf, args...)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(out)) > 0 {
		return fmt.Errorf("pdf: qpdf: %s", tail(string(out), 800))
	}
	return nil
}

func qpdfOutput(ctx context.Context, opts Options, qpdf string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, qpdf, args...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pdf: qpdf: %w", ctx.Err())
		}
		return nil, fmt.Errorf("pdf: qpdf: %w: %s", err, tail(stderr.String(), 800))
	}
	if stderr.Len() > 0 {
		return nil, fmt.Errorf("pdf: qpdf: %s", tail(stderr.String(), 800))
	}
	return stdout.Bytes(), nil
}

// qpdfFile is the part of qpdf's JSON (version 2) of a PDF file that
// outlineUpdate reads.
type qpdfFile struct {
	Pages []struct {
		Object string `json:"object"`
	} `json:"pages"`
	QPDF []json.RawMessage `json:"qpdf"`
}

type qpdfObject struct {
	Value map[string]json.RawMessage `json:"value"`
}

// outlineUpdate is the qpdf JSON update that gives the PDF at path the
// outline items: a new outline dictionary and an item per bookmark, and
// the catalog with /Outlines. Each bookmark's /Dest is its page of the
// joined file. The top level is shown open, deeper levels closed, as
// writeOutline asks of Ghostscript.
func outlineUpdate(ctx context.Context, opts Options, qpdf, path string, items []Bookmark) ([]byte, error) {
	read := func(args ...string) (qpdfFile, map[string]qpdfObject, error) {
		out, err := qpdfOutput(ctx, opts, qpdf, append([]string{"--json=2"}, append(args, path)...)...)
		if err != nil {
			return qpdfFile{}, nil, err
		}
		var f qpdfFile
		if err := json.Unmarshal(out, &f); err != nil {
			return qpdfFile{}, nil, fmt.Errorf("pdf: qpdf JSON: %w", err)
		}
		objs := map[string]qpdfObject{}
		if len(f.QPDF) == 2 {
			if err := json.Unmarshal(f.QPDF[1], &objs); err != nil {
				return qpdfFile{}, nil, fmt.Errorf("pdf: qpdf JSON: %w", err)
			}
		}
		return f, objs, nil
	}
	f, objs, err := read("--json-key=pages", "--json-key=qpdf", "--json-object=trailer")
	if err != nil {
		return nil, err
	}
	var head struct {
		MaxObjectID int `json:"maxobjectid"`
	}
	if len(f.QPDF) != 2 || json.Unmarshal(f.QPDF[0], &head) != nil || head.MaxObjectID == 0 {
		return nil, fmt.Errorf("pdf: qpdf JSON: no object count")
	}
	var root string
	if err := json.Unmarshal(objs["trailer"].Value["/Root"], &root); err != nil {
		return nil, fmt.Errorf("pdf: qpdf JSON: the trailer has no /Root")
	}
	num, _, ok := bytes.Cut([]byte(root), []byte(" "))
	if !ok {
		return nil, fmt.Errorf("pdf: qpdf JSON: /Root %q", root)
	}
	_, cat, err := read("--json-key=qpdf", "--json-object="+string(num))
	if err != nil {
		return nil, err
	}
	catalog := cat["obj:"+root].Value
	if catalog == nil {
		return nil, fmt.Errorf("pdf: qpdf JSON: no catalog %s", root)
	}

	ref := func(i int) string { return strconv.Itoa(head.MaxObjectID+1+i) + " 0 R" } // items, then the outline dictionary
	outlines := ref(len(items))
	item := func(i int) string { return ref(i) }
	update := map[string]any{}
	// visible is how many items below items[i] a reader shows: the open
	// top level shows its children, which are closed.
	children := func(i int) []int {
		var c []int
		for j := i + 1; j < len(items) && items[j].Level > items[i].Level; j++ {
			if items[j].Level == items[i].Level+1 {
				c = append(c, j)
			}
		}
		return c
	}
	var top []int
	for i, it := range items {
		if it.Level == 0 {
			top = append(top, i)
		}
	}
	if len(top) == 0 || items[0].Level != 0 {
		return nil, fmt.Errorf("pdf: outline: the first bookmark must be at the top level")
	}
	link := func(d map[string]any, kids []int) {
		if len(kids) > 0 {
			d["/First"], d["/Last"] = item(kids[0]), item(kids[len(kids)-1])
		}
	}
	total := len(top)
	for i, it := range items {
		if it.Page < 1 || it.Page > len(f.Pages) {
			return nil, fmt.Errorf("pdf: outline: bookmark %q points at page %d of %d", it.Title, it.Page, len(f.Pages))
		}
		d := map[string]any{
			"/Title": "u:" + it.Title,
			"/Dest":  []any{f.Pages[it.Page-1].Object, "/XYZ", nil, json.Number(strconv.FormatFloat(it.Top, 'f', 1, 64)), nil},
		}
		kids := children(i)
		link(d, kids)
		if len(kids) > 0 {
			if it.Level == 0 {
				d["/Count"] = len(kids)
				total += len(kids)
			} else {
				d["/Count"] = -len(kids)
			}
		}
		// The parent is the last item before i one level up; the siblings
		// are the parent's children around i.
		parent, sibs := outlines, top
		for j := i - 1; j >= 0 && it.Level > 0; j-- {
			if items[j].Level == it.Level-1 {
				parent, sibs = item(j), children(j)
				break
			}
		}
		d["/Parent"] = parent
		for k, s := range sibs {
			if s != i {
				continue
			}
			if k > 0 {
				d["/Prev"] = item(sibs[k-1])
			}
			if k+1 < len(sibs) {
				d["/Next"] = item(sibs[k+1])
			}
		}
		update["obj:"+item(i)] = map[string]any{"value": d}
	}
	od := map[string]any{"/Type": "/Outlines", "/Count": total}
	link(od, top)
	update["obj:"+outlines] = map[string]any{"value": od}
	newCat := map[string]any{}
	for k, v := range catalog {
		newCat[k] = v
	}
	newCat["/Outlines"] = outlines
	update["obj:"+root] = map[string]any{"value": newCat}
	doc := map[string]any{"qpdf": []any{
		map[string]any{"jsonversion": 2, "pushedinheritedpageresources": false, "calledgetallpages": false, "maxobjectid": head.MaxObjectID},
		update,
	}}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("pdf: outline: %w", err)
	}
	return b, nil
}
