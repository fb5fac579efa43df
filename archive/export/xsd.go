package export

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoXMLLint is returned by Verify when xmllint cannot be found.
var ErrNoXMLLint = errors.New("xmllint not found: uppsikt validates a package's XML against its schemas with xmllint (Debian: apt-get install libxml2-utils)")

// validate checks every XML file the package lists against the schema of
// its root namespace, taken from the Schemas file groups of the package's
// METS files, with xmllint (libxml2). Go has no XML Schema validator;
// libxml2 is the one Debian ships, and running it as a program keeps cgo
// out of uppsikt. Every namespace the package's XML uses needs its schema
// in the package (CSIP113).
func (v *verifier) validate(ctx context.Context) {
	lint := v.opt.XMLLint
	if lint == "" {
		p, err := exec.LookPath("xmllint")
		if err != nil {
			v.fatal = ErrNoXMLLint
			return
		}
		lint = p
	}
	// The schemas the package carries, by target namespace.
	schemas := map[string]string{}
	for _, m := range v.docs {
		for _, g := range m.grpsUse(func(u string) bool { return u == "Schemas" }) {
			for _, f := range g.children("file") {
				for _, l := range f.children("FLocat") {
					rel, ok := m.hrefOf(l.attrNS(nsXLink, "href"))
					if !ok {
						continue
					}
					full := filepath.Join(v.dir, filepath.FromSlash(rel))
					ns, err := targetNamespace(full)
					if err != nil {
						v.add("XSD", rel, "not a readable schema: %v", err)
						continue
					}
					if _, dup := schemas[ns]; !dup {
						schemas[ns] = full
					}
				}
			}
		}
	}
	// The XML files and the namespaces they use.
	var files []string
	for rel := range v.listed {
		if strings.HasSuffix(strings.ToLower(rel), ".xml") {
			files = append(files, rel)
		}
	}
	sort.Strings(files)
	var check, unchecked []string
	missing := map[string][]string{}
	rootNS := map[string]string{} // of the files not validated
	isRoot := map[string]bool{}   // namespaces that are the root of a file not validated
	for _, rel := range files {
		full := filepath.Join(v.dir, filepath.FromSlash(rel))
		used, err := namespacesOf(full)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				v.add("XSD", rel, "not well-formed XML: %v", err)
			}
			continue
		}
		ok := true
		for _, ns := range used {
			if _, have := schemas[ns]; !have {
				missing[ns] = append(missing[ns], rel)
				ok = ok && ns != used[0]
			}
		}
		if ok {
			check = append(check, rel)
		} else {
			unchecked = append(unchecked, rel)
			rootNS[rel] = used[0]
		}
	}
	var nss []string
	for ns := range missing {
		nss = append(nss, ns)
	}
	sort.Strings(nss)
	for _, rel := range unchecked {
		isRoot[rootNS[rel]] = true
	}
	for _, ns := range nss {
		v.add("CSIP113", missing[ns][0], "uses the namespace %s, whose schema is in no Schemas file group (%d files use it)%s", ns, len(missing[ns]), officialNote(ns))
		if !isRoot[ns] {
			v.add("XSD", missing[ns][0], "cannot be validated fully: no schema for %s in the package (%d files use it)%s", ns, len(missing[ns]), officialNote(ns))
		}
	}
	for _, rel := range unchecked {
		v.add("XSD", rel, "not validated: no schema for its namespace %s in the package%s", rootNS[rel], officialNote(rootNS[rel]))
	}
	if len(check) == 0 {
		return
	}
	tmp, err := os.MkdirTemp("", "uppsikt-verify-")
	if err != nil {
		v.fatal = fmt.Errorf("export verify: %w", err)
		return
	}
	defer os.RemoveAll(tmp)
	wrapper := filepath.Join(tmp, "package.xsd")
	if err := os.WriteFile(wrapper, wrapperSchema(schemas), 0o600); err != nil {
		v.fatal = fmt.Errorf("export verify: %w", err)
		return
	}
	args := []string{"--noout", "--nonet", "--schema", wrapper}
	for _, rel := range check {
		args = append(args, filepath.Join(v.dir, filepath.FromSlash(rel)))
	}
	cmd := exec.CommandContext(ctx, lint, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		v.fatal = fmt.Errorf("export verify: xmllint: %w", err)
		return
	}
	v.lintOutput(out.String(), check)
}

