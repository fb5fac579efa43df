package export

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
)

// Problem is one thing wrong with a package, under the requirement it
// breaks.
type Problem struct {
	Req     string // the requirement: CSIP7, SIP15, FILES, XSD, ...
	Path    string // the file, relative to the package
	Message string
}

func (p Problem) String() string { return p.Req + ": " + p.Path + ": " + p.Message }

// Check is one requirement verified, with what breaks it (none: it holds).
type Check struct {
	Req      string
	Text     string
	Problems []Problem
}

// Report is what Verify found: every requirement it checked, in order.
type Report struct {
	Checks []Check
}

// Problems are all problems of all checks.
func (r Report) Problems() []Problem {
	var out []Problem
	for _, c := range r.Checks {
		out = append(out, c.Problems...)
	}
	return out
}

// Options are how Verify validates XML against its schemas.
type Options struct {
	// XMLLint is the xmllint program (libxml2); "" looks for it on PATH.
	XMLLint string
}

// requirement is one check verify makes: a CSIP or SIP MUST by its id, or
// one of uppsikt's own (FILES, XSD).
type requirement struct {
	id, text string
	check    func(v *verifier, m *metsDoc)          // per METS document; nil for package-wide checks
	pkg      func(ctx context.Context, v *verifier) // package-wide
}

// Requirements lists what Verify checks, by id, with the text in short.
func Requirements() [][2]string {
	var out [][2]string
	for _, r := range requirements {
		out = append(out, [2]string{r.id, r.text})
	}
	return out
}

// Verify checks the package in dir: every CSIP 2.2 and SIP 2.2 MUST it
// can read from the root and representation METS files, every file they
// list (size and SHA-256) and that nothing unlisted is in the package, and
// every XML file against the schema of its namespace in the package's
// schemas/ folders (with xmllint). It returns the report of every check;
// an error only when dir cannot be read or xmllint cannot be run.
func Verify(ctx context.Context, dir string, opt Options) (Report, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return Report{}, fmt.Errorf("export verify: %s is not a folder", dir)
	}
	v := &verifier{dir: dir, opt: opt, probs: map[string][]Problem{}, listed: map[string]bool{"METS.xml": true}}
	v.load("METS.xml", true)
	if v.root != nil {
		for _, d := range v.root.find("structMap", "div", "div", "mptr") {
			href := d.attrNS(nsXLink, "href")
			if href == "" || !fs.ValidPath(href) {
				continue
			}
			v.listed[href] = true
			v.load(href, false)
		}
	}
	for _, r := range requirements {
		if r.check != nil {
			for _, m := range v.docs {
				r.check(v, m)
			}
		}
		if r.pkg != nil {
			r.pkg(ctx, v)
		}
		if v.fatal != nil {
			return Report{}, v.fatal
		}
	}
	// A check may find a break of another requirement (the XSD step finds
	// missing schemas, CSIP113): the report is made once all have run.
	var rep Report
	for _, r := range requirements {
		var probs []Problem
		for _, id := range expand(r.id) {
			probs = append(probs, v.probs[id]...)
		}
		rep.Checks = append(rep.Checks, Check{Req: r.id, Text: r.text, Problems: probs})
	}
	return rep, nil
}

// verifier is one verification under way.
type verifier struct {
	dir    string
	opt    Options
	root   *node
	docs   []*metsDoc
	probs  map[string][]Problem
	listed map[string]bool // package paths METS files list (and the METS files)
	broken []Problem       // METS files that cannot be read
	fatal  error
}

// metsDoc is one METS file of the package.
type metsDoc struct {
	path string // relative to the package
	base string // its folder, "" for the root
	root bool
	n    *node
	ids  map[string]int
}

func (v *verifier) add(req, p, msg string, args ...any) {
	v.probs[req] = append(v.probs[req], Problem{Req: req, Path: p, Message: fmt.Sprintf(msg, args...)})
}

