package export

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Namespaces of the XML a package holds.
const (
	nsMETS   = "http://www.loc.gov/METS/"
	nsXLink  = "http://www.w3.org/1999/xlink"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
	nsCSIP   = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
	nsSIP    = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
	nsPREMIS = "http://www.loc.gov/premis/v3"
	nsOAIDC  = "http://www.openarchives.org/OAI/2.0/oai_dc/"
	nsDC     = "http://purl.org/dc/elements/1.1/"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
	nsReg    = "urn:uppsikt:xml:register:1"
)

// SchemaFile is one XML schema a package carries in its schemas/ folder.
type SchemaFile struct {
	Namespace string // the schema's target namespace
	File      string // its name in schemas/ (and in the schema folder)
	URL       string // where its publisher keeps it (scripts/fetch-schemas.sh)
	// Debian is the Debian package that carries the official file, which
	// scripts/fetch-schemas.sh takes without internet access; "" when
	// none does (the file must be downloaded or put in place by hand).
	Debian string
}

// OfficialSchemas are the published schemas of the standards a package
// uses, in the order they are imported when validating (a namespace
// imported once is not fetched again by the schemas that import it). They
// are not part of uppsikt's source: scripts/fetch-schemas.sh takes those
// Debian carries from Debian and downloads the others from their
// publishers into the schema folder (configuration paths.schemas), and
// Write copies those it finds into each package. A package without one of
// them fails export verify's CSIP113 and XSD for its namespace.
var OfficialSchemas = []SchemaFile{
	{nsXML, "xml.xsd", "https://www.w3.org/2001/xml.xsd", "libgupnp-av-1.0-3"},
	{nsXLink, "xlink.xsd", "https://www.loc.gov/standards/mets/xlink.xsd", ""},
	{nsCSIP, "DILCISExtensionMETS.xsd", "https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd", ""},
	{nsSIP, "DILCISExtensionSIPMETS.xsd", "https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd", ""},
	{nsMETS, "mets.xsd", "https://www.loc.gov/standards/mets/mets.xsd", ""},
	{nsDC, "simpledc20021212.xsd", "https://www.dublincore.org/schemas/xmls/simpledc20021212.xsd", "libgupnp-av-1.0-3"},
	{nsOAIDC, "oai_dc.xsd", "https://www.openarchives.org/OAI/2.0/oai_dc.xsd", "python3-gavo"},
	{nsPREMIS, "premis.xsd", "https://www.loc.gov/standards/premis/premis.xsd", ""},
}

// registerSchema is uppsikt's own schema of register.xml, which the
// representation carries in its schemas/ folder.
const registerSchema = "uppsikt-register.xsd"

//go:embed schemas/uppsikt-register.xsd
var ownSchemas embed.FS

// MissingSchemas returns the official schemas not in dir, the schema
// folder; a package written without them fails verification (CSIP113, XSD)
// for their namespaces.
func MissingSchemas(dir string) []SchemaFile {
	var out []SchemaFile
	for _, s := range OfficialSchemas {
		if dir == "" {
			out = append(out, s)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, s.File)); err != nil {
			out = append(out, s)
		}
	}
	return out
}

// copySchemas copies the official schemas found in dir into the package's
// schemas/ folder.
func (p *pkg) copySchemas(dir string) error {
	if dir == "" {
		return nil
	}
	for _, s := range OfficialSchemas {
		src := filepath.Join(dir, s.File)
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := p.copy("schemas/"+s.File, src, "application/xml"); err != nil {
			return err
		}
	}
	return nil
}

// writeOwnSchema writes uppsikt's register schema at rel.
func (p *pkg) writeOwnSchema(rel string) error {
	b, err := ownSchemas.ReadFile("schemas/" + registerSchema)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return p.writeBytes(rel, "application/xml", b)
}

// officialSchema returns the official schema of a namespace.
func officialSchema(ns string) (SchemaFile, bool) {
	for _, s := range OfficialSchemas {
		if s.Namespace == ns {
			return s, true
		}
	}
	return SchemaFile{}, false
}
