package export

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
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
	Producer string // the municipality, for the METS agent
	Now      time.Time
}

// Summary says what a package holds.
type Summary struct {
	Files    int
	Bytes    int64
	Posts    int
	Versions int
	Register int
	Evidence int
}

const rep = "representations/rep1/data/"

// Write writes the package.
func Write(ctx context.Context, st Store, r Request) (Summary, error) {
	var sum Summary
	if r.Location == nil {
		r.Location = time.UTC
	}
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	a, err := st.Account(ctx, r.AccountKey)
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	if entries, err := os.ReadDir(r.Out); err == nil && len(entries) > 0 {
		return sum, fmt.Errorf("export: %s is not empty", r.Out)
	}
	from := time.Date(r.Year, time.January, 1, 0, 0, 0, 0, r.Location)
	to := from.AddDate(1, 0, 0)
	p := &pkg{dir: r.Out}

	// The snapshot.
	if r.Snapshot != "" {
		if err := p.copy(rep+"snapshot/"+filepath.Base(r.Snapshot), r.Snapshot, "application/pdf"); err != nil {
			return sum, err
		}
	}

	// The original API answers: posts, and every stored version of their comments.
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
	var entries []registerXML
	inYear := map[int64]bool{}
	for _, e := range all {
		c, err := st.Comment(ctx, e.CommentID)
		if err != nil {
			return sum, fmt.Errorf("export: %w", err)
		}
		if c.AccountKey != a.Key {
			continue
		}
		inYear[e.CommentID] = true
		entries = append(entries, registerXML{Number: e.Number, Year: e.Year, Seq: e.Seq, Account: a.Key, Post: c.PostID,
			Comment: c.PlatformID, Permalink: c.PermalinkURL, Case: e.CaseID, Reason: e.Reason, Created: e.CreatedAt.UTC().Format(time.RFC3339),
			Delivered: formatTime(e.Delivered)})
	}
	if err := p.writeXML(rep+"register/register.xml", registerListXML{Year: r.Year, Account: a.Key, Entries: entries}); err != nil {
		return sum, err
	}
	if err := p.writeJSON(rep+"register/register.json", map[string]any{"year": r.Year, "account": a.Key, "entries": entries}); err != nil {
		return sum, err
	}
	sum.Register = len(entries)

	// Evidence PDFs of the account's comments registered in the year, and
	// the decision addenda that complete them.
	var afterEv int64
	for {
		evs, err := st.ListEvidence(ctx, afterEv, 500)
		if err != nil {
			return sum, fmt.Errorf("export: %w", err)
		}
		if len(evs) == 0 {
			break
		}
		afterEv = evs[len(evs)-1].ID
		for _, e := range evs {
			if !inYear[e.CommentID] || (e.Kind != moderation.EvidencePDF && e.Kind != moderation.EvidenceDecision) || r.EvidenceDir == "" && r.Evidence == nil {
				continue
			}
			if r.Evidence != nil {
				// Read back and checked against its hash: a package
				// never carries a damaged evidence file.
				data, err := r.Evidence.ReadFile(ctx, e.Path)
				if err != nil {
					return sum, fmt.Errorf("export: %w", err)
				}
				if err := p.copyFrom(rep+"evidence/"+e.SHA256+".pdf", bytes.NewReader(data), "application/pdf"); err != nil {
					return sum, err
				}
			} else if err := p.copy(rep+"evidence/"+e.SHA256+".pdf", filepath.Join(r.EvidenceDir, filepath.FromSlash(e.Path)), "application/pdf"); err != nil {
				return sum, err
			}
			sum.Evidence++
		}
	}

	// Metadata: the account, the period and the disposal log.
	desc := accountXML{Key: a.Key, Platform: string(a.Platform), PlatformID: a.PlatformID, Name: a.Name, Owners: a.Owners,
		Substitutes: a.Substitutes, Status: string(a.Status), From: from.Format(time.DateOnly), To: to.AddDate(0, 0, -1).Format(time.DateOnly),
		Posts: sum.Posts, Versions: sum.Versions}
	if err := p.writeXML("metadata/descriptive/account.xml", desc); err != nil {
		return sum, err
	}
	if err := p.writeJSON("metadata/descriptive/account.json", desc); err != nil {
		return sum, err
	}
	ds, err := st.Disposals(ctx, a.Key)
	if err != nil {
		return sum, fmt.Errorf("export: %w", err)
	}
	var disp []disposalXML
	for _, d := range ds {
		disp = append(disp, disposalXML{Kind: d.Kind, Rule: d.Rule, Cutoff: formatTime(d.Cutoff), Items: d.Items, Comments: d.Comments,
			At: formatTime(d.At), By: d.By})
	}
	if err := p.writeXML("metadata/preservation/disposals.xml", disposalsXML{Account: a.Key, Disposals: disp}); err != nil {
		return sum, err
	}

	if err := p.writeMETS(a, r); err != nil {
		return sum, err
	}
	sum.Files = len(p.files) + 1
	for _, f := range p.files {
		sum.Bytes += f.Size
	}
	return sum, nil
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
	Year    int           `xml:"year,attr"`
	Account string        `xml:"account,attr"`
	Entries []registerXML `xml:"entry"`
}

