package rules

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var testToday = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func testEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := LoadDefault(Options{Today: testToday, Accounts: map[string]AccountOverride{
		"acct-1": {DisableCategories: []string{moderation.CatProfanity}, Allow: []string{"pucko"}},
	}})
	if err != nil {
		t.Fatalf("LoadDefault: %v", err)
	}
	return e
}

func hasRule(v moderation.Verdict, id string) bool {
	for _, h := range v.Hits {
		if h.RuleID == id {
			return true
		}
	}
	return false
}

func ruleIDs(v moderation.Verdict) []string {
	var ids []string
	for _, h := range v.Hits {
		ids = append(ids, h.RuleID+"("+h.Match+")")
	}
	return ids
}

func TestWordMatching(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, text, lang, rule string
		want                   bool
	}{
		{"plain insult", "Du är en idiot.", "sv", "sv.harassment.insult", true},
		{"definite form", "Idioten på kontoret svarar aldrig.", "sv", "sv.harassment.insult", true},
		{"plural", "Vilka idioter som bestämmer här.", "sv", "sv.harassment.insult", true},
		{"genitive", "Idiotens förslag röstades ner.", "sv", "sv.harassment.insult", true},
		{"compound tail", "Den skitidioten parkerade fel igen.", "sv", "sv.harassment.insult", true},
		{"compound tail inflected", "Alla skitidioterna har gått hem.", "sv", "sv.harassment.insult", true},
		{"not a compound head", "Det nya systemet är idiotsäkert.", "sv", "sv.harassment.insult", false},
		{"prefix compound", "Vilken skitdag det blev.", "sv", "sv.profanity.swearing", true},
		{"swedish slut is end", "Sagan är slut och bussen har gått.", "sv", "en.profanity.swearing", false},
		{"english slut in english", "She called her a slut, how rude.", "en", "en.profanity.swearing", true},
		{"swedish fan as in fan of", "Jag är ett stort fan av biblioteket.", "sv", "sv.profanity.swearing", false},
		{"swedish fan as swearing", "Fan, nu regnar det igen.", "sv", "sv.profanity.swearing", true},
		{"english fan", "Big fan of the new park!", "en", "sv.profanity.swearing", false},
		{"danish fan", "Stor fan af den nye legeplads.", "da", "da.profanity.swearing", false},
		{"place name fittja", "Vi åker till Fittja i morgon.", "sv", "sv.profanity.obscene", false},
		{"place name kukkolaforsen", "Kukkolaforsen är vacker i juni.", "sv", "sv.profanity.obscene", false},
		{"scunthorpe", "Scunthorpe won on Saturday.", "en", "en.profanity.swearing", false},
		{"obscene compound", "Han är ett kukhuvud.", "sv", "sv.profanity.obscene", true},
		{"danish definite", "Idioterne på rådhuset har sovet.", "da", "da.harassment.insult", true},
		{"english plural", "A bunch of morons run this council.", "en", "en.harassment.insult", true},
		{"phrase inflected", "Ni ska få se, jag vet var du bor.", "sv", "sv.harassment.threat", true},
		{"language guessed from text", "Det här är en idiot och det vet alla.", "", "sv.harassment.insult", true},
		{"hint overruled", "The mayor is a complete moron and everyone knows it.", "sv", "en.harassment.insult", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.text, tt.lang)
			if got := hasRule(v, tt.rule); got != tt.want {
				t.Errorf("Classify(%q) fired %s = %v, want %v (hits %v)", tt.text, tt.rule, got, tt.want, ruleIDs(v))
			}
		})
	}
}

