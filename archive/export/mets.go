package export

import (
	"encoding/xml"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Profiles a package declares: E-ARK SIP 2.2, which extends CSIP 2.2
// (SIP2 gives the versioned address; the unversioned one names the
// current profile and is accepted too).
const (
	ProfileSIP        = "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml"
	profileSIPCurrent = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
	contentOtherType  = "Social media account"
	contentInfoOther  = "uppsikt social media records"
)

// The METS document, in the shape CSIP and SIP ask of a root and a
// representation METS file.
type mets struct {
	XMLName        xml.Name  `xml:"mets"`
	Xmlns          string    `xml:"xmlns,attr"`
	XmlnsXlink     string    `xml:"xmlns:xlink,attr"`
	XmlnsCSIP      string    `xml:"xmlns:csip,attr"`
	XmlnsSIP       string    `xml:"xmlns:sip,attr"`
	XmlnsXSI       string    `xml:"xmlns:xsi,attr"`
	SchemaLocation string    `xml:"xsi:schemaLocation,attr"`
	ObjID          string    `xml:"OBJID,attr"`
	Label          string    `xml:"LABEL,attr"`
	Type           string    `xml:"TYPE,attr"`
	OtherType      string    `xml:"csip:OTHERTYPE,attr"`
	ContentInfo    string    `xml:"csip:CONTENTINFORMATIONTYPE,attr"`
	OtherContent   string    `xml:"csip:OTHERCONTENTINFORMATIONTYPE,attr"`
	Profile        string    `xml:"PROFILE,attr"`
	Hdr            metsHdr   `xml:"metsHdr"`
	DmdSec         []mdSec   `xml:"dmdSec"`
	AmdSec         *amdSec   `xml:"amdSec,omitempty"`
	FileSec        fileSec   `xml:"fileSec"`
	StructMap      structMap `xml:"structMap"`
}

type metsHdr struct {
	CreateDate   string  `xml:"CREATEDATE,attr"`
	RecordStatus string  `xml:"RECORDSTATUS,attr"`
	OAISType     string  `xml:"csip:OAISPACKAGETYPE,attr"`
	Agents       []agent `xml:"agent"`
}

type agent struct {
	Role      string     `xml:"ROLE,attr"`
	Type      string     `xml:"TYPE,attr"`
	OtherType string     `xml:"OTHERTYPE,attr,omitempty"`
	Name      string     `xml:"name"`
	Notes     []typeNote `xml:"note"`
}

type typeNote struct {
	Type string `xml:"csip:NOTETYPE,attr"`
	Text string `xml:",chardata"`
}

type mdSec struct {
	ID      string `xml:"ID,attr"`
	Created string `xml:"CREATED,attr"`
	Status  string `xml:"STATUS,attr,omitempty"`
	MdRef   mdRef  `xml:"mdRef"`
}

type amdSec struct {
	ID         string  `xml:"ID,attr"`
	DigiprovMD []mdSec `xml:"digiprovMD"`
}

type mdRef struct {
	LocType      string `xml:"LOCTYPE,attr"`
	Type         string `xml:"xlink:type,attr"`
	Href         string `xml:"xlink:href,attr"`
	MDType       string `xml:"MDTYPE,attr"`
	MDTypeVer    string `xml:"MDTYPEVERSION,attr,omitempty"`
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
	ID           string     `xml:"ID,attr"`
	Use          string     `xml:"USE,attr"`
	ContentInfo  string     `xml:"csip:CONTENTINFORMATIONTYPE,attr,omitempty"`
	OtherContent string     `xml:"csip:OTHERCONTENTINFORMATIONTYPE,attr,omitempty"`
	Files        []metsFile `xml:"file"`
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
	Mptrs []mptr    `xml:"mptr"`
	Fptrs []fptr    `xml:"fptr"`
	Divs  []metsDiv `xml:"div"`
}

type mptr struct {
	LocType string `xml:"LOCTYPE,attr"`
	Type    string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
	Title   string `xml:"xlink:title,attr"`
}

type fptr struct {
	FileID string `xml:"FILEID,attr"`
}

// schemaLocation names, for readers, where in the package each schema of a
// METS file is; relative to the METS file.
func schemaLocation(prefix string) string {
	var b strings.Builder
	for _, s := range OfficialSchemas {
		switch s.Namespace {
		case nsMETS, nsXLink, nsCSIP, nsSIP:
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			b.WriteString(s.Namespace + " " + prefix + "schemas/" + s.File)
		}
	}
	return b.String()
}

// newMETS is the common frame of the root and the representation METS.
func newMETS(objID, label string, r Request) mets {
	return mets{
		Xmlns: nsMETS, XmlnsXlink: nsXLink, XmlnsCSIP: nsCSIP, XmlnsSIP: nsSIP, XmlnsXSI: nsXSI,
		ObjID: objID, Label: label, Type: "OTHER", OtherType: contentOtherType,
		ContentInfo: "OTHER", OtherContent: contentInfoOther, Profile: ProfileSIP,
		Hdr: metsHdr{CreateDate: r.Now.UTC().Format(time.RFC3339), RecordStatus: "NEW", OAISType: "SIP", Agents: agents(r)},
	}
}

// agents are the metsHdr agents: the software that wrote the package
// (CSIP10–16), the municipality as archival creator (SIP9–14) and as
// submitting agent (SIP15–20).
func agents(r Request) []agent {
	var id []typeNote
	if r.OrgID != "" {
		id = []typeNote{{Type: "IDENTIFICATIONCODE", Text: r.OrgID}}
	}
	return []agent{
		{Role: "CREATOR", Type: "OTHER", OtherType: "SOFTWARE", Name: r.Software, Notes: []typeNote{{Type: "SOFTWARE VERSION", Text: r.Version}}},
		{Role: "ARCHIVIST", Type: "ORGANIZATION", Name: r.Municipality, Notes: id},
		{Role: "CREATOR", Type: "ORGANIZATION", Name: r.Municipality, Notes: id},
	}
}

func (f fileEntry) metsFile(id, href string) metsFile {
	return metsFile{ID: id, MIME: f.MIME, Size: f.Size, Created: f.Created.Format(time.RFC3339),
		Checksum: f.SHA256, ChecksumType: "SHA-256", FLocat: flocat{LocType: "URL", Type: "simple", Href: href}}
}

func (f fileEntry) mdRef(mdType, version string) mdRef {
	return mdRef{LocType: "URL", Type: "simple", Href: f.Path, MDType: mdType, MDTypeVer: version, MIME: f.MIME,
		Size: f.Size, Created: f.Created.Format(time.RFC3339), Checksum: f.SHA256, ChecksumType: "SHA-256"}
}

// xmlID turns a path into an xml:id (letters, digits, '-', '_', '.').
func xmlID(prefix, p string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, c := range p {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteRune('-')
		}
	}
	return b.String()
}

