package export

import (
	"context"
	"strings"
)

// requirements are the checks of Verify, in the order they are reported:
// the CSIP 2.2 and SIP 2.2 MUSTs a package's METS files show, by their ids
// in the E-ARK METS profiles, and uppsikt's own checks of the files (FILES)
// and of the XML against its schemas (XSD). docs/archive-package.md lists
// them with how each is verified and what is not checked.
var requirements = []requirement{
	{id: "METS", text: "the root METS.xml and every representation METS it points to can be read as METS"},

	// mets root element
	{id: "CSIP1", text: "mets/@OBJID is present", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP1", m, m.n.attr("OBJID") != "", "mets has no OBJID")
	}},
	{id: "CSIP2", text: "mets/@TYPE declares the content category (OTHER with csip:OTHERTYPE)", check: func(v *verifier, m *metsDoc) {
		t := m.n.attr("TYPE")
		v.want("CSIP2", m, t != "", "mets has no TYPE")
		v.want("CSIP2", m, t != "OTHER" || m.n.attrNS(nsCSIP, "OTHERTYPE") != "", "mets TYPE is OTHER without csip:OTHERTYPE")
	}},
	{id: "CSIP6", text: "mets/@PROFILE names the METS profile", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP6", m, m.n.attr("PROFILE") != "", "mets has no PROFILE")
	}},
	{id: "SIP2", text: "mets/@PROFILE is the E-ARK SIP profile", check: func(v *verifier, m *metsDoc) {
		p := m.n.attr("PROFILE")
		v.want("SIP2", m, p == ProfileSIP || p == profileSIPCurrent, "PROFILE is %q, want %s", p, ProfileSIP)
	}},

	// metsHdr
	{id: "CSIP117", text: "mets/metsHdr is present, once", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP117", m, len(m.n.children("metsHdr")) == 1, "%d metsHdr elements, want 1", len(m.n.children("metsHdr")))
	}},
	{id: "CSIP7", text: "metsHdr/@CREATEDATE records when the package was made", check: func(v *verifier, m *metsDoc) {
		for _, h := range m.n.children("metsHdr") {
			v.want("CSIP7", m, isDateTime(h.attr("CREATEDATE")), "metsHdr CREATEDATE %q is not a date and time", h.attr("CREATEDATE"))
		}
	}},
	{id: "CSIP9", text: "metsHdr/@csip:OAISPACKAGETYPE is present", check: func(v *verifier, m *metsDoc) {
		for _, h := range m.n.children("metsHdr") {
			v.want("CSIP9", m, h.attrNS(nsCSIP, "OAISPACKAGETYPE") != "", "metsHdr has no csip:OAISPACKAGETYPE")
		}
	}},
	{id: "SIP4", text: "metsHdr/@csip:OAISPACKAGETYPE is SIP", check: func(v *verifier, m *metsDoc) {
		for _, h := range m.n.children("metsHdr") {
			t := h.attrNS(nsCSIP, "OAISPACKAGETYPE")
			v.want("SIP4", m, t == "SIP", "csip:OAISPACKAGETYPE is %q, want SIP", t)
		}
	}},
	{id: "CSIP10", text: "an agent records the software that made the package", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP10", m, softwareAgent(m) != nil, "no agent records the software (ROLE CREATOR, TYPE OTHER, OTHERTYPE SOFTWARE)")
	}},
	{id: "CSIP11", text: "the software agent's ROLE is CREATOR", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			v.want("CSIP11", m, a.attr("ROLE") == "CREATOR", "the software agent's ROLE is %q, want CREATOR", a.attr("ROLE"))
		}
	}},
	{id: "CSIP12", text: "the software agent's TYPE is OTHER", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			v.want("CSIP12", m, a.attr("TYPE") == "OTHER", "the software agent's TYPE is %q, want OTHER", a.attr("TYPE"))
		}
	}},
	{id: "CSIP13", text: "the software agent's OTHERTYPE is SOFTWARE", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			v.want("CSIP13", m, a.attr("OTHERTYPE") == "SOFTWARE", "the software agent's OTHERTYPE is %q, want SOFTWARE", a.attr("OTHERTYPE"))
		}
	}},
	{id: "CSIP14", text: "the software agent names the software", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			v.want("CSIP14", m, agentName(a) != "", "the software agent has no name")
		}
	}},
	{id: "CSIP15", text: "the software agent has one note with the software's version", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			ns := a.children("note")
			v.want("CSIP15", m, len(ns) == 1 && strings.TrimSpace(ns[0].text) != "", "the software agent has %d notes, want one with its version", len(ns))
		}
	}},
	{id: "CSIP16", text: "that note's csip:NOTETYPE is SOFTWARE VERSION", check: func(v *verifier, m *metsDoc) {
		if a := softwareAgent(m); a != nil {
			for _, n := range a.children("note") {
				v.want("CSIP16", m, n.attrNS(nsCSIP, "NOTETYPE") == "SOFTWARE VERSION", "the software agent's note is typed %q, want SOFTWARE VERSION", n.attrNS(nsCSIP, "NOTETYPE"))
			}
		}
	}},
	{id: "SIP11", text: "the archival creator agent (ARCHIVIST) is an ORGANIZATION or INDIVIDUAL", check: func(v *verifier, m *metsDoc) {
		for _, a := range agentsWithRole(m, "ARCHIVIST") {
			t := a.attr("TYPE")
			v.want("SIP11", m, t == "ORGANIZATION" || t == "INDIVIDUAL", "the archival creator agent's TYPE is %q", t)
		}
	}},
	{id: "SIP12", text: "the archival creator agent has a name", check: func(v *verifier, m *metsDoc) {
		for _, a := range agentsWithRole(m, "ARCHIVIST") {
			v.want("SIP12", m, agentName(a) != "", "the archival creator agent has no name")
		}
	}},
	{id: "SIP14", text: "the archival creator agent's note is typed IDENTIFICATIONCODE", check: func(v *verifier, m *metsDoc) {
		for _, a := range agentsWithRole(m, "ARCHIVIST") {
			for _, n := range a.children("note") {
				v.want("SIP14", m, n.attrNS(nsCSIP, "NOTETYPE") == "IDENTIFICATIONCODE", "the archival creator agent's note is typed %q, want IDENTIFICATIONCODE", n.attrNS(nsCSIP, "NOTETYPE"))
			}
		}
	}},
	{id: "SIP15", text: "one submitting agent (ROLE CREATOR, not the software)", check: func(v *verifier, m *metsDoc) {
		n := len(submittingAgents(m))
		v.want("SIP15", m, n == 1, "%d submitting agents, want 1", n)
	}},
	{id: "SIP17", text: "the submitting agent is an ORGANIZATION or INDIVIDUAL", check: func(v *verifier, m *metsDoc) {
		for _, a := range submittingAgents(m) {
			t := a.attr("TYPE")
			v.want("SIP17", m, t == "ORGANIZATION" || t == "INDIVIDUAL", "the submitting agent's TYPE is %q", t)
		}
	}},
	{id: "SIP18", text: "the submitting agent names the organisation", check: func(v *verifier, m *metsDoc) {
		for _, a := range submittingAgents(m) {
			v.want("SIP18", m, agentName(a) != "", "the submitting agent has no name")
		}
	}},
	{id: "SIP20", text: "the submitting agent's note is typed IDENTIFICATIONCODE", check: func(v *verifier, m *metsDoc) {
		for _, a := range submittingAgents(m) {
			for _, n := range a.children("note") {
				v.want("SIP20", m, n.attrNS(nsCSIP, "NOTETYPE") == "IDENTIFICATIONCODE", "the submitting agent's note is typed %q, want IDENTIFICATIONCODE", n.attrNS(nsCSIP, "NOTETYPE"))
			}
		}
	}},

	// dmdSec
	{id: "CSIP18", text: "every dmdSec has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.n.children("dmdSec") {
			v.uniqueID("CSIP18", m, d, "a dmdSec")
		}
	}},
	{id: "CSIP19", text: "every dmdSec has CREATED", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.n.children("dmdSec") {
			v.want("CSIP19", m, isDateTime(d.attr("CREATED")), "dmdSec %s: CREATED %q is not a date and time", d.attr("ID"), d.attr("CREATED"))
		}
	}},
	{id: "CSIP22–30", text: "every dmdSec/mdRef has LOCTYPE URL, xlink:type simple, xlink:href, MDTYPE, MIMETYPE, SIZE, CREATED, CHECKSUM, CHECKSUMTYPE", check: func(v *verifier, m *metsDoc) {
		for _, r := range m.n.find("dmdSec", "mdRef") {
			v.refAttrs(m, r, "dmdSec/mdRef "+r.attrNS(nsXLink, "href"), idsFrom(22, "LOCTYPE", "type", "href", "MDTYPE", "MIMETYPE", "SIZE", "CREATED", "CHECKSUM", "CHECKSUMTYPE"))
		}
	}},

	// amdSec
	{id: "CSIP33", text: "every digiprovMD has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.n.find("amdSec", "digiprovMD") {
			v.uniqueID("CSIP33", m, d, "a digiprovMD")
		}
	}},
	{id: "CSIP36–44", text: "every digiprovMD/mdRef has LOCTYPE URL, xlink:type simple, xlink:href, MDTYPE, MIMETYPE, SIZE, CREATED, CHECKSUM, CHECKSUMTYPE", check: func(v *verifier, m *metsDoc) {
		for _, r := range m.n.find("amdSec", "digiprovMD", "mdRef") {
			v.refAttrs(m, r, "digiprovMD/mdRef "+r.attrNS(nsXLink, "href"), idsFrom(36, "LOCTYPE", "type", "href", "MDTYPE", "MIMETYPE", "SIZE", "CREATED", "CHECKSUM", "CHECKSUMTYPE"))
		}
	}},
	{id: "CSIP46", text: "every rightsMD has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.n.find("amdSec", "rightsMD") {
			v.uniqueID("CSIP46", m, d, "a rightsMD")
		}
	}},
	{id: "CSIP49–57", text: "every rightsMD/mdRef has LOCTYPE URL, xlink:type simple, xlink:href, MDTYPE, MIMETYPE, SIZE, CREATED, CHECKSUM, CHECKSUMTYPE", check: func(v *verifier, m *metsDoc) {
		for _, r := range m.n.find("amdSec", "rightsMD", "mdRef") {
			v.refAttrs(m, r, "rightsMD/mdRef "+r.attrNS(nsXLink, "href"), idsFrom(49, "LOCTYPE", "type", "href", "MDTYPE", "MIMETYPE", "SIZE", "CREATED", "CHECKSUM", "CHECKSUMTYPE"))
		}
	}},

	// fileSec
	{id: "CSIP59", text: "the fileSec has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, f := range m.n.children("fileSec") {
			v.uniqueID("CSIP59", m, f, "the fileSec")
		}
	}},
	{id: "CSIP60", text: "a fileGrp with USE Documentation", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP60", m, len(m.grpsUse(func(u string) bool { return u == "Documentation" })) > 0, "no fileGrp with USE Documentation")
	}},
	{id: "CSIP113", text: "a fileGrp with USE Schemas, holding every XML schema the package uses", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP113", m, len(m.grpsUse(func(u string) bool { return u == "Schemas" })) > 0, "no fileGrp with USE Schemas")
	}},
	{id: "CSIP114", text: "a fileGrp with USE starting with Representations", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP114", m, len(m.grpsUse(func(u string) bool { return strings.HasPrefix(u, "Representations") })) > 0, "no fileGrp with USE Representations…")
	}},
	{id: "CSIP64", text: "every fileGrp/@USE names the folder its files are in", check: func(v *verifier, m *metsDoc) {
		for _, g := range m.n.find("fileSec", "fileGrp") {
			use := g.attr("USE")
			if use == "" {
				v.add("CSIP64", m.path, "fileGrp %s has no USE", g.attr("ID"))
				continue
			}
			folder := lowerFirst(use)
			if !strings.HasPrefix(use, "Representations") {
				folder = joinBase(m.base, folder)
			}
			for _, f := range g.children("file") {
				for _, l := range f.children("FLocat") {
					p, ok := m.hrefOf(l.attrNS(nsXLink, "href"))
					if ok && !strings.HasPrefix(p, folder+"/") {
						v.add("CSIP64", m.path, "fileGrp USE %q holds %s, which is not in the folder %s/", use, p, folder)
					}
				}
			}
		}
	}},
	{id: "CSIP65", text: "every fileGrp has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, g := range m.n.find("fileSec", "fileGrp") {
			v.uniqueID("CSIP65", m, g, "fileGrp "+g.attr("USE"))
		}
	}},
	{id: "CSIP66", text: "every fileGrp holds files", check: func(v *verifier, m *metsDoc) {
		for _, g := range m.n.find("fileSec", "fileGrp") {
			v.want("CSIP66", m, len(g.children("file")) > 0, "fileGrp %s holds no file", g.attr("USE"))
		}
	}},
	{id: "CSIP67", text: "every file has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, f := range m.n.find("fileSec", "fileGrp", "file") {
			v.uniqueID("CSIP67", m, f, "a file")
		}
	}},
	{id: "CSIP68–72", text: "every file has MIMETYPE, SIZE, CREATED, CHECKSUM and CHECKSUMTYPE", check: func(v *verifier, m *metsDoc) {
		for _, f := range m.n.find("fileSec", "fileGrp", "file") {
			v.refAttrs(m, f, "file "+f.attr("ID"), idsFrom(68, "MIMETYPE", "SIZE", "CREATED", "CHECKSUM", "CHECKSUMTYPE"))
		}
	}},
	{id: "CSIP76", text: "every file has one FLocat", check: func(v *verifier, m *metsDoc) {
		for _, f := range m.n.find("fileSec", "fileGrp", "file") {
			v.want("CSIP76", m, len(f.children("FLocat")) == 1, "file %s has %d FLocat, want 1", f.attr("ID"), len(f.children("FLocat")))
		}
	}},
	{id: "CSIP77–79", text: "every FLocat has LOCTYPE URL, xlink:type simple and xlink:href", check: func(v *verifier, m *metsDoc) {
		for _, l := range m.n.find("fileSec", "fileGrp", "file", "FLocat") {
			v.refAttrs(m, l, "FLocat "+l.attrNS(nsXLink, "href"), idsFrom(77, "LOCTYPE", "type", "href"))
		}
	}},

	// structMap
	{id: "CSIP80", text: "a structMap is present", check: func(v *verifier, m *metsDoc) {
		v.want("CSIP80", m, len(m.n.children("structMap")) > 0, "no structMap")
	}},
	{id: "CSIP82", text: "one structMap has LABEL CSIP", check: func(v *verifier, m *metsDoc) {
		n := 0
		for _, s := range m.n.children("structMap") {
			if s.attr("LABEL") == "CSIP" {
				n++
			}
		}
		v.want("CSIP82", m, n == 1, "%d structMaps labelled CSIP, want 1", n)
	}},
	{id: "CSIP81", text: "the CSIP structMap's TYPE is PHYSICAL", check: func(v *verifier, m *metsDoc) {
		if s := m.csipMap(); s != nil {
			v.want("CSIP81", m, s.attr("TYPE") == "PHYSICAL", "the CSIP structMap's TYPE is %q, want PHYSICAL", s.attr("TYPE"))
		}
	}},
	{id: "CSIP83", text: "the CSIP structMap has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		if s := m.csipMap(); s != nil {
			v.uniqueID("CSIP83", m, s, "the CSIP structMap")
		}
	}},
	{id: "CSIP84", text: "the CSIP structMap has one division", check: func(v *verifier, m *metsDoc) {
		if s := m.csipMap(); s != nil {
			v.want("CSIP84", m, len(s.children("div")) == 1, "the CSIP structMap has %d divisions, want 1", len(s.children("div")))
		}
	}},
	{id: "CSIP85", text: "that division has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		if s := m.csipMap(); s != nil {
			for _, d := range s.children("div") {
				v.uniqueID("CSIP85", m, d, "the main division")
			}
		}
	}},
	{id: "CSIP88", text: "one Metadata division (CSIP90: LABEL Metadata)", check: func(v *verifier, m *metsDoc) {
		n := len(m.divsLabelled("Metadata"))
		v.want("CSIP88", m, n == 1, "%d Metadata divisions, want 1", n)
	}},
	{id: "CSIP89", text: "the Metadata division has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Metadata") {
			v.uniqueID("CSIP89", m, d, "the Metadata division")
		}
	}},
	{id: "CSIP94", text: "the Documentation division has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Documentation") {
			v.uniqueID("CSIP94", m, d, "the Documentation division")
		}
	}},
	{id: "CSIP116", text: "the Documentation division points to Documentation file groups", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Documentation") {
			v.pointsToGroups("CSIP116", m, d, func(u string) bool { return u == "Documentation" })
		}
	}},
	{id: "CSIP98", text: "the Schemas division has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Schemas") {
			v.uniqueID("CSIP98", m, d, "the Schemas division")
		}
	}},
	{id: "CSIP118", text: "the Schemas division points to Schemas file groups", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Schemas") {
			v.pointsToGroups("CSIP118", m, d, func(u string) bool { return u == "Schemas" })
		}
	}},
	{id: "CSIP102", text: "the Representations division has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Representations") {
			v.uniqueID("CSIP102", m, d, "the Representations division")
		}
	}},
	{id: "CSIP119", text: "the Representations division points to Representations file groups", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divsLabelled("Representations") {
			v.pointsToGroups("CSIP119", m, d, func(u string) bool { return strings.HasPrefix(u, "Representations") })
		}
	}},
	{id: "CSIP106", text: "every division of the package has an ID unique in the document", check: func(v *verifier, m *metsDoc) {
		for _, d := range m.divs() {
			v.uniqueID("CSIP106", m, d, "division "+d.attr("LABEL"))
		}
	}},
	{id: "CSIP107", text: "every representation division is labelled with the USE of its file group", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			l := d.attr("LABEL")
			v.want("CSIP107", m, len(m.grpsUse(func(u string) bool { return u == l })) > 0, "division %q names no fileGrp USE", l)
		}
		if !m.root {
			return
		}
		// Every representation METS the root lists has its division.
		for _, g := range m.grpsUse(func(u string) bool { return strings.HasPrefix(u, "Representations/") }) {
			found := false
			for _, d := range repDivs(m) {
				found = found || d.attr("LABEL") == g.attr("USE")
			}
			v.want("CSIP107", m, found, "the representation %q has no division labelled with its USE", g.attr("USE"))
		}
	}},
	{id: "CSIP108", text: "every representation division's mptr/@xlink:title is the ID of its file group", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			for _, p := range d.children("mptr") {
				t := p.attrNS(nsXLink, "title")
				ok := false
				for _, g := range m.grpsUse(func(u string) bool { return u == d.attr("LABEL") }) {
					ok = ok || (t != "" && g.attr("ID") == t)
				}
				v.want("CSIP108", m, ok, "division %q: mptr xlink:title %q is not the ID of its fileGrp", d.attr("LABEL"), t)
			}
		}
	}},
	{id: "CSIP109", text: "every representation division has one mptr to the representation's METS", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			v.want("CSIP109", m, len(d.children("mptr")) == 1, "division %q has %d mptr, want 1", d.attr("LABEL"), len(d.children("mptr")))
		}
	}},
	{id: "CSIP110", text: "every mptr/@xlink:href locates a METS file in the package", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			for _, p := range d.children("mptr") {
				href := p.attrNS(nsXLink, "href")
				rel, ok := m.hrefOf(href)
				v.want("CSIP110", m, ok && strings.HasSuffix(rel, "METS.xml") && v.isMETS(rel), "division %q: mptr xlink:href %q is not a METS file of the package", d.attr("LABEL"), href)
			}
		}
	}},
	{id: "CSIP111", text: "every mptr has xlink:type simple", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			for _, p := range d.children("mptr") {
				v.want("CSIP111", m, p.attrNS(nsXLink, "type") == "simple", "division %q: mptr xlink:type %q, want simple", d.attr("LABEL"), p.attrNS(nsXLink, "type"))
			}
		}
	}},
	{id: "CSIP112", text: "every mptr has LOCTYPE URL", check: func(v *verifier, m *metsDoc) {
		for _, d := range repDivs(m) {
			for _, p := range d.children("mptr") {
				v.want("CSIP112", m, p.attr("LOCTYPE") == "URL", "division %q: mptr LOCTYPE %q, want URL", d.attr("LABEL"), p.attr("LOCTYPE"))
			}
		}
	}},

	// uppsikt's own
	{id: "FILES", text: "every file a METS lists is there with its size and SHA-256, and every file of the package is listed", pkg: func(_ context.Context, v *verifier) {
		v.files()
	}},
	{id: "XSD", text: "every XML file validates against the schema of its namespace from the package's Schemas file groups (xmllint)", pkg: func(ctx context.Context, v *verifier) {
		v.validate(ctx)
	}},
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func joinBase(base, p string) string {
	if base == "" {
		return p
	}
	return base + "/" + p
}