func TestNormalisationKeepsOffsets(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, text, rule, inMatch string
	}{
		{"fullwidth", "Du är en ｉｄｉｏｔ!", "sv.harassment.insult", "ｉｄｉｏｔ"},
		{"zero width", "Du är en id\u200biot!", "sv.harassment.insult", "id\u200biot"},
		{"soft hyphen", "Du är en idi\u00adot.", "sv.harassment.insult", "idi\u00adot"},
		{"leetspeak", "Du är en 1d10t.", "sv.harassment.insult", "1d10t"},
		{"leet dollar", "This is $hit, honestly.", "en.profanity.swearing", "$hit"},
		{"spaced letters", "Du är en i d i o t.", "sv.harassment.insult", "i d i o t"},
		{"dotted letters", "Du är en i.d.i.o.t och det vet alla.", "sv.harassment.insult", "i.d.i.o.t"},
		{"spaced swedish", "Det är j ä v l a dåligt.", "sv.profanity.swearing", "j ä v l a"},
		{"stretched", "Du är en idioooooot.", "sv.harassment.insult", "idioooooot"},
		{"stretched double", "Sluta knullllla runt.", "sv.profanity.obscene", "knullllla"},
		{"combining marks", "Det är ja\u0308vla dåligt.", "sv.profanity.swearing", "ja\u0308vla"},
		{"upper case", "DU ÄR EN IDIOT", "sv.harassment.insult", "IDIOT"},
		{"math bold", "Du är en 𝐢𝐝𝐢𝐨𝐭.", "sv.harassment.insult", "𝐢𝐝𝐢𝐨𝐭"},
		{"rtl override", "Du är en \u202eidiot\u202c.", "sv.harassment.insult", "idiot"},
		{"emoji around", "🤬🤬 Du är en idiot 🤬🤬", "sv.harassment.insult", "idiot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.text, "sv")
			found := false
			for _, h := range v.Hits {
				if h.RuleID != tt.rule {
					continue
				}
				found = true
				if got := tt.text[h.Start:h.End]; got != h.Match {
					t.Errorf("text[%d:%d] = %q, Match = %q", h.Start, h.End, got, h.Match)
				}
				if !strings.Contains(h.Match, tt.inMatch) && !strings.Contains(tt.inMatch, h.Match) {
					t.Errorf("Match = %q, want it to cover %q", h.Match, tt.inMatch)
				}
			}
			if !found {
				t.Errorf("Classify(%q): no %s hit (hits %v)", tt.text, tt.rule, ruleIDs(v))
			}
		})
	}
}

// luhnDigit completes nine digits with their check digit.
func luhnDigit(nine string) string {
	sum := 0
	for i, c := range nine {
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return nine + string(rune('0'+(10-sum%10)%10))
}

func TestIdentityNumbers(t *testing.T) {
	e := testEngine(t)
	past := luhnDigit("850709123")   // 850709-1234 style, 1985
	future := luhnDigit("261201123") // 1 December 2026, after the reference date
	coord := luhnDigit("850769123")  // day 09 + 60
	future12 := "2027" + future[2:6] // not used as a date below
	_ = future12
	tests := []struct {
		name, text, lang string
		want             bool
	}{
		{"personnummer", "Mitt personnummer är " + past[:6] + "-" + past[6:] + ".", "sv", true},
		{"twelve digits", "Det är 19" + past[:6] + "-" + past[6:] + " som gäller.", "sv", true},
		{"no separator", "Skriv " + past + " i rutan.", "sv", true},
		{"en dash", "Nummer " + past[:6] + "–" + past[6:] + " gäller.", "sv", true},
		{"future date rejected", "Numret " + future[:6] + "-" + future[6:] + " gäller.", "sv", false},
		{"coordination number", "Samordningsnummer " + coord[:6] + "-" + coord[6:] + ".", "sv", true},
		{"bad check digit", "Numret " + past[:9] + string(rune('0'+(int(past[9]-'0')+1)%10)) + " gäller.", "sv", false},
		{"invoice number lowers", "Fakturanummer " + past[:6] + "-" + past[6:] + " betalades igår.", "sv", false},
		{"org number", "Org.nr 556036-0793 står på fakturan.", "sv", false},
		{"phone number", "Ring 070-123 45 67 om du undrar.", "sv", false},
		{"bankgiro", "Betala till bankgiro 5050-1055.", "sv", false},
		{"cpr with hyphen", "Mit CPR-nummer er 010203-4321.", "da", true},
		{"cpr bare needs context", "Ring til 0102034321 efter kl 10.", "da", false},
		{"cpr bare with context", "cpr 0102034321", "da", true},
		{"cpr impossible date", "Nummeret 310203-4321 findes ikke.", "da", false},
		{"cpr order number", "Ordrenummer 010203-4321 er sendt.", "da", false},
		{"cpr future", "Barnet har 011226-4321.", "da", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.text, tt.lang)
			got := slices.Contains(v.Categories, moderation.CatPersonalID)
			if got != tt.want {
				t.Errorf("Classify(%q) personal_id = %v, want %v (hits %v)", tt.text, got, tt.want, ruleIDs(v))
			}
			if got && !v.Register {
				t.Errorf("Classify(%q): an identity number should be registered", tt.text)
			}
		})
	}
}