// repMETS is the representation's METS: its documentation, schema and one
// file group per data folder; paths are relative to the representation.
func repMETS(files []fileEntry, objID string, a moderation.Account, r Request) mets {
	m := newMETS(repName, fmt.Sprintf("%s, %d: %s", a.Name, r.Year, repName), r)
	m.SchemaLocation = schemaLocation("../../")
	doc := fileGrp{ID: "rep1-grp-documentation", Use: "Documentation"}
	sch := fileGrp{ID: "rep1-grp-schemas", Use: "Schemas"}
	data := map[string]*fileGrp{}
	for _, f := range files {
		rel := strings.TrimPrefix(f.Path, repDir)
		mf := f.metsFile(xmlID("rep1-file-", rel), rel)
		switch {
		case strings.HasPrefix(rel, "documentation/"):
			doc.Files = append(doc.Files, mf)
		case strings.HasPrefix(rel, "schemas/"):
			sch.Files = append(sch.Files, mf)
		case strings.HasPrefix(rel, "data/"):
			folder := path.Dir(rel)
			g := data[folder]
			if g == nil {
				g = &fileGrp{ID: xmlID("rep1-grp-", folder), Use: "Representations/" + repName + "/" + folder,
					ContentInfo: "OTHER", OtherContent: contentInfoOther}
				data[folder] = g
			}
			g.Files = append(g.Files, mf)
		}
	}
	var folders []string
	for k := range data {
		folders = append(folders, k)
	}
	sort.Strings(folders)
	m.FileSec = fileSec{ID: "rep1-filesec", Grps: []fileGrp{doc, sch}}
	content := metsDiv{ID: "rep1-div-representations", Label: "Representations"}
	for _, k := range folders {
		m.FileSec.Grps = append(m.FileSec.Grps, *data[k])
		content.Fptrs = append(content.Fptrs, fptr{FileID: data[k].ID})
	}
	m.StructMap = structMap{ID: "rep1-structmap", Type: "PHYSICAL", Label: "CSIP", Div: metsDiv{ID: "rep1-div-root", Label: repName,
		Divs: []metsDiv{
			{ID: "rep1-div-metadata", Label: "Metadata"},
			{ID: "rep1-div-documentation", Label: "Documentation", Fptrs: []fptr{{FileID: doc.ID}}},
			{ID: "rep1-div-schemas", Label: "Schemas", Fptrs: []fptr{{FileID: sch.ID}}},
			content,
		}}}
	return m
}