func (v *verifier) load(rel string, root bool) {
	data, err := os.ReadFile(filepath.Join(v.dir, filepath.FromSlash(rel)))
	if err != nil {
		v.add("METS", rel, "missing: %v", err)
		return
	}
	n, err := parseXML(data)
	if err != nil {
		v.add("METS", rel, "not well-formed XML: %v", err)
		return
	}
	if n.space != nsMETS || n.local != "mets" {
		v.add("METS", rel, "the root element is {%s}%s, not METS", n.space, n.local)
		return
	}
	m := &metsDoc{path: rel, base: path.Dir(rel), root: root, n: n, ids: map[string]int{}}
	if m.base == "." {
		m.base = ""
	}
	n.walk(func(x *node) {
		if id := x.attr("ID"); id != "" {
			m.ids[id]++
		}
	})
	if root {
		v.root = n
	}
	v.docs = append(v.docs, m)
}

// node is an XML element, read for checking.
type node struct {
	space, local string
	attrs        []xml.Attr
	kids         []*node
	text         string
}

func parseXML(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{space: t.Name.Space, local: t.Name.Local, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// attr is an attribute without a namespace.
func (n *node) attr(local string) string { return n.attrNS("", local) }

func (n *node) has(local string) bool {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return true
		}
	}
	return false
}

func (n *node) attrNS(space, local string) string {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, k := range n.kids {
		k.walk(f)
	}
}

// children are the METS child elements named local.
func (n *node) children(local string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.space == nsMETS && k.local == local {
			out = append(out, k)
		}
	}
	return out
}

// find follows a path of METS element names from n.
func (n *node) find(p ...string) []*node {
	cur := []*node{n}
	for _, step := range p {
		var next []*node
		for _, c := range cur {
			next = append(next, c.children(step)...)
		}
		cur = next
	}
	return cur
}

// csipMap is the structMap CSIP describes (LABEL CSIP), nil when none.
func (m *metsDoc) csipMap() *node {
	for _, s := range m.n.children("structMap") {
		if s.attr("LABEL") == "CSIP" {
			return s
		}
	}
	return nil
}

// divs are the subdivisions of the CSIP structMap's single division.
func (m *metsDoc) divs() []*node {
	s := m.csipMap()
	if s == nil {
		return nil
	}
	var out []*node
	for _, d := range s.children("div") {
		out = append(out, d.children("div")...)
	}
	return out
}

func (m *metsDoc) divsLabelled(label string) []*node {
	var out []*node
	for _, d := range m.divs() {
		if d.attr("LABEL") == label {
			out = append(out, d)
		}
	}
	return out
}

func (m *metsDoc) grpsUse(pred func(string) bool) []*node {
	var out []*node
	for _, g := range m.n.find("fileSec", "fileGrp") {
		if pred(g.attr("USE")) {
			out = append(out, g)
		}
	}
	return out
}

// uniqueID checks that n has an ID used once in its document.
func (v *verifier) uniqueID(req string, m *metsDoc, n *node, what string) {
	id := n.attr("ID")
	switch {
	case id == "":
		v.add(req, m.path, "%s has no ID", what)
	case m.ids[id] > 1:
		v.add(req, m.path, "%s has the ID %q, which is used %d times", what, id, m.ids[id])
	}
}

func (v *verifier) want(req string, m *metsDoc, ok bool, msg string, args ...any) {
	if !ok {
		v.add(req, m.path, msg, args...)
	}
}

func isDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// refAttrs checks the attributes CSIP asks of a reference to a file
// (mdRef or file): the requirement ids for the locator type, link type,
// location, MIME type, size, creation time, checksum and checksum type.
func (v *verifier) refAttrs(m *metsDoc, n *node, what string, ids map[string]string) {
	if id, ok := ids["LOCTYPE"]; ok {
		v.want(id, m, n.attr("LOCTYPE") == "URL", "%s: LOCTYPE is %q, want URL", what, n.attr("LOCTYPE"))
	}
	if id, ok := ids["type"]; ok {
		v.want(id, m, n.attrNS(nsXLink, "type") == "simple", "%s: xlink:type is %q, want simple", what, n.attrNS(nsXLink, "type"))
	}
	if id, ok := ids["href"]; ok {
		v.want(id, m, n.attrNS(nsXLink, "href") != "", "%s: no xlink:href", what)
	}
	if id, ok := ids["MDTYPE"]; ok {
		v.want(id, m, n.attr("MDTYPE") != "", "%s: no MDTYPE", what)
	}
	if id, ok := ids["MIMETYPE"]; ok {
		mt := n.attr("MIMETYPE")
		v.want(id, m, strings.Contains(mt, "/"), "%s: MIMETYPE %q is not a media type", what, mt)
	}
	if id, ok := ids["SIZE"]; ok {
		_, err := strconv.ParseInt(n.attr("SIZE"), 10, 64)
		v.want(id, m, err == nil, "%s: SIZE %q is not a number of bytes", what, n.attr("SIZE"))
	}
	if id, ok := ids["CREATED"]; ok {
		v.want(id, m, isDateTime(n.attr("CREATED")), "%s: CREATED %q is not a date and time", what, n.attr("CREATED"))
	}
	if id, ok := ids["CHECKSUM"]; ok {
		v.want(id, m, n.attr("CHECKSUM") != "", "%s: no CHECKSUM", what)
	}
	if id, ok := ids["CHECKSUMTYPE"]; ok {
		v.want(id, m, n.attr("CHECKSUMTYPE") != "", "%s: no CHECKSUMTYPE", what)
	}
}