// TestIdentityNumbersInAnyLanguage checks that a Danish CPR number in a
// Swedish comment and a Swedish personnummer in a Danish comment are found
// by their own detector, whatever the language of the words around them,
// and that the words that mark another kind of number still drop them.
func TestIdentityNumbersInAnyLanguage(t *testing.T) {
	e := testEngine(t)
	pnr := luhnDigit("850709123") // a Swedish personnummer, 1985
	tests := []struct {
		name, text, lang, rule string
		want                   bool
	}{
		{"cpr in Swedish", "Hans danska CPR-nummer är 010203-4321, lägg inte ut det här.", "sv", "common.personal_id.cpr", true},
		{"cpr in Swedish without hint", "Hans danska CPR-nummer är 010203-4321, lägg inte ut det här.", "", "common.personal_id.cpr", true},
		{"bare cpr in Swedish with raise word", "Han skrev sitt cpr 0102034321 i kommentaren.", "sv", "common.personal_id.cpr", true},
		{"bare cpr in Swedish without raise word", "Ring 0102034321 efter klockan tio.", "sv", "common.personal_id.cpr", false},
		{"cpr in Swedish invoice number", "Fakturanummer 010203-4321 är betald nu.", "sv", "common.personal_id.cpr", false},
		{"cpr in Swedish order number", "Ordernummer 010203-4321 har skickats.", "sv", "common.personal_id.cpr", false},
		{"cpr in Swedish org number", "Vårt org.nr är 010203-4321 enligt fakturan.", "sv", "common.personal_id.cpr", false},
		{"cpr in Swedish impossible date", "Numret 310203-4321 finns inte.", "sv", "common.personal_id.cpr", false},
		{"personnummer in Danish", "Mit svenske personnummer er " + pnr[:6] + "-" + pnr[6:] + ", det må I ikke vise.", "da", "common.personal_id.personnummer", true},
		{"personnummer in Danish without hint", "Mit svenske personnummer er " + pnr[:6] + "-" + pnr[6:] + ", det må I ikke vise.", "", "common.personal_id.personnummer", true},
		{"personnummer in Danish order number", "Ordrenummer " + pnr[:6] + "-" + pnr[6:] + " er sendt i dag.", "da", "common.personal_id.personnummer", false},
		{"personnummer in Danish customer number", "Kundenummer " + pnr[:6] + "-" + pnr[6:] + " står på regningen.", "da", "common.personal_id.personnummer", false},
		{"personnummer in Danish phone", "Ring på tlf " + pnr[:6] + "-" + pnr[6:] + " i morgen.", "da", "common.personal_id.personnummer", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.text, tt.lang)
			if got := hasRule(v, tt.rule); got != tt.want {
				t.Errorf("Classify(%q, %q) [language %s] %s = %v, want %v (hits %v)", tt.text, tt.lang, v.Language, tt.rule, got, tt.want, ruleIDs(v))
			}
			if tt.want && (!slices.Contains(v.Categories, moderation.CatPersonalID) || !v.Register) {
				t.Errorf("Classify(%q): want personal_id and register, got %v register %v", tt.text, v.Categories, v.Register)
			}
		})
	}
}