func agentName(a *node) string {
	for _, n := range a.children("name") {
		return strings.TrimSpace(n.text)
	}
	return ""
}

// softwareAgent is the agent that records the software: OTHERTYPE
// SOFTWARE, or else the agent of ROLE CREATOR and TYPE OTHER.
func softwareAgent(m *metsDoc) *node {
	agents := m.n.find("metsHdr", "agent")
	for _, a := range agents {
		if a.attr("OTHERTYPE") == "SOFTWARE" {
			return a
		}
	}
	for _, a := range agents {
		if a.attr("ROLE") == "CREATOR" && a.attr("TYPE") == "OTHER" {
			return a
		}
	}
	return nil
}

func agentsWithRole(m *metsDoc, role string) []*node {
	var out []*node
	for _, a := range m.n.find("metsHdr", "agent") {
		if a.attr("ROLE") == role {
			out = append(out, a)
		}
	}
	return out
}

// submittingAgents are the agents of ROLE CREATOR other than the software.
func submittingAgents(m *metsDoc) []*node {
	sw := softwareAgent(m)
	var out []*node
	for _, a := range agentsWithRole(m, "CREATOR") {
		if a != sw {
			out = append(out, a)
		}
	}
	return out
}

// repDivs are the representation divisions: LABEL Representations/…
func repDivs(m *metsDoc) []*node {
	var out []*node
	for _, d := range m.divs() {
		if strings.HasPrefix(d.attr("LABEL"), "Representations/") {
			out = append(out, d)
		}
	}
	return out
}

// pointsToGroups checks that d has fptrs and each names a fileGrp whose
// USE passes use.
func (v *verifier) pointsToGroups(req string, m *metsDoc, d *node, use func(string) bool) {
	ptrs := d.children("fptr")
	if len(ptrs) == 0 {
		v.add(req, m.path, "division %q has no fptr", d.attr("LABEL"))
	}
	for _, p := range ptrs {
		id := p.attr("FILEID")
		ok := false
		for _, g := range m.grpsUse(use) {
			ok = ok || g.attr("ID") == id
		}
		v.want(req, m, ok, "division %q: fptr FILEID %q is not the ID of such a fileGrp", d.attr("LABEL"), id)
	}
}

func (v *verifier) isMETS(rel string) bool {
	for _, d := range v.docs {
		if d.path == rel {
			return true
		}
	}
	return false
}