func idsFrom(first int, keys ...string) map[string]string {
	out := map[string]string{}
	for i, k := range keys {
		if k != "" {
			out[k] = "CSIP" + strconv.Itoa(first+i)
		}
	}
	return out
}

// hrefOf resolves a reference of a METS file to a package path.
func (m *metsDoc) hrefOf(href string) (string, bool) {
	if href == "" || strings.Contains(href, "://") || strings.HasPrefix(href, "/") {
		return "", false
	}
	p := path.Clean(path.Join(m.base, href))
	if !fs.ValidPath(p) || strings.HasPrefix(p, "..") {
		return "", false
	}
	return p, true
}

// files checks every file the METS files list: present, with the size and
// SHA-256 they give; and that every file of the package is listed.
func (v *verifier) files() {
	type listing struct {
		size, sum, typ string
		by             string
	}
	seen := map[string]listing{}
	for _, m := range v.docs {
		var refs []*node
		refs = append(refs, m.n.find("dmdSec", "mdRef")...)
		refs = append(refs, m.n.find("amdSec", "digiprovMD", "mdRef")...)
		refs = append(refs, m.n.find("amdSec", "rightsMD", "mdRef")...)
		for _, f := range m.n.find("fileSec", "fileGrp", "file") {
			for _, l := range f.children("FLocat") {
				refs = append(refs, &node{attrs: append(append([]xml.Attr{}, f.attrs...), l.attrs...)})
			}
		}
		for _, r := range refs {
			href := r.attrNS(nsXLink, "href")
			p, ok := m.hrefOf(href)
			if !ok {
				v.add("FILES", m.path, "%q is not a path inside the package", href)
				continue
			}
			if prev, dup := seen[p]; dup && prev.by == m.path {
				v.add("FILES", m.path, "%s is listed twice", p)
			}
			seen[p] = listing{r.attr("SIZE"), r.attr("CHECKSUM"), r.attr("CHECKSUMTYPE"), m.path}
			v.listed[p] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want := seen[n]
		sum, size, err := evidence.HashFile(filepath.Join(v.dir, filepath.FromSlash(n)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			v.add("FILES", n, "listed in %s but missing", want.by)
		case err != nil:
			v.add("FILES", n, "cannot be read: %v", err)
		case want.typ != "SHA-256":
			v.add("FILES", n, "checksum type %q in %s; uppsikt checks SHA-256", want.typ, want.by)
		case strconv.FormatInt(size, 10) != want.size:
			v.add("FILES", n, "size %d, %s says %s", size, want.by, want.size)
		case !strings.EqualFold(sum, want.sum):
			v.add("FILES", n, "SHA-256 %s, %s says %s", sum, want.by, want.sum)
		}
	}
	err := filepath.WalkDir(v.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(v.dir, p)
		rel = filepath.ToSlash(rel)
		if !v.listed[rel] {
			v.add("FILES", rel, "in the package but listed in no METS file")
		}
		return nil
	})
	if err != nil {
		v.fatal = fmt.Errorf("export verify: %w", err)
	}
}

// expand turns a range of requirement ids ("CSIP22–30") into its ids.
func expand(id string) []string {
	from, to, ok := strings.Cut(id, "–")
	if !ok {
		return []string{id}
	}
	prefix := strings.TrimRight(from, "0123456789")
	a, err1 := strconv.Atoi(strings.TrimPrefix(from, prefix))
	b, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || b < a {
		return []string{id}
	}
	var out []string
	for i := a; i <= b; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}