func TestCategoriesQuestionRegister(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, text, lang string
		cats             []string
		question, reg    bool
	}{
		{"clean sv", "Tack för en fin konsert i parken i går!", "sv", nil, false, false},
		{"question sv", "När öppnar simhallen efter renoveringen?", "sv", nil, true, false},
		{"tag question", "Det var en fin dag, eller hur?", "sv", nil, false, false},
		{"snow complaint not registered", "Snöröjningen på vår gata är dålig i år.", "sv", nil, false, false},
		{"snow pile registered", "En snöhög blockerar infarten till äldreboendet på Björkvägen.", "sv", nil, false, true},
		{"records request da", "Jeg beder om aktindsigt i sagen om den nye skole.", "da", nil, false, true},
		{"sensitive near person", "Vår granne Karin Lind är sjukskriven för depression.", "sv", []string{moderation.CatSensitiveData}, false, false},
		{"health without person", "Hjärt- och lungfonden samlar in mot cancer i helgen.", "sv", nil, false, false},
		{"party campaign", "Rösta på Miljöpartiet i september!", "sv", []string{moderation.CatPartyPolitics}, false, false},
		{"party neutral", "Miljöpartiet lämnade en motion i fullmäktige.", "sv", nil, false, false},
		{"crime call en", "Let's meet tonight and burn down the youth centre.", "en", []string{moderation.CatCrimeIncitement}, false, false},
		{"porn link", "Hot pics here: www.free-porn-pics.xyz", "en", []string{moderation.CatViolencePorn}, false, false},
		{"piracy", "Hela filmen finns gratis här: piratebay-mirror.org", "sv", []string{moderation.CatCopyright}, false, false},
		{"ad", "Köp billiga solglasögon på www.glasogonrea.shop, fri frakt!", "sv", []string{moderation.CatAdvertising}, false, false},
		{"hate en", "Immigrants are criminals and parasites.", "en", []string{moderation.CatHate}, false, false},
		{"threat da", "Jeg ved hvor du bor, pas på dig selv.", "da", []string{moderation.CatHarassment}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Classify(tt.text, tt.lang)
			want := tt.cats
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(v.Categories, want) || v.Question != tt.question || v.Register != tt.reg {
				t.Errorf("Classify(%q) = %v q=%v r=%v, want %v q=%v r=%v (hits %v)", tt.text, v.Categories, v.Question, v.Register, want, tt.question, tt.reg, ruleIDs(v))
			}
			for _, h := range v.Hits {
				// The embedded packs name no document: a hit cites the
				// municipality's guideline (municipality.guideline).
				if h.Citation.Document != "" || h.Citation.Section == "" || h.Suggest == "" || h.Severity < 1 {
					t.Errorf("hit %+v lacks citation, suggestion or severity", h)
				}
			}
		})
	}
}

func TestDeterministicAndAccountOverride(t *testing.T) {
	e := testEngine(t)
	text := "Fan, ditt pucko, din jävla idiot. Ring 070-123 45 67?"
	a, b := e.Classify(text, "sv"), e.Classify(text, "sv")
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two classifications differ:\n%+v\n%+v", a, b)
	}
	acct := e.ForAccount("acct-1").Classify(text, "sv")
	if slices.Contains(acct.Categories, moderation.CatProfanity) {
		t.Errorf("account override: got %v, want profanity disabled", acct.Categories)
	}
	for _, h := range acct.Hits {
		if strings.EqualFold(h.Match, "pucko") {
			t.Errorf("account allow-list: pucko still a hit")
		}
	}
	if !slices.Contains(acct.Categories, moderation.CatHarassment) {
		t.Errorf("account override removed too much: %v", acct.Categories)
	}
	if other := e.ForAccount("unknown").Classify(text, "sv"); !reflect.DeepEqual(other, a) {
		t.Errorf("unknown account should use the plain rules")
	}
}

