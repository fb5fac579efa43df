package export

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/moderation"
)

// Store is what an export reads.
type Store interface {
	moderation.ArchiveStore
	Account(ctx context.Context, key string) (moderation.Account, error)
	Comment(ctx context.Context, id int64) (moderation.Comment, error)
	CommentVersions(ctx context.Context, commentID int64) ([]moderation.CommentVersion, error)
	RegisterEntries(ctx context.Context, year int) ([]moderation.RegisterEntry, error)
	ListEvidence(ctx context.Context, afterID int64, limit int) ([]moderation.EvidenceFile, error)
	Actions(ctx context.Context, commentID int64) ([]moderation.Action, error)
	AuditLog(ctx context.Context, afterSeq int64, limit int) ([]moderation.AuditEntry, error)
}

// Request is one package to write.
type Request struct {
	AccountKey  string
	Year        int
	Location    *time.Location
	Out         string // the package folder; must not exist or be empty
	Snapshot    string // the snapshot PDF of the year, copied into the package
	EvidenceDir string // where evidence files live (their Path is relative to it)
	// Evidence, when set, is where evidence files are read from (the
	// folder or an S3 bucket), in place of EvidenceDir.
	Evidence evidence.Store
	// Municipality is the organisation that created the records and submits
	// the package (the archival creator and submitting agent of E-ARK SIP);
	// OrgID its organisation number (Swedish organisationsnummer or Danish
	// CVR), recorded as its identification code when set.
	Municipality string
	OrgID        string
	Language     string // sv, da or en: the language of documentation/
	// Software and Version name the program writing the package (CSIP14/15).
	Software string
	Version  string
	// SchemaDir is the folder with the official schemas (OfficialSchemas);
	// those found are copied into the package's schemas/ folder.
	SchemaDir string
	Now       time.Time
}

// Summary says what a package holds.
type Summary struct {
	Files    int
	Bytes    int64
	Posts    int
	Versions int
	Register int
	Evidence int
	Events   int // PREMIS events: captures, hides, deletions, disposals
}

// The package's representation: one, holding the year's records as they
// were kept.
const (
	repName = "rep1"
	repDir  = "representations/" + repName + "/"
	rep     = repDir + "data/"
)

