package rules

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// SelectPacks reads the rule packs that specs name, the way
// "uppsikt rules test" takes them. A spec is a folder of packs, a pack file
// or the name of an embedded pack (sv, da, en, common). Embedded packs named
// in specs are used together with the language-independent pack "common";
// when no spec names one, every embedded pack is used, so that a
// municipality's own packs are tested beside the packs they run with. A spec
// that is an existing file or folder is read as one even when it is also the
// name of an embedded pack. A pack read from a file or folder takes the
// place of the embedded pack of the same name (an edited copy of sv.yaml is
// tested instead of the built-in one, not beside it).
func SelectPacks(specs ...string) ([]*Pack, error) {
	embedded, err := ReadPacks(DefaultPacks())
	if err != nil {
		return nil, err
	}
	var names []string
	var extra []*Pack
	for _, spec := range specs {
		st, statErr := os.Stat(spec)
		switch {
		case statErr == nil && st.IsDir():
			more, err := ReadPacks(os.DirFS(spec))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", spec, err)
			}
			extra = append(extra, more...)
		case statErr == nil:
			data, err := os.ReadFile(spec)
			if err != nil {
				return nil, fmt.Errorf("reading rule pack: %w", err)
			}
			p, err := ParsePack(spec, data)
			if err != nil {
				return nil, err
			}
			extra = append(extra, p)
		case slices.ContainsFunc(embedded, func(p *Pack) bool { return p.Name == spec }):
			names = append(names, spec)
		default:
			var known []string
			for _, p := range embedded {
				known = append(known, p.Name)
			}
			return nil, fmt.Errorf("%w: %q is neither a rule-pack file or folder nor an embedded pack (%s)", ErrOptions, spec, strings.Join(known, ", "))
		}
	}
	var packs []*Pack
	for _, p := range embedded {
		if slices.ContainsFunc(extra, func(x *Pack) bool { return x.Name == p.Name }) {
			continue
		}
		if len(names) == 0 || p.Name == "common" || slices.Contains(names, p.Name) {
			packs = append(packs, p)
		}
	}
	return append(packs, extra...), nil
}
