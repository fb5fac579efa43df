package rules

// Explain returns the explanation of rule id in lang (sv, da, en) for a
// document written in that language: the rule's explain in it, or, in
// English, its description. It returns "" for an unknown rule and for a
// rule without an explanation in lang; a document then explains the hit by
// its category in words of its language (archive/evidencepdf), never in
// another language.
func (e *Engine) Explain(id, lang string) string {
	r := e.rule(id)
	if r == nil {
		return ""
	}
	if s := r.src.Explain[lang]; s != "" {
		return s
	}
	if lang == "en" {
		return r.src.Description
	}
	return ""
}

// Unexplained lists the rules, by id in pack order, that have no
// explanation in lang (see Explain): the check that tells a municipality
// which of its rules a document in its language explains by category only.
func (e *Engine) Unexplained(lang string) []string {
	var out []string
	for _, r := range e.rules {
		if r.src.Category == "" {
			continue // signals (question, register) are not explained in documents
		}
		if e.Explain(r.src.ID, lang) == "" {
			out = append(out, r.src.ID)
		}
	}
	return out
}

func (e *Engine) rule(id string) *crule {
	for _, r := range e.rules {
		if r.src.ID == id {
			return r
		}
	}
	return nil
}