// Write writes the package.
func Write(ctx context.Context, st Store, r Request) (Summary, error) {
	var sum Summary
	if r.Location == nil {
		r.Location = time.UTC
	}
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	if r.Software == "" {
		r.Software = "uppsikt"
	}
	if r.Version == "" {
		r.Version = "unknown"
	}
	if r.Municipality == "" {
		return sum, fmt.Errorf("export: the municipality's name is required (municipality.name)")
	}
	if entries, err := os.ReadDir(r.Out); err == nil && len(entries) > 0 {
		return sum, fmt.Errorf("export: %s is not empty", r.Out)
	}
	a, err := st.Account(ctx, r.AccountKey)
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	from := time.Date(r.Year, time.January, 1, 0, 0, 0, 0, r.Location)
	to := from.AddDate(1, 0, 0)
	p := &pkg{dir: r.Out, now: r.Now}
	pr := &premisDoc{version: r.Version}
	objID := fmt.Sprintf("uppsikt-%s-%d", a.Key, r.Year)

	// The snapshot.
	if r.Snapshot != "" {
		rel := rep + "snapshot/" + filepath.Base(r.Snapshot)
		if err := p.copy(rel, r.Snapshot, "application/pdf"); err != nil {
			return sum, err
		}
		if fi, err := os.Stat(r.Snapshot); err == nil {
			pr.event("capture", fi.ModTime(), "the snapshot of the year: the account's posts and comments as PDF/A", r.Software, rel)
		}
	}

	// Who decided the removal of each case, from the audit log.
	deciders, err := removalDeciders(ctx, st)
	if err != nil {
		return sum, err
	}

	// The original API answers: posts, and every stored version of their
	// comments; the actions carried out on the comments are PREMIS events.
	posts, err := p.create(rep+"api/posts.jsonl", "application/x-ndjson")
	if err != nil {
		return sum, err
	}
	comments, err := p.create(rep+"api/comment-versions.jsonl", "application/x-ndjson")
	if err != nil {
		return sum, err
	}
	var cur moderation.PostCursor
	for {
		ps, next, err := st.PostsBetween(ctx, a.Key, from, to, cur, 200)
		if err != nil {
			return sum, fmt.Errorf("export: %w", err)
		}
		if len(ps) == 0 {
			break
		}
		cur = next
		for _, post := range ps {
			if err := writeLine(posts, map[string]any{"post_id": post.PlatformID, "created_time": post.CreatedAt, "raw": rawOrNull(post.Raw)}); err != nil {
				return sum, err
			}
			sum.Posts++
			var after int64
			for {
				cs, err := st.ThreadComments(ctx, a.Key, post.PlatformID, after, 500)
				if err != nil {
					return sum, fmt.Errorf("export: %w", err)
				}
				if len(cs) == 0 {
					break
				}
				after = cs[len(cs)-1].RowID
				for _, c := range cs {
					vs, err := st.CommentVersions(ctx, c.ID)
					if err != nil {
						return sum, fmt.Errorf("export: %w", err)
					}
					for _, v := range vs {
						if err := writeLine(comments, map[string]any{"post_id": post.PlatformID, "comment_id": c.PlatformID,
							"version": v.Version, "seen_at": v.SeenAt, "source": v.Source, "hash": v.Hash,
							"disposed": v.Message == "" && v.Raw == nil, "raw": rawOrNull(v.Raw)}); err != nil {
							return sum, err
						}
						sum.Versions++
					}
					acts, err := st.Actions(ctx, c.ID)
					if err != nil {
						return sum, fmt.Errorf("export: %w", err)
					}
					for _, act := range acts {
						if act.State != moderation.ActionDone || act.Outcome == moderation.ActionCancelled ||
							(act.Kind != moderation.ActHide && act.Kind != moderation.ActDelete) {
							continue
						}
						kind, done := "hide", "hidden"
						if act.Kind == moderation.ActDelete {
							kind, done = "deletion", "deleted"
						}
						pr.commentEvent(kind, act.DoneAt, fmt.Sprintf("comment %s on post %s %s on the platform (action %d, case %d, outcome %s)",
							c.PlatformID, post.PlatformID, done, act.ID, act.CaseID, act.Outcome),
							r.Software, c.PlatformID, deciders[act.CaseID])
					}
				}
			}
		}
	}
	if err := p.closeFile(posts); err != nil {
		return sum, err
	}
	if err := p.closeFile(comments); err != nil {
		return sum, err
	}

	// Register entries of the account from the year, as XML and JSON.
	all, err := st.RegisterEntries(ctx, r.Year)
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	entries := []registerXML{}
	ofAccount := map[int64]bool{}
	for _, e := range all {
		c, err := st.Comment(ctx, e.CommentID)
		if err != nil {
			return sum, fmt.Errorf("export: %w", err)
		}
		if c.AccountKey != a.Key {
			continue
		}
		ofAccount[e.CommentID] = true
		entries = append(entries, registerXML{Number: e.Number, Year: e.Year, Seq: e.Seq, Account: a.Key, Post: c.PostID,
			Comment: c.PlatformID, Permalink: c.PermalinkURL, Case: e.CaseID, Reason: e.Reason, Created: e.CreatedAt.UTC().Format(time.RFC3339),
			Delivered: formatTime(e.Delivered)})
	}
	if err := p.writeXML(rep+"register/register.xml", registerListXML{Xmlns: nsReg, Year: r.Year, Account: a.Key, Entries: entries}); err != nil {
		return sum, err
	}
	if err := p.writeJSON(rep+"register/register.json", map[string]any{"year": r.Year, "account": a.Key, "entries": entries}); err != nil {
		return sum, err
	}
	sum.Register = len(entries)

	// Every evidence file of the account's comments made in the year: the
	// evidence PDFs, screenshots, raw answers and decision addenda.
	if r.EvidenceDir != "" || r.Evidence != nil {
		n, err := p.evidence(ctx, st, r, a.Key, from, to, pr)
		if err != nil {
			return sum, err
		}
		sum.Evidence = n
	}

	// The disposal log of the account: who disposed of what, and when.
	ds, err := st.Disposals(ctx, a.Key)
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	for _, d := range ds {
		by := d.By
		if by == "" {
			by = "unknown"
		}
		pr.disposal(d, by)
	}

	// The representation's own documentation and schema, then its METS.
	if err := p.writeOwnSchema(repDir + "schemas/" + registerSchema); err != nil {
		return sum, err
	}
	if err := p.writeBytes(repDir+"documentation/"+words(r.Language)["repfile"], "text/plain", []byte(repDocumentation(r.Language))); err != nil {
		return sum, err
	}
	repFiles := p.under(repDir)
	if err := p.writeMETS(repDir+"METS.xml", repMETS(repFiles, objID, a, r)); err != nil {
		return sum, err
	}

	// Package metadata: Dublin Core, PREMIS; the documentation and schemas.
	if err := p.writeXML("metadata/descriptive/dc.xml", dublinCore(a, r, objID, from, to)); err != nil {
		return sum, err
	}
	for _, f := range repFiles {
		pr.object(f)
	}
	pr.event("creation", r.Now, fmt.Sprintf("the package %s was written by %s %s", objID, r.Software, r.Version), r.Software, "METS.xml")
	sum.Events = len(pr.Events)
	if err := p.writeXML("metadata/preservation/premis.xml", pr.xml()); err != nil {
		return sum, err
	}
	if err := p.writeBytes("documentation/"+docName(r.Language), "text/plain",
		[]byte(packageDocumentation(r.Language, a, r, objID, sum))); err != nil {
		return sum, err
	}
	if err := p.copySchemas(r.SchemaDir); err != nil {
		return sum, err
	}
	if err := p.writeMETS("METS.xml", rootMETS(p.files, objID, a, r)); err != nil {
		return sum, err
	}
	sum.Files = len(p.files)
	for _, f := range p.files {
		sum.Bytes += f.Size
	}
	return sum, nil
}

