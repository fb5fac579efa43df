// Package rules is uppsikt's classifier. It reads rule packs (YAML files),
// compiles them into an Engine and gives every comment a
// moderation.Verdict: the removal categories of the municipality's social
// media guideline that the comment falls under, whether it is a question to
// the municipality (which starts the 36-hour answer clock) and whether it
// must be registered (diarieföras), and for every hit the rule, the span of
// the original text, the guideline passage it enforces, a severity and a
// suggested action. A public authority answers for every removal, so every
// flag can be explained from the pack that produced it.
//
// The engine is pure: no network, database or clock. The reference date for
// identity numbers is Options.Today. The same text and packs give the same
// verdict. An Engine is safe for concurrent use.
//
// # Rule packs
//
// A pack is one YAML file:
//
//	pack: sv                       # name; LoadDefault selects embedded packs by it
//	description: ...
//	languages: [sv]                # the languages its rules apply to (sv, da, no, en)
//	document: "..."                # optional citation document; without it a hit
//	                               # cites the municipality's guideline (municipality.guideline)
//	allow: [fittja, kukkolaforsen] # global allow-list: words never matched
//	person_words: [granne, "min granne", "*läraren"]  # for the person_reference detector
//	yield:                         # a category gives way to others: a comment
//	  advertising: [copyright]     # under copyright is not also advertising
//	rules:
//	  - id: sv.harassment.insult   # unique across all packs
//	    category: harassment       # one of moderation.Categories(), or
//	    # signal: question | register  (instead of a category)
//	    description: ...           # for the pack's readers; the English explanation by default
//	    explain: {sv: ..., da: ..., en: ...}  # the explanation documents show, per
//	                               # language; optional (see Engine.Explain: a document
//	                               # in a language without one explains by category)
//	    citation: {section: "Olämpliga och olagliga inlägg"}  # document: optional
//	    languages: [sv]            # default: the pack's
//	    severity: 2                # 1 (mild) .. 3 (serious); default 2
//	    suggest: hide_then_review  # or review (default)
//	    register: true             # a hit also sets Verdict.Register
//	    sentence_start: false      # only words that begin a sentence
//	    words: [idiot, "*idiot", "skit*", "=fan", "dum i huvudet"]
//	    regex: ['swisha\s+\d+']    # RE2, over the normalised (lower-case) text
//	    detect: [personnummer]     # built-in detectors, see below
//	    domains: [".to"]           # url detector: host equals or ends with
//	    domain_words: [torrent]    # url detector: host contains
//	    near:                      # co-occurrence; every listed condition must hold
//	      - words: [...]           # and/or
//	        detect: [person_reference]
//	        within: 8              # words between the hit and the companion
//	    context:
//	      lower: [fakturanummer]   # drop the hit when one is this close
//	      raise: [personnummer]    # needed by weak detector findings
//	      within: 4
//	    allow: ["ett stort fan"]   # phrases that contain the hit and excuse it
//	    examples:
//	      lang: sv
//	      match: [...]             # the rule must fire on these
//	      no_match: [...]          # and must not fire on these
//
// Words are matched whole, on word boundaries that know å, ä, ö, æ and ø.
// In Swedish, Danish and Norwegian a word also matches its inflected forms:
// a listed word followed by one of the language's endings (idioten,
// idioter, idiotens; idioterne). Markers change this per word: "=word" is
// matched exactly, "*word" may also end a compound (skitidiot), "word*" may
// also begin one (skitsak). A compound is only matched where the pack says
// so, which keeps "idiotsäker" from matching "idiot", and never in a name:
// a word written with a capital letter inside a sentence, or one that ends
// in an element of place names (-järvi, -sjön, -träsk, -forsen, -torp,
// -søen, -bjerg, -thorpe ...), keeps a swear word's letters without its
// meaning (Kukasjärvi, Kuksjön). A word with spaces is a phrase of
// consecutive words, each of which may be inflected.
//
// # Detectors
//
//   - personnummer, samordningsnummer: YYMMDD-NNNN, YYYYMMDD-NNNN, with '-',
//     '+', an en dash, a space (weak) or nothing, checked with
//     github.com/personnummer/go/v3 (Luhn and calendar). The century of a
//     ten-digit number comes from Options.Today ('+' adds a hundred years);
//     a date of birth after Today is rejected.
//   - cpr: Danish DDMMYY-SSSS. The century comes from the seventh digit
//     (0–3: 1900s; 4 and 9: 2000–2036 for YY ≤ 36, else 1900s; 5–8:
//     2000–2057 for YY ≤ 57, else 1858–1899); the date must exist and not be
//     after Today. The modulus-11 check is never required. Without the hyphen
//     the finding is weak: it needs a raise word (cpr, personnummer). The
//     identity-number rules apply in every language; in a comment guessed
//     to be Swedish a number whose Swedish check digit is right is read as
//     Swedish only (so 261201-1235, a personnummer dated in the future, is
//     not taken for a CPR number).
//   - Identity numbers written to get past a filter or by an unusual hand
//     are found too: digits in groups with spaces, dots, slashes or dashes
//     that follow the number's parts ("85 03 12-1231", "85.03.12.1231",
//     "8 5 0 3 1 2 1 2 3 1", "19 85 03 12 12 31"), the letter o for a zero
//     ("85o312-1231"), and zero-width characters (removed when the text is
//     normalised). Groups that split the date's parts are phone numbers,
//     not identity numbers; ten digits in pairs count only as a weak CPR
//     number. A CPR number without the hyphen is weak only in a Swedish
//     comment, where a ten-digit Swedish phone number can look like one.
//   - email, phone (Swedish numbers beginning with 0 or +, and Danish
//     eight-digit numbers written in pairs), url (scheme, www. or a bare
//     host with a known top-level domain; filtered by domains and
//     domain_words).
//   - price: an amount with a currency after it ("199 kr", "199:-", "300
//     dkk", "40 000 kronor") or a sign before it ("$19", "£5", "€10"); for
//     near conditions such as an offer near a price near a contact.
//   - person_reference: a pack's person_words (min granne, hans pappa,
//     läraren), @mentions, a capitalised name right after such a word, and
//     two capitalised words in a row (first and last name).
//   - question_mark: a question mark that ends a sentence.
//
// # Normalisation
//
// Matching runs on a normalised copy of the text that remembers, for every
// byte, the span of the original it came from; hits report byte offsets into
// the original. The copy is folded with the standard library only
// (golang.org/x/text is not a dependency): compatibility forms are folded by
// hand in the manner of NFKC for the forms that matter here (fullwidth
// letters, ligatures, superscript and subscript digits, mathematical and
// circled letters, Cyrillic look-alikes), combining marks are composed into
// å ä ö é ü ø (other marks are dropped), text is lower-cased, zero-width and
// bidirectional controls are removed, other control characters and invalid
// UTF-8 become spaces. Emoji are kept. Within words that mix letters and
// digits leetspeak is folded (4→a, 1→i, 3→e, 0→o, 5→s, 7→t, $→s, @→a);
// three or more single letters separated by one space, dot or dash are
// joined ("i d i o t", "j.ä.v.l.a"); letters repeated three times or more
// are squeezed to one, and such stretched words are also compared with the
// pack words written with every double letter single.
//
// # Evaluation order
//
//  1. Normalise and split into words (one pass each).
//  2. Guess the language (sv, da, no, en) from function words and letters;
//     the caller's hint counts as one and a half words. Only rules of that
//     language (and language-independent ones) apply, so English "slut"
//     never fires in Swedish text.
//  3. Look every word up once in the language's lexicon (a byte trie for
//     whole words, inflections and compound heads, a reversed trie for
//     compound tails, walked only for words whose last bytes end a word of
//     it); words of the global allow-list are skipped. Run the detectors the
//     applicable rules need, once each, and the regexes; person references
//     only when a candidate hit has a near condition that needs them.
//  4. For every candidate hit, in this order: the rule's allow phrases;
//     sentence_start; context lower words (drop, unless a raise word is
//     within reach too: "personnummer 811218-9876, ring mig"); context
//     raise words (required for weak findings); every near condition.
//  5. Per-account overrides (Engine.ForAccount): disabled rules and
//     categories, account allow-list, the model's mode.
//  6. The verdict: hits sorted by start, end and rule id (at most MaxHits
//     are listed); categories in the guideline's order; question and
//     register from signal rules and from rules marked register.
//  7. The learned model (Options.Model; docs/model.md), unless it is off:
//     its score for every category and signal is recorded in
//     Verdict.Model; in mode on, a category over its threshold joins the
//     verdict with a hit "model.<category>" that names the features behind
//     the score, unless a rule of the category excused a candidate where
//     the model's strongest sign is (the word an allow phrase holds, the
//     passage a lowering word covers).
//
// The work is linear in the length of the text: the condition checks look
// at a window of sorted word marks, not at all of them.
package rules