// rootMETS is the package's METS: the descriptive and preservation
// metadata, documentation, schemas and the pointer to the representation.
func rootMETS(files []fileEntry, objID string, a moderation.Account, r Request) mets {
	m := newMETS(objID, fmt.Sprintf("%s, %d", a.Name, r.Year), r)
	m.SchemaLocation = schemaLocation("")
	created := r.Now.UTC().Format(time.RFC3339)
	doc := fileGrp{ID: "grp-documentation", Use: "Documentation"}
	sch := fileGrp{ID: "grp-schemas", Use: "Schemas"}
	reps := fileGrp{ID: "grp-" + repName, Use: "Representations/" + repName, ContentInfo: "OTHER", OtherContent: contentInfoOther}
	for _, f := range files {
		switch {
		case f.Path == "metadata/descriptive/dc.xml":
			m.DmdSec = append(m.DmdSec, mdSec{ID: "dmd-dc", Created: created, Status: "CURRENT", MdRef: f.mdRef("DC", "")})
		case f.Path == "metadata/preservation/premis.xml":
			m.AmdSec = &amdSec{ID: "amd", DigiprovMD: []mdSec{{ID: "digiprov-premis", Created: created, Status: "CURRENT", MdRef: f.mdRef("PREMIS", "3.0")}}}
		case strings.HasPrefix(f.Path, "documentation/"):
			doc.Files = append(doc.Files, f.metsFile(xmlID("file-", f.Path), f.Path))
		case strings.HasPrefix(f.Path, "schemas/"):
			sch.Files = append(sch.Files, f.metsFile(xmlID("file-", f.Path), f.Path))
		case f.Path == repDir+"METS.xml":
			reps.Files = append(reps.Files, f.metsFile(xmlID("file-", f.Path), f.Path))
		}
	}
	m.FileSec = fileSec{ID: "filesec", Grps: []fileGrp{doc, sch, reps}}
	md := metsDiv{ID: "div-metadata", Label: "Metadata", DmdID: "dmd-dc"}
	if m.AmdSec != nil {
		md.AdmID = "digiprov-premis"
	}
	m.StructMap = structMap{ID: "structmap", Type: "PHYSICAL", Label: "CSIP", Div: metsDiv{ID: "div-root", Label: objID,
		Divs: []metsDiv{
			md,
			{ID: "div-documentation", Label: "Documentation", Fptrs: []fptr{{FileID: doc.ID}}},
			{ID: "div-schemas", Label: "Schemas", Fptrs: []fptr{{FileID: sch.ID}}},
			{ID: "div-" + repName, Label: "Representations/" + repName,
				Mptrs: []mptr{{LocType: "URL", Type: "simple", Href: repDir + "METS.xml", Title: reps.ID}}},
		}}}
	return m
}