type accountXML struct {
	XMLName     xml.Name `xml:"account" json:"-"`
	Key         string   `xml:"key" json:"key"`
	Platform    string   `xml:"platform" json:"platform"`
	PlatformID  string   `xml:"platformId" json:"platform_id"`
	Name        string   `xml:"name" json:"name"`
	Owners      []string `xml:"owner" json:"owners"`
	Substitutes []string `xml:"substitute" json:"substitutes"`
	Status      string   `xml:"status" json:"status"`
	From        string   `xml:"period>from" json:"from"`
	To          string   `xml:"period>to" json:"to"`
	Posts       int      `xml:"posts" json:"posts"`
	Versions    int      `xml:"commentVersions" json:"comment_versions"`
}

type disposalXML struct {
	Kind     string `xml:"kind"`
	Rule     string `xml:"rule"`
	Cutoff   string `xml:"cutoff"`
	Items    int    `xml:"items"`
	Comments int    `xml:"comments"`
	At       string `xml:"at"`
	By       string `xml:"by"`
}

type disposalsXML struct {
	XMLName   xml.Name      `xml:"disposals"`
	Account   string        `xml:"account,attr"`
	Disposals []disposalXML `xml:"disposal"`
}

// pkg is a package being written: every file is hashed as it is written.
type pkg struct {
	dir   string
	files []fileEntry
}

type fileEntry struct {
	Path    string // slash-separated, relative to the package
	MIME    string
	Size    int64
	SHA256  string
	Created time.Time
}

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
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
		SHA256: hex.EncodeToString(hf.h.h.Sum(nil)), Created: time.Now().UTC()})
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

// The METS document, in the shape CSIP asks of a root METS file.

type mets struct {
	XMLName     xml.Name  `xml:"mets"`
	Xmlns       string    `xml:"xmlns,attr"`
	XmlnsXlink  string    `xml:"xmlns:xlink,attr"`
	XmlnsCSIP   string    `xml:"xmlns:csip,attr"`
	ObjID       string    `xml:"OBJID,attr"`
	Label       string    `xml:"LABEL,attr"`
	Type        string    `xml:"TYPE,attr"`
	OtherType   string    `xml:"csip:OTHERTYPE,attr"`
	ContentInfo string    `xml:"csip:CONTENTINFORMATIONTYPE,attr"`
	Profile     string    `xml:"PROFILE,attr"`
	Hdr         metsHdr   `xml:"metsHdr"`
	DmdSec      []mdSec   `xml:"dmdSec"`
	AmdSec      *amdSec   `xml:"amdSec,omitempty"`
	FileSec     fileSec   `xml:"fileSec"`
	StructMap   structMap `xml:"structMap"`
}

type metsHdr struct {
	CreateDate   string  `xml:"CREATEDATE,attr"`
	RecordStatus string  `xml:"RECORDSTATUS,attr"`
	OAISType     string  `xml:"csip:OAISPACKAGETYPE,attr"`
	Agents       []agent `xml:"agent"`
}

type agent struct {
	Role      string `xml:"ROLE,attr"`
	Type      string `xml:"TYPE,attr"`
	OtherType string `xml:"OTHERTYPE,attr,omitempty"`
	Name      string `xml:"name"`
	Note      string `xml:"note,omitempty"`
}

type mdSec struct {
	ID     string `xml:"ID,attr"`
	Status string `xml:"STATUS,attr,omitempty"`
	MdRef  mdRef  `xml:"mdRef"`
}

type amdSec struct {
	DigiprovMD []mdSec `xml:"digiprovMD"`
}

type mdRef struct {
	LocType      string `xml:"LOCTYPE,attr"`
	Type         string `xml:"xlink:type,attr"`
	Href         string `xml:"xlink:href,attr"`
	MDType       string `xml:"MDTYPE,attr"`
	OtherMDType  string `xml:"OTHERMDTYPE,attr,omitempty"`
	MIME         string `xml:"MIMETYPE,attr"`
	Size         int64  `xml:"SIZE,attr"`
	Created      string `xml:"CREATED,attr"`
	Checksum     string `xml:"CHECKSUM,attr"`
	ChecksumType string `xml:"CHECKSUMTYPE,attr"`
}

type fileSec struct {
	ID   string    `xml:"ID,attr"`
	Grps []fileGrp `xml:"fileGrp"`
}

