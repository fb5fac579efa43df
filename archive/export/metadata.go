package export

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// oaiDC is the package's descriptive metadata: simple Dublin Core in the
// OAI-PMH container (MDTYPE DC).
type oaiDC struct {
	XMLName     xml.Name `xml:"oai_dc:dc"`
	XmlnsOAI    string   `xml:"xmlns:oai_dc,attr"`
	XmlnsDC     string   `xml:"xmlns:dc,attr"`
	Title       []dcText `xml:"dc:title"`
	Creator     []dcText `xml:"dc:creator"`
	Subject     []dcText `xml:"dc:subject"`
	Description []dcText `xml:"dc:description"`
	Publisher   []dcText `xml:"dc:publisher"`
	Date        []dcText `xml:"dc:date"`
	Type        []dcText `xml:"dc:type"`
	Format      []dcText `xml:"dc:format"`
	Identifier  []dcText `xml:"dc:identifier"`
	Source      []dcText `xml:"dc:source"`
	Language    []dcText `xml:"dc:language"`
	Coverage    []dcText `xml:"dc:coverage"`
}

type dcText struct {
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

func dc(s string) []dcText { return []dcText{{Text: s}} }

func dublinCore(a moderation.Account, r Request, objID string, from, to time.Time) oaiDC {
	lang := r.Language
	if lang == "" {
		lang = "sv"
	}
	w := docWords[lang]
	if w == nil {
		w = docWords["en"]
	}
	period := from.Format(time.DateOnly) + "/" + to.AddDate(0, 0, -1).Format(time.DateOnly)
	d := oaiDC{XmlnsOAI: nsOAIDC, XmlnsDC: nsDC,
		Title:       []dcText{{Lang: lang, Text: fmt.Sprintf(w["title"], a.Name, r.Year)}},
		Creator:     dc(r.Municipality),
		Subject:     []dcText{{Lang: lang, Text: w["subject"]}},
		Description: []dcText{{Lang: lang, Text: fmt.Sprintf(w["description"], a.Name, string(a.Platform), r.Year)}},
		Publisher:   dc(r.Municipality),
		Date:        dc(period),
		Type:        dc("Collection"),
		Format:      []dcText{{Text: "application/pdf"}, {Text: "application/x-ndjson"}, {Text: "application/xml"}, {Text: "application/json"}},
		Identifier:  []dcText{{Text: objID}, {Text: string(a.Platform) + ":" + a.PlatformID}},
		Source:      dc(fmt.Sprintf("%s %s (%s)", a.Platform, a.Name, a.PlatformID)),
		Language:    dc(lang),
		Coverage:    dc(period),
	}
	return d
}

// premisDoc is the package's preservation metadata being gathered: an
// object for every file of the representation with its fixity, the events
// that made or changed the records, and the agents of those events.
type premisDoc struct {
	Objects []premisObject
	Events  []premisEvent
	agentOf map[string]string // agent name: its PREMIS agent type
	version string            // of the software
}

type premisXML struct {
	XMLName  xml.Name       `xml:"premis:premis"`
	XmlnsP   string         `xml:"xmlns:premis,attr"`
	XmlnsXSI string         `xml:"xmlns:xsi,attr"`
	Version  string         `xml:"version,attr"`
	Objects  []premisObject `xml:"premis:object"`
	Events   []premisEvent  `xml:"premis:event"`
	Agents   []premisAgent  `xml:"premis:agent"`
}

type premisID struct {
	Type  string `xml:"premis:objectIdentifierType"`
	Value string `xml:"premis:objectIdentifierValue"`
}

type premisObject struct {
	XSIType string        `xml:"xsi:type,attr"`
	ID      premisID      `xml:"premis:objectIdentifier"`
	Chars   premisObjChar `xml:"premis:objectCharacteristics"`
	Name    string        `xml:"premis:originalName"`
}

type premisObjChar struct {
	Level  int          `xml:"premis:compositionLevel"`
	Fixity premisFixity `xml:"premis:fixity"`
	Size   int64        `xml:"premis:size"`
	Format premisFormat `xml:"premis:format"`
}

type premisFixity struct {
	Algorithm string `xml:"premis:messageDigestAlgorithm"`
	Digest    string `xml:"premis:messageDigest"`
	Origin    string `xml:"premis:messageDigestOriginator"`
}

type premisFormat struct {
	Name string `xml:"premis:formatDesignation>premis:formatName"`
}

type premisEvent struct {
	ID      premisEventID        `xml:"premis:eventIdentifier"`
	Type    string               `xml:"premis:eventType"`
	At      string               `xml:"premis:eventDateTime"`
	Detail  string               `xml:"premis:eventDetailInformation>premis:eventDetail"`
	Outcome string               `xml:"premis:eventOutcomeInformation>premis:eventOutcome"`
	Agents  []premisLinkingAgent `xml:"premis:linkingAgentIdentifier"`
	Objects []premisLinkingObjc  `xml:"premis:linkingObjectIdentifier"`
}

type premisEventID struct {
	Type  string `xml:"premis:eventIdentifierType"`
	Value string `xml:"premis:eventIdentifierValue"`
}

type premisLinkingAgent struct {
	Type  string `xml:"premis:linkingAgentIdentifierType"`
	Value string `xml:"premis:linkingAgentIdentifierValue"`
	Role  string `xml:"premis:linkingAgentRole"`
}

type premisLinkingObjc struct {
	Type  string `xml:"premis:linkingObjectIdentifierType"`
	Value string `xml:"premis:linkingObjectIdentifierValue"`
}

type premisAgent struct {
	ID      premisAgentID `xml:"premis:agentIdentifier"`
	Name    string        `xml:"premis:agentName"`
	Type    string        `xml:"premis:agentType"`
	Version string        `xml:"premis:agentVersion,omitempty"`
}

type premisAgentID struct {
	Type  string `xml:"premis:agentIdentifierType"`
	Value string `xml:"premis:agentIdentifierValue"`
}

// object records a file of the representation (path relative to the
// package) with its SHA-256.
func (d *premisDoc) object(f fileEntry) {
	d.Objects = append(d.Objects, premisObject{XSIType: "premis:file",
		ID: premisID{Type: "filepath", Value: f.Path},
		Chars: premisObjChar{Fixity: premisFixity{Algorithm: "SHA-256", Digest: f.SHA256, Origin: "uppsikt"},
			Size: f.Size, Format: premisFormat{Name: f.MIME}},
		Name: f.Path})
}

func (d *premisDoc) add(kind string, at time.Time, detail string, agents []premisLinkingAgent, objs []premisLinkingObjc) {
	if d.agentOf == nil {
		d.agentOf = map[string]string{}
	}
	for _, a := range agents {
		d.agentOf[a.Value] = a.Type
	}
	d.Events = append(d.Events, premisEvent{
		ID:   premisEventID{Type: "local", Value: fmt.Sprintf("event-%05d", len(d.Events)+1)},
		Type: kind, At: at.UTC().Format(time.RFC3339), Detail: detail, Outcome: "success",
		Agents: agents, Objects: objs})
}

func program(software string) premisLinkingAgent {
	return premisLinkingAgent{Type: "software", Value: software, Role: "executing program"}
}

// event is done by software to a file of the package.
func (d *premisDoc) event(kind string, at time.Time, detail, software, file string) {
	d.add(kind, at, detail, []premisLinkingAgent{program(software)}, []premisLinkingObjc{{Type: "filepath", Value: file}})
}

// commentEvent is done by software to a comment on the platform, as the
// people who decided it (deciders) authorised.
func (d *premisDoc) commentEvent(kind string, at time.Time, detail, software, comment string, deciders []string) {
	agents := []premisLinkingAgent{program(software)}
	for _, p := range deciders {
		agents = append(agents, premisLinkingAgent{Type: "person", Value: p, Role: "authorizer"})
	}
	d.add(kind, at, detail, agents, []premisLinkingObjc{{Type: "platform comment id", Value: comment}})
}

// disposal is a disposal of comment text under the retention plan, by the
// person who decided it, or by the plan itself for the service's daily run
// (the municipality's decided plan: an organization agent).
func (d *premisDoc) disposal(x moderation.Disposal, by string) {
	kind := "person"
	if strings.HasPrefix(by, "retention plan") {
		kind = "organization"
	}
	d.add("deletion", x.At, fmt.Sprintf("disposal of %s under %s: %d comment versions of %d comments first seen before %s; the text was blanked, the record kept",
		x.Kind, x.Rule, x.Items, x.Comments, x.Cutoff.UTC().Format(time.DateOnly)),
		[]premisLinkingAgent{{Type: kind, Value: by, Role: "authorizer"}},
		[]premisLinkingObjc{{Type: "filepath", Value: rep + "api/comment-versions.jsonl"}})
}

func (d *premisDoc) xml() premisXML {
	out := premisXML{XmlnsP: nsPREMIS, XmlnsXSI: nsXSI, Version: "3.0", Objects: d.Objects, Events: d.Events}
	var names []string
	for k := range d.agentOf {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		a := premisAgent{ID: premisAgentID{Type: d.agentOf[n], Value: n}, Name: n, Type: d.agentOf[n]}
		if a.Type == "software" {
			a.Version = d.version
		}
		out.Agents = append(out.Agents, a)
	}
	return out
}