// removalDeciders are the people who decided the removal of each case
// (audit entries decision.remove, oldest first; two with four eyes).
func removalDeciders(ctx context.Context, st Store) (map[int64][]string, error) {
	out := map[int64][]string{}
	var after int64
	for {
		page, err := st.AuditLog(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		for _, e := range page {
			after = e.Seq
			id, ok := strings.CutPrefix(e.Subject, "case/")
			if e.Action != "decision."+moderation.DecideRemove || !ok {
				continue
			}
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil || slices.Contains(out[n], e.Actor) {
				continue
			}
			out[n] = append(out[n], e.Actor)
		}
		if len(page) < 1000 {
			return out, nil
		}
	}
}

// evidence copies the evidence files of the account's comments made in
// [from, to) into the representation and records their capture.
func (p *pkg) evidence(ctx context.Context, st Store, r Request, account string, from, to time.Time, pr *premisDoc) (int, error) {
	n := 0
	seen := map[string]bool{}
	accountOf := map[int64]moderation.Comment{}
	var after int64
	for {
		evs, err := st.ListEvidence(ctx, after, 500)
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if len(evs) == 0 {
			return n, nil
		}
		after = evs[len(evs)-1].ID
		for _, e := range evs {
			if e.CreatedAt.Before(from) || !e.CreatedAt.Before(to) || seen[e.SHA256] {
				continue
			}
			c, ok := accountOf[e.CommentID]
			if !ok {
				if c, err = st.Comment(ctx, e.CommentID); err != nil {
					return n, fmt.Errorf("export: evidence file %d: %w", e.ID, err)
				}
				accountOf[e.CommentID] = c
			}
			if c.AccountKey != account {
				continue
			}
			ext := strings.ToLower(path.Ext(e.Path))
			if ext == "" {
				ext = ".bin"
			}
			rel := rep + "evidence/" + e.SHA256 + ext
			if r.Evidence != nil {
				// Read back and checked against its hash: a package
				// never carries a damaged evidence file.
				data, err := r.Evidence.ReadFile(ctx, e.Path)
				if err != nil {
					return n, fmt.Errorf("export: %w", err)
				}
				if err := p.copyFrom(rel, bytes.NewReader(data), mimeOf(ext)); err != nil {
					return n, err
				}
			} else if err := p.copy(rel, filepath.Join(r.EvidenceDir, filepath.FromSlash(e.Path)), mimeOf(ext)); err != nil {
				return n, err
			}
			seen[e.SHA256] = true
			pr.event("capture", e.CreatedAt, fmt.Sprintf("evidence (%s) of comment %s on post %s", e.Kind, c.PlatformID, c.PostID), r.Software, rel)
			n++
		}
	}
}

func mimeOf(ext string) string {
	switch ext {
	case ".pdf":
		return "application/pdf"
	case ".json":
		return "application/json"
	case ".png":
		return "image/png"
	case ".html", ".htm":
		return "text/html"
	}
	if m := mime.TypeByExtension(ext); m != "" {
		return strings.SplitN(m, ";", 2)[0]
	}
	return "application/octet-stream"
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func rawOrNull(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || !json.Valid(r) {
		return json.RawMessage("null")
	}
	return r
}

type registerXML struct {
	XMLName   xml.Name `xml:"entry" json:"-"`
	Number    string   `xml:"number" json:"number"`
	Year      int      `xml:"year" json:"year"`
	Seq       int      `xml:"seq" json:"seq"`
	Account   string   `xml:"account" json:"account"`
	Post      string   `xml:"post" json:"post"`
	Comment   string   `xml:"comment" json:"comment"`
	Permalink string   `xml:"permalink,omitempty" json:"permalink,omitempty"`
	Case      int64    `xml:"case,omitempty" json:"case,omitempty"`
	Reason    string   `xml:"reason" json:"reason"`
	Created   string   `xml:"created" json:"created"`
	Delivered string   `xml:"delivered,omitempty" json:"delivered,omitempty"`
}

type registerListXML struct {
	XMLName xml.Name      `xml:"register"`
	Xmlns   string        `xml:"xmlns,attr"`
	Year    int           `xml:"year,attr"`
	Account string        `xml:"account,attr"`
	Entries []registerXML `xml:"entry"`
}

// pkg is a package being written: every file is hashed as it is written.
type pkg struct {
	dir   string
	now   time.Time // when the package is written: its files' CREATED
	files []fileEntry
}

type fileEntry struct {
	Path    string // slash-separated, relative to the package
	MIME    string
	Size    int64
	SHA256  string
	Created time.Time
}

// under returns the files written so far below prefix.
func (p *pkg) under(prefix string) []fileEntry {
	var out []fileEntry
	for _, f := range p.files {
		if strings.HasPrefix(f.Path, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// File and folder modes: the package holds personal data, so it is
// readable by its owner and group only.
const (
	fileMode = 0o640
	dirMode  = 0o750
)

// hashedFile is a file being written into the package.
type hashedFile struct {
	f    *os.File
	w    *bufio.Writer
	h    hashWriter
	path string
	mime string
}

type hashWriter struct {
	h    interface{ Sum([]byte) []byte }
	w    io.Writer
	size int64
}

func (p *pkg) create(rel, mime string) (*hashedFile, error) {
	full := filepath.Join(p.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), dirMode); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	h := sha256.New()
	hf := &hashedFile{f: f, path: rel, mime: mime}
	hf.h = hashWriter{h: h, w: io.MultiWriter(f, h)}
	hf.w = bufio.NewWriterSize(&hf.h, 64*1024)
	return hf, nil
}

func (w *hashWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.size += int64(n)
	return n, err
}

func (p *pkg) closeFile(hf *hashedFile) error {
	err := hf.w.Flush()
	if err == nil {
		err = hf.f.Sync()
	}
	if cerr := hf.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %s: %w", hf.path, err)
	}
	p.files = append(p.files, fileEntry{Path: hf.path, MIME: hf.mime, Size: hf.h.size,
		SHA256: hex.EncodeToString(hf.h.h.Sum(nil)), Created: p.now.UTC()})
	return nil
}

func (p *pkg) copy(rel, src, mime string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer in.Close()
	return p.copyFrom(rel, in, mime)
}

// copyFrom writes the package file rel from in.
func (p *pkg) copyFrom(rel string, in io.Reader, mime string) error {
	hf, err := p.create(rel, mime)
	if err != nil {
		return err
	}
	if _, err := io.Copy(hf.w, in); err != nil {
		hf.f.Close()
		return fmt.Errorf("export: %s: %w", rel, err)
	}
	return p.closeFile(hf)
}

func (p *pkg) writeBytes(rel, mime string, b []byte) error {
	hf, err := p.create(rel, mime)
	if err != nil {
		return err
	}
	if _, err := hf.w.Write(b); err != nil {
		hf.f.Close()
		return fmt.Errorf("export: %s: %w", rel, err)
	}
	return p.closeFile(hf)
}

func writeLine(hf *hashedFile, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	b = append(b, '\n')
	if _, err := hf.w.Write(b); err != nil {
		return fmt.Errorf("export: %s: %w", hf.path, err)
	}
	return nil
}

func (p *pkg) writeXML(rel string, v any) error {
	hf, err := p.create(rel, "application/xml")
	if err != nil {
		return err
	}
	hf.w.WriteString(xml.Header)
	enc := xml.NewEncoder(hf.w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		hf.f.Close()
		return fmt.Errorf("export: %s: %w", rel, err)
	}
	hf.w.WriteString("\n")
	return p.closeFile(hf)
}

func (p *pkg) writeJSON(rel string, v any) error {
	hf, err := p.create(rel, "application/json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(hf.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		hf.f.Close()
		return fmt.Errorf("export: %s: %w", rel, err)
	}
	return p.closeFile(hf)
}

// writeMETS writes a METS document; it is itself listed (the
// representation's METS in the root's, the root's in none).
func (p *pkg) writeMETS(rel string, m mets) error {
	return p.writeXML(rel, m)
}