type fileGrp struct {
	ID    string     `xml:"ID,attr"`
	Use   string     `xml:"USE,attr"`
	Files []metsFile `xml:"file"`
}

type metsFile struct {
	ID           string `xml:"ID,attr"`
	MIME         string `xml:"MIMETYPE,attr"`
	Size         int64  `xml:"SIZE,attr"`
	Created      string `xml:"CREATED,attr"`
	Checksum     string `xml:"CHECKSUM,attr"`
	ChecksumType string `xml:"CHECKSUMTYPE,attr"`
	FLocat       flocat `xml:"FLocat"`
}

type flocat struct {
	LocType string `xml:"LOCTYPE,attr"`
	Type    string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
}

type structMap struct {
	ID    string  `xml:"ID,attr"`
	Type  string  `xml:"TYPE,attr"`
	Label string  `xml:"LABEL,attr"`
	Div   metsDiv `xml:"div"`
}

type metsDiv struct {
	ID    string    `xml:"ID,attr"`
	Label string    `xml:"LABEL,attr"`
	DmdID string    `xml:"DMDID,attr,omitempty"`
	AdmID string    `xml:"ADMID,attr,omitempty"`
	Fptrs []fptr    `xml:"fptr"`
	Divs  []metsDiv `xml:"div"`
}

type fptr struct {
	FileID string `xml:"FILEID,attr"`
}