func TestPackErrors(t *testing.T) {
	head := "pack: t\nlanguages: [sv]\ndocument: D\nrules:\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"bad regex has line", head + "  - id: a\n    category: profanity\n    citation: {section: S}\n    regex:\n      - 'ok'\n      - '(unclosed'\n", "t.yaml:10"},
		{"unknown category", head + "  - id: a\n    category: rudeness\n    citation: {section: S}\n    words: [x]\n", "unknown category"},
		{"unknown detector", head + "  - id: a\n    category: profanity\n    citation: {section: S}\n    detect: [dna]\n", "unknown detector"},
		{"no citation", head + "  - id: a\n    category: profanity\n    words: [x]\n", "citation.section"},
		{"unknown field", head + "  - id: a\n    category: profanity\n    citation: {section: S}\n    wrods: [x]\n", "wrods"},
		{"duplicate id", head + "  - id: a\n    signal: question\n    words: [x]\n  - id: a\n    signal: question\n    words: [y]\n", "duplicate"},
		{"bad suggest", head + "  - id: a\n    category: hate\n    citation: {section: S}\n    suggest: delete\n    words: [x]\n", "suggest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePack("t.yaml", []byte(tt.yaml))
			if err == nil || !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePack error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestExtraPackAndRegex(t *testing.T) {
	fsys := fstest.MapFS{"local.yaml": {Data: []byte(`pack: local
languages: [sv]
document: Lokala regler
rules:
  - id: local.ads.swish
    category: advertising
    citation: {section: Reklam}
    regex: ['swisha\s+\d+']
    examples: {match: ["Swisha 100 kr till mig"], no_match: ["Swish fungerar inte"]}
`)}}
	e, err := LoadWithExtra(Options{Today: testToday}, fsys)
	if err != nil {
		t.Fatalf("LoadWithExtra: %v", err)
	}
	if res := e.TestExamples(); len(res.Failures) > 0 {
		t.Fatalf("examples failed: %+v", res.Failures)
	}
	v := e.Classify("Hej! SWISHA 100 kr till mig.", "sv")
	if !hasRule(v, "local.ads.swish") {
		t.Fatalf("regex rule did not fire: %v", ruleIDs(v))
	}
	for _, h := range v.Hits {
		if h.RuleID == "local.ads.swish" && h.Match != "SWISHA 100" {
			t.Errorf("regex match = %q, want %q", h.Match, "SWISHA 100")
		}
	}
	if _, err := LoadWithExtra(Options{}, fsys); !errors.Is(err, ErrOptions) {
		t.Errorf("missing Today: err = %v, want ErrOptions", err)
	}
}

func TestDefaultPackExamples(t *testing.T) {
	res := testEngine(t).TestExamples()
	if res.Examples < 100 {
		t.Errorf("only %d examples in the default packs", res.Examples)
	}
	for _, f := range res.Failures {
		t.Errorf("%s (%s:%d): %s", f.Rule, f.File, f.Line, f.Message)
	}
}

func TestEveryCategoryHasARule(t *testing.T) {
	e := testEngine(t)
	for _, lang := range []string{"sv", "da", "en"} {
		have := map[string]bool{}
		for _, r := range e.rules {
			if r.langs[lang] && r.src.Category != "" {
				have[r.src.Category] = true
			}
		}
		for _, c := range moderation.Categories() {
			if !have[c] {
				t.Errorf("language %s has no rule for %s", lang, c)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	e := testEngine(t)
	big := strings.Repeat("Hej på dig, fan! 😀 ", 1<<16) // over 1 MB
	inputs := map[string]string{
		"invalid utf8":  "idiot \xff\xfe\xfd jävla \xc3",
		"control chars": "id\x00iot\x01\x02 \x7f jävla\r\n",
		"rtl overrides": strings.Repeat("\u202e\u2066idiot\u2069\u202c ", 1000),
		"many emoji":    strings.Repeat("😀👍🏽🇸🇪", 5000),
		"one mb":        big,
		"one long word": strings.Repeat("skit", 300000),
		"digits":        strings.Repeat("0 ", 500000),
		"at signs":      strings.Repeat("a@", 300000),
		"singles":       strings.Repeat("a ", 500000),
		"empty":         "",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			v := e.Classify(in, "")
			for _, h := range v.Hits {
				if h.Start < 0 || h.End > len(in) || h.Start > h.End || in[h.Start:h.End] != h.Match {
					t.Fatalf("bad hit span %d:%d of %d bytes", h.Start, h.End, len(in))
				}
			}
		})
	}
}

// TestLinearWork checks that the work grows linearly with the input: the
// allocations of a text sixteen times as long are at most about sixteen
// times as many (a quadratic step would show as ~256 times).
func TestLinearWork(t *testing.T) {
	e := testEngine(t)
	for _, unit := range []string{
		"Fan vad dåligt, din idiot! Ring 070-123 45 67 eller mejla a@b.se www.x.se ",
		"Helt vanlig text om parken och bussen och biblioteket. ",
		"i d i o t 😀 \u202e ",
	} {
		// Both stay under maxPooledBytes, so the buffers are reused.
		small := strings.Repeat(unit, 100)
		large := strings.Repeat(unit, 1600)
		e.Classify(large, "sv") // grow the pooled buffers first
		a := testing.AllocsPerRun(3, func() { e.Classify(small, "sv") })
		b := testing.AllocsPerRun(3, func() { e.Classify(large, "sv") })
		if b > 20*a+50 {
			t.Errorf("unit %q: %v allocations for 16× input against %v: not linear", unit, b, a)
		}
	}
}

// TestDevCorpus measures the default packs on the labelled corpus beside the
// project; "make eval" prints the full report.
func TestDevCorpus(t *testing.T) {
	f, err := os.Open("../../shared/corpus/dev.jsonl")
	if err != nil {
		t.Skipf("corpus not found (%v): it lives in ../shared/corpus beside the project", err)
	}
	defer f.Close()
	e := testEngine(t)
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	for _, c := range moderation.Categories() {
		per[c] = &counts{}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var d struct {
			Text, Lang string
			Labels     []string
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("dev.jsonl: %v", err)
		}
		v := e.Classify(d.Text, d.Lang)
		for c, n := range per {
			want, got := slices.Contains(d.Labels, c), slices.Contains(v.Categories, c)
			switch {
			case want && got:
				n.tp++
			case got:
				n.fp++
			case want:
				n.fn++
			}
		}
	}
	for c, n := range per {
		f1 := 2 * float64(n.tp) / float64(2*n.tp+n.fp+n.fn)
		if n.tp+n.fn > 0 && f1 < 0.85 {
			t.Errorf("%s: F1 %.2f (tp %d fp %d fn %d), want ≥ 0.85", c, f1, n.tp, n.fp, n.fn)
		}
	}
	if n := per[moderation.CatPersonalID]; n.fp+n.fn > 0 {
		t.Errorf("personal_id: %d false positives, %d misses; want none", n.fp, n.fn)
	}
}

// TestCommentsByCategory runs comments written for this test, in the three
// languages: clean ones must stay clean, the others must get their category.
func TestCommentsByCategory(t *testing.T) {
	e := testEngine(t)
	tests := []struct{ text, lang, want string }{
		{"Kommer det att finnas fler parkeringsplatser vid nya simhallen?", "sv", ""},
		{"Tack till personalen på äldreboendet som tog så väl hand om min mamma i somras.", "sv", ""},
		{"Skolan borde ha mer idrott, barnen sitter still alldeles för mycket.", "sv", ""},
		{"Vi har haft problem med sophämtningen i hela kvarteret, den har inte kommit på två veckor.", "sv", ""},
		{"Fantastiskt fint fyrverkeri på nyårsafton, det var värt att frysa lite.", "sv", ""},
		{"Varför tar det så lång tid att få bygglov i den här kommunen?", "sv", ""},
		{"Jag är ett stort fan av de nya cykelbanorna, fortsätt så!", "sv", ""},
		{"Slutet av vägen vid Fittja gård är fortfarande grusad.", "sv", ""},
		{"Bra att ni satsar på fler lärare, min son trivs jättebra i skolan.", "sv", ""},
		{"Priset för fritids har höjts igen, det är tungt för oss med tre barn.", "sv", ""},
		{"Moderaterna vill sänka skatten medan Socialdemokraterna vill satsa på välfärden, enligt debatten i går.", "sv", ""},
		{"Läs mer om återvinning på www.norberg.se/avfall", "sv", ""},
		{"Min pappa fyller 90 i morgon, kan man boka festlokalen i bygdegården?", "sv", ""},
		{"Det var helt slut på korv när vi kom till nationaldagsfirandet.", "sv", ""},
		{"Hvornår åbner den nye børnehave i bydelen?", "da", ""},
		{"Tak til hjemmeplejen for den gode hjælp til min far.", "da", ""},
		{"Der er mange der kører alt for stærkt på skolevejen om morgenen.", "da", ""},
		{"Dejlig koncert i parken, stor fan af de lokale bands.", "da", ""},
		{"Kør til venstre ved rundkørslen, så ligger genbrugspladsen lige der.", "da", ""},
		{"Hvor kan jeg læse byrådets dagsorden for næste møde?", "da", ""},
		{"Sommerferien er slut og børnene glæder sig til skolen.", "da", ""},
		{"Biblioteket har en fin udstilling om byens historie lige nu.", "da", ""},
		{"The new library opening hours are great for people who work late.", "en", ""},
		{"Could you tell us when the road works on Station Road will be finished?", "en", ""},
		{"My daughter loves the summer reading club, thank you!", "en", ""},
		{"Is there a recycling point for batteries near the town centre?", "en", ""},
		{"Great turnout at the Scunthorpe charity run last weekend.", "en", ""},
		{"The council meeting minutes are available at www.example.gov.uk/minutes", "en", ""},
		{"Nice to see the Labour and Conservative councillors agree on the new park.", "en", ""},
		{"Huge fan of the farmers market, see you all on Saturday.", "en", ""},
		{"Personalen på förskolan är fantastisk, min dotter älskar att vara där.", "sv", ""},
		{"Grannarna och jag undrar om gatlamporna på vår gata kan bytas till LED.", "sv", ""},
		{"Det var en jättebra föreställning, skådespelarna var helt otroliga.", "sv", ""},
		{"Kan man få hjälp med att söka försörjningsstöd, och i så fall var?", "sv", ""},
		{"Vi säljer bullar på skolans loppis på lördag, alla välkomna!", "sv", ""},
		{"Dommeren i fodboldkampen i går var ikke god, men vi vandt alligevel.", "da", ""},
		{"Who do I contact about a missed bin collection?", "en", ""},
		{"I had a stroke of luck and found a parking space right by the entrance.", "en", ""},
		{"Thanks to the nurse at the health centre who helped my grandmother.", "en", ""},
		{"Skönt att se att kommunen satsar på cykelvägar, det blir säkrare för barnen.", "sv", ""},
		{"Rektorn är en inkompetent idiot som borde sparkas.", "sv", "harassment"},
		{"Din feta jävla kärring, håll käften.", "sv", "harassment"},
		{"Vi vet var du bor, socialsekreteraren.", "sv", "harassment"},
		{"Borgmesteren er en løgner og en svindler.", "da", "harassment"},
		{"You are a pathetic loser, councillor.", "en", "harassment"},
		{"Muslimerna förstör Sverige, skicka hem dem.", "sv", "hate"},
		{"Bøsserne er syge i hovedet.", "da", "hate"},
		{"Women can't lead a council, they're too emotional.", "en", "hate"},
		{"Vad i helvete håller ni på med?", "sv", "profanity"},
		{"Sikke noget pis, det er lort.", "da", "profanity"},
		{"This is fucking ridiculous.", "en", "profanity"},
		{"Rösta på Sverigedemokraterna i valet!", "sv", "party_politics"},
		{"Stem på Enhedslisten, det eneste parti der kæmper for de svage.", "da", "party_politics"},
		{"Vote Labour for a fairer council!", "en", "party_politics"},
		{"Tjäna 3000 kr om dagen hemifrån, skicka PM för info!", "sv", "advertising"},
		{"Køb billige solbriller på www.solbriller-tilbud.dk med gratis fragt.", "da", "advertising"},
		{"Earn $500 a day working from home, click here!", "en", "advertising"},
		{"Vi borde alla gå dit i kväll och krossa fönstren på kommunhuset.", "sv", "crime_incitement"},
		{"Lad os brænde rådhuset ned i nat.", "da", "crime_incitement"},
		{"Let's all go and smash the speed cameras tonight.", "en", "crime_incitement"},
		{"Heta singeltjejer i ditt område, se nakenbilder här.", "sv", "violence_porn"},
		{"Free porn videos at www.hotxxxvideos.com", "en", "violence_porn"},
		{"Ladda ner nya filmen gratis som torrent här.", "sv", "copyright"},
		{"Watch the full movie for free here: www.putlocker-free.to", "en", "copyright"},
		{"Min granne Anna har cancer och ligger på sjukhus.", "sv", "sensitive_data"},
		{"Læreren Søren Madsen er alkoholiker, det ved alle.", "da", "sensitive_data"},
		{"My neighbour John Smith was convicted of assault.", "en", "sensitive_data"},
	}
	for _, tt := range tests {
		v := e.Classify(tt.text, tt.lang)
		switch {
		case tt.want == "" && len(v.Categories) > 0:
			t.Errorf("Classify(%q) = %v, want clean (hits %v)", tt.text, v.Categories, ruleIDs(v))
		case tt.want != "" && !slices.Contains(v.Categories, tt.want):
			t.Errorf("Classify(%q) = %v, want %s", tt.text, v.Categories, tt.want)
		}
	}
}