// officialNote names the official schema of a namespace, if it has one.
func officialNote(ns string) string {
	if s, ok := officialSchema(ns); ok {
		return fmt.Sprintf(" (the official schema %s, %s, was not in the schema folder when the package was written)", s.File, s.URL)
	}
	return ""
}

// lintOutput reads what xmllint said of each file.
func (v *verifier) lintOutput(out string, checked []string) {
	byFull := map[string]string{}
	for _, rel := range checked {
		byFull[filepath.Join(v.dir, filepath.FromSlash(rel))] = rel
	}
	errs := map[string][]string{}
	validated := map[string]bool{}
	var schemaErrs []string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasSuffix(line, " validates"):
			validated[strings.TrimSuffix(line, " validates")] = true
		case strings.HasSuffix(line, " fails to validate"), strings.HasSuffix(line, " validation generated an internal error"):
		case strings.Contains(line, "failed to compile"), strings.Contains(line, "Schemas parser error"):
			schemaErrs = append(schemaErrs, line)
		default:
			for full := range byFull {
				if strings.HasPrefix(line, full+":") {
					errs[full] = append(errs[full], strings.TrimPrefix(line, full+":"))
				}
			}
		}
	}
	if len(schemaErrs) > 0 {
		v.add("XSD", "schemas/", "the package's schemas do not compile: %s", strings.Join(first(schemaErrs, 3), "; "))
		return
	}
	var fulls []string
	for full := range byFull {
		fulls = append(fulls, full)
	}
	sort.Strings(fulls)
	for _, full := range fulls {
		if validated[full] {
			continue
		}
		msg := "does not validate against its schema"
		if e := errs[full]; len(e) > 0 {
			msg += ": " + strings.Join(first(e, 3), "; ")
			if len(e) > 3 {
				msg += fmt.Sprintf(" (and %d more)", len(e)-3)
			}
		}
		v.add("XSD", byFull[full], "%s", msg)
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// wrapperSchema imports every schema of the package from its file, in the
// order of OfficialSchemas (then the others), so that a namespace one
// schema imports from the web is the package's copy, already imported.
func wrapperSchema(schemas map[string]string) []byte {
	order := map[string]int{}
	for i, s := range OfficialSchemas {
		order[s.Namespace] = i
	}
	var nss []string
	for ns := range schemas {
		nss = append(nss, ns)
	}
	sort.Slice(nss, func(i, j int) bool {
		oi, iok := order[nss[i]]
		oj, jok := order[nss[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return nss[i] < nss[j]
	})
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` + "\n")
	for _, ns := range nss {
		var loc bytes.Buffer
		xml.EscapeText(&loc, []byte("file://"+filepath.ToSlash(schemas[ns])))
		var nsEsc bytes.Buffer
		xml.EscapeText(&nsEsc, []byte(ns))
		fmt.Fprintf(&b, "  <xs:import namespace=\"%s\" schemaLocation=\"%s\"/>\n", nsEsc.String(), loc.String())
	}
	b.WriteString("</xs:schema>\n")
	return b.Bytes()
}

// targetNamespace reads a schema's targetNamespace.
func targetNamespace(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "schema" {
				return "", fmt.Errorf("the root element is %s, not an XML schema", se.Name.Local)
			}
			for _, a := range se.Attr {
				if a.Name.Space == "" && a.Name.Local == "targetNamespace" {
					return a.Value, nil
				}
			}
			return "", nil
		}
	}
}

// namespacesOf returns the namespace of an XML file's root element first,
// then the other namespaces its elements and attributes use (but not the
// XML Schema instance namespace, which needs no schema).
func namespacesOf(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	seen := map[string]bool{}
	var out []string
	use := func(ns string) {
		if ns == "" || ns == nsXSI || ns == "xmlns" || seen[ns] {
			return
		}
		seen[ns] = true
		out = append(out, ns)
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if len(out) == 0 && se.Name.Space == "" {
				return nil, errors.New("the root element has no namespace")
			}
			use(se.Name.Space)
			for _, a := range se.Attr {
				use(a.Name.Space)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no root element")
	}
	return out, nil
}
