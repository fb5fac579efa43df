package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// fieldSpec is one requested field of a Graph "fields" expression, such as
// comments.filter(stream).limit(100){id,message}.
type fieldSpec struct {
	Name      string
	Modifiers map[string]string // filter, limit, order, summary, ...
	Sub       []fieldSpec       // nil when no {…} was given
}

// fieldSyntaxError is a malformed fields expression; Graph answers code 100.
type fieldSyntaxError struct {
	Pos int
	Msg string
}

func (e *fieldSyntaxError) Error() string {
	return fmt.Sprintf("Syntax error \"%s\" at character %d", e.Msg, e.Pos)
}

// maxFieldDepth bounds nesting so that outside input cannot exhaust the stack.
const maxFieldDepth = 8

// parseFields parses a Graph API fields expression:
//
//	fields   = field { "," field }
//	field    = name { "." name "(" value ")" } [ "{" fields "}" ] { "." name "(" value ")" }
//
// Names are letters, digits and underscores; a value runs to the matching
// ")" and may not contain "(" or ")". Blanks around tokens are ignored.
// An empty expression gives no fields.
func parseFields(expr string) ([]fieldSpec, error) {
	p := &fieldParser{s: expr}
	p.skip()
	if p.pos == len(p.s) {
		return nil, nil
	}
	fs, err := p.list(0)
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos != len(p.s) {
		return nil, p.errf("Expected end of string instead of %q.", p.s[p.pos:p.pos+1])
	}
	return fs, nil
}

type fieldParser struct {
	s   string
	pos int
}

func (p *fieldParser) errf(format string, args ...any) error {
	return &fieldSyntaxError{Pos: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *fieldParser) skip() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *fieldParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *fieldParser) list(depth int) ([]fieldSpec, error) {
	if depth > maxFieldDepth {
		return nil, p.errf("Fields nested deeper than %d levels.", maxFieldDepth)
	}
	var out []fieldSpec
	for {
		p.skip()
		f, err := p.field(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		p.skip()
		if p.peek() != ',' {
			return out, nil
		}
		p.pos++
	}
}

func (p *fieldParser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		if p.pos >= len(p.s) {
			return "", p.errf("Expected a field name instead of end of string.")
		}
		return "", p.errf("Expected a field name instead of %q.", p.s[p.pos:p.pos+1])
	}
	return p.s[start:p.pos], nil
}

func (p *fieldParser) field(depth int) (fieldSpec, error) {
	n, err := p.name()
	if err != nil {
		return fieldSpec{}, err
	}
	f := fieldSpec{Name: n}
	if err := p.modifiers(&f); err != nil {
		return fieldSpec{}, err
	}
	p.skip()
	if p.peek() == '{' {
		p.pos++
		p.skip()
		if p.peek() == '}' {
			return fieldSpec{}, p.errf("Expected a field name instead of \"}\".")
		}
		sub, err := p.list(depth + 1)
		if err != nil {
			return fieldSpec{}, err
		}
		p.skip()
		if p.peek() != '}' {
			if p.pos >= len(p.s) {
				return fieldSpec{}, p.errf("Expected \"}\" instead of end of string.")
			}
			return fieldSpec{}, p.errf("Expected \"}\" instead of %q.", p.s[p.pos:p.pos+1])
		}
		p.pos++
		f.Sub = sub
		if err := p.modifiers(&f); err != nil {
			return fieldSpec{}, err
		}
	}
	return f, nil
}

func (p *fieldParser) modifiers(f *fieldSpec) error {
	for {
		p.skip()
		if p.peek() != '.' {
			return nil
		}
		p.pos++
		m, err := p.name()
		if err != nil {
			return err
		}
		p.skip()
		if p.peek() != '(' {
			if p.pos >= len(p.s) {
				return p.errf("Expected \"(\" instead of end of string.")
			}
			return p.errf("Expected \"(\" instead of %q.", p.s[p.pos:p.pos+1])
		}
		p.pos++
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] != ')' && p.s[p.pos] != '(' {
			p.pos++
		}
		if p.peek() != ')' {
			return p.errf("Expected \")\" after modifier %s.", m)
		}
		if f.Modifiers == nil {
			f.Modifiers = map[string]string{}
		}
		f.Modifiers[m] = strings.TrimSpace(p.s[start:p.pos])
		p.pos++
	}
}

// String renders the spec back in Graph syntax, with modifiers sorted; the
// fuzz target checks that parsing the rendering gives the same spec.
func (f fieldSpec) String() string {
	var b strings.Builder
	b.WriteString(f.Name)
	keys := make([]string, 0, len(f.Modifiers))
	for k := range f.Modifiers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("." + k + "(" + f.Modifiers[k] + ")")
	}
	if f.Sub != nil {
		b.WriteString("{" + specsString(f.Sub) + "}")
	}
	return b.String()
}

func specsString(fs []fieldSpec) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, ",")
}