func (p *pkg) writeMETS(a moderation.Account, r Request) error {
	now := r.Now.UTC().Format(time.RFC3339)
	m := mets{
		Xmlns: "http://www.loc.gov/METS/", XmlnsXlink: "http://www.w3.org/1999/xlink",
		XmlnsCSIP: "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
		ObjID:     fmt.Sprintf("uppsikt-%s-%d", a.Key, r.Year),
		Label:     fmt.Sprintf("%s, %d", a.Name, r.Year),
		Type:      "OTHER", OtherType: "Social media account", ContentInfo: "MIXED",
		Profile: "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
		Hdr: metsHdr{CreateDate: now, RecordStatus: "NEW", OAISType: "SIP", Agents: []agent{
			{Role: "CREATOR", Type: "OTHER", OtherType: "SOFTWARE", Name: "uppsikt", Note: "social media supervision and archiving"},
		}},
	}
	if r.Producer != "" {
		m.Hdr.Agents = append(m.Hdr.Agents, agent{Role: "ARCHIVIST", Type: "ORGANIZATION", Name: r.Producer})
	}
	grp := fileGrp{ID: "uuid-rep1", Use: "Representations/rep1/Data"}
	var dataIDs []fptr
	for i, f := range p.files {
		id := fmt.Sprintf("file-%05d", i+1)
		switch {
		case strings.HasPrefix(f.Path, "metadata/descriptive/"):
			m.DmdSec = append(m.DmdSec, mdSec{ID: "dmd-" + id, Status: "CURRENT", MdRef: f.mdRef("OTHER")})
		case strings.HasPrefix(f.Path, "metadata/preservation/"):
			if m.AmdSec == nil {
				m.AmdSec = &amdSec{}
			}
			m.AmdSec.DigiprovMD = append(m.AmdSec.DigiprovMD, mdSec{ID: "amd-" + id, Status: "CURRENT", MdRef: f.mdRef("OTHER")})
		default:
			grp.Files = append(grp.Files, metsFile{ID: id, MIME: f.MIME, Size: f.Size, Created: f.Created.Format(time.RFC3339),
				Checksum: f.SHA256, ChecksumType: "SHA-256", FLocat: flocat{LocType: "URL", Type: "simple", Href: f.Path}})
			dataIDs = append(dataIDs, fptr{FileID: id})
		}
	}
	m.FileSec = fileSec{ID: "uuid-filesec", Grps: []fileGrp{grp}}
	var dmd, amd []string
	for _, d := range m.DmdSec {
		dmd = append(dmd, d.ID)
	}
	if m.AmdSec != nil {
		for _, d := range m.AmdSec.DigiprovMD {
			amd = append(amd, d.ID)
		}
	}
	m.StructMap = structMap{ID: "uuid-structmap", Type: "PHYSICAL", Label: "CSIP", Div: metsDiv{ID: "uuid-root", Label: m.ObjID,
		Divs: []metsDiv{
			{ID: "uuid-metadata", Label: "Metadata", DmdID: strings.Join(dmd, " "), AdmID: strings.Join(amd, " ")},
			{ID: "uuid-rep1-div", Label: "Representations/rep1", Fptrs: dataIDs},
		}}}
	out, err := os.OpenFile(filepath.Join(p.dir, "METS.xml"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriter(out)
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	err = enc.Encode(m)
	if err == nil {
		_, err = w.WriteString("\n")
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: METS.xml: %w", err)
	}
	return nil
}

func (f fileEntry) mdRef(mdType string) mdRef {
	return mdRef{LocType: "URL", Type: "simple", Href: f.Path, MDType: mdType, OtherMDType: "uppsikt", MIME: f.MIME,
		Size: f.Size, Created: f.Created.Format(time.RFC3339), Checksum: f.SHA256, ChecksumType: "SHA-256"}
}

// Problem is one thing wrong with a package.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Verify checks the package in dir: the required structure, every file
// METS.xml lists (size and SHA-256), and that nothing unlisted is in it. It
// returns the problems found; an error only when dir cannot be read.
func Verify(dir string) ([]Problem, error) {
	var probs []Problem
	add := func(p, msg string, args ...any) { probs = append(probs, Problem{p, fmt.Sprintf(msg, args...)}) }
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("export verify: %s is not a folder", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "METS.xml"))
	if err != nil {
		add("METS.xml", "missing: %v", err)
		return probs, nil
	}
	var m metsRead
	if err := xml.Unmarshal(data, &m); err != nil {
		add("METS.xml", "not valid METS XML: %v", err)
		return probs, nil
	}
	if m.XMLName.Space != "http://www.loc.gov/METS/" || m.XMLName.Local != "mets" {
		add("METS.xml", "the root element is not METS")
	}
	if m.ObjID == "" || m.Profile == "" {
		add("METS.xml", "OBJID and PROFILE are required")
	}
	for _, d := range []string{"metadata", "representations/rep1/data"} {
		if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(d))); err != nil || !fi.IsDir() {
			add(d+"/", "required folder missing")
		}
	}
	type listed struct {
		size int64
		sum  string
	}
	files := map[string]listed{}
	refs := append([]refRead{}, m.Dmd...)
	for _, a := range m.Amd {
		refs = append(refs, a.Digi...)
	}
	for _, g := range m.Grps {
		for _, f := range g.Files {
			refs = append(refs, refRead{Href: f.Loc.Href, Size: f.Size, Checksum: f.Checksum, Type: f.Type})
		}
	}
	for _, r := range refs {
		if r.Type != "SHA-256" {
			add(r.Href, "checksum type %q, want SHA-256", r.Type)
		}
		if _, dup := files[r.Href]; dup {
			add(r.Href, "listed twice in METS.xml")
		}
		files[r.Href] = listed{r.Size, r.Checksum}
	}
	if len(m.Dmd) == 0 {
		add("METS.xml", "no descriptive metadata (dmdSec)")
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want := files[n]
		if !fs.ValidPath(n) || strings.Contains(n, "..") {
			add(n, "not a path inside the package")
			continue
		}
		size, sum, err := hashPath(filepath.Join(dir, filepath.FromSlash(n)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add(n, "listed in METS.xml but missing")
		case err != nil:
			add(n, "cannot be read: %v", err)
		case size != want.size:
			add(n, "size %d, METS.xml says %d", size, want.size)
		case sum != want.sum:
			add(n, "SHA-256 %s, METS.xml says %s", sum, want.sum)
		}
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if _, ok := files[rel]; !ok && rel != "METS.xml" {
			add(rel, "in the package but not listed in METS.xml")
		}
		return nil
	})
	if err != nil {
		return probs, fmt.Errorf("export verify: %w", err)
	}
	if !hasPrefix(names, rep+"snapshot/") {
		add(rep+"snapshot/", "no snapshot in the package")
	}
	return probs, nil
}

func hasPrefix(names []string, prefix string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

func hashPath(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// metsRead is what Verify reads of METS.xml; attributes are matched by
// their local names, whatever prefix the file gives the xlink namespace.
type metsRead struct {
	XMLName xml.Name
	ObjID   string    `xml:"OBJID,attr"`
	Profile string    `xml:"PROFILE,attr"`
	Dmd     []refRead `xml:"dmdSec>mdRef"`
	Amd     []struct {
		Digi []refRead `xml:"digiprovMD>mdRef"`
	} `xml:"amdSec"`
	Grps []struct {
		Files []struct {
			Size     int64  `xml:"SIZE,attr"`
			Checksum string `xml:"CHECKSUM,attr"`
			Type     string `xml:"CHECKSUMTYPE,attr"`
			Loc      struct {
				Href string `xml:"href,attr"`
			} `xml:"FLocat"`
		} `xml:"file"`
	} `xml:"fileSec>fileGrp"`
}

type refRead struct {
	Href     string `xml:"href,attr"`
	Size     int64  `xml:"SIZE,attr"`
	Checksum string `xml:"CHECKSUM,attr"`
	Type     string `xml:"CHECKSUMTYPE,attr"`
}
