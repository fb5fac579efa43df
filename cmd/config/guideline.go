package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/archive/pdf"
)

// maxGuidelineRunes bounds municipality.guideline: a citation, not a text.
const maxGuidelineRunes = 300

// Citation is the guideline every document cites
// (municipality.guideline): the configured one, or the municipality's own
// guideline for social media named in its language, without a diary
// number, when none is configured.
func (m Municipality) Citation() string {
	if g := strings.TrimSpace(m.Guideline); g != "" {
		return g
	}
	return pdf.DefaultGuideline(m.Language, m.Name)
}

func (c *Config) validateGuideline(loc *locator, cerr *Error) {
	g := c.Municipality.Guideline
	switch {
	case g == "":
	case strings.TrimSpace(g) == "":
		cerr.add(loc, "municipality.guideline", "is blank: write the guideline's name and diary number, or leave the key out")
	case utf8.RuneCountInString(g) > maxGuidelineRunes:
		cerr.add(loc, "municipality.guideline", fmt.Sprintf("is %d characters long: write a citation of at most %d (name and diary number)", utf8.RuneCountInString(g), maxGuidelineRunes))
	case strings.ContainsFunc(g, unicode.IsControl):
		cerr.add(loc, "municipality.guideline", "contains a line break or control character: write it on one line")
	}
}
