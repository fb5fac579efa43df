package rules

import (
	"bytes"
	"strings"
	"time"

	personnummer "github.com/personnummer/go/v3"
)

// span is a detector finding in the normalised text.
type span struct {
	det    uint8
	weak   bool // needs a raise context word to count
	ps, pe int32
	hs, he int32 // host of a URL
	ti, tj int32 // the words it touches
}

// Detector ids, in the order they are run.
const (
	detPersonnummer uint8 = iota
	detSamordning
	detCPR
	detEmail
	detPhone
	detURL
	detPerson
	detQuestion
	detPrice
	numDetectors
)

var detectorIDs = map[string]uint8{
	"personnummer": detPersonnummer, "samordningsnummer": detSamordning, "cpr": detCPR,
	"email": detEmail, "phone": detPhone, "url": detURL, "person_reference": detPerson,
	"question_mark": detQuestion, "price": detPrice,
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitRun returns the end of the run of digits starting at i.
func digitRun(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// separatorAt reports a separator between the date part and the serial part
// of an identity number: '-', '+', a space, or an en/em dash or minus sign
// (which personnummer/go rejects, so they are normalised to '-').
func separatorAt(b []byte, i int) (sep byte, n int) {
	if i >= len(b) {
		return 0, 0
	}
	switch b[i] {
	case '-', '+', ' ':
		return b[i], 1
	}
	if i+2 < len(b) && b[i] == 0xE2 && b[i+1] == 0x80 && (b[i+2] == 0x93 || b[i+2] == 0x94) {
		return '-', 3
	}
	if i+2 < len(b) && b[i] == 0xE2 && b[i+1] == 0x88 && b[i+2] == 0x92 {
		return '-', 3
	}
	return 0, 0
}

// idNumbers finds Swedish personnummer and samordningsnummer and Danish CPR
// numbers: YYMMDD-NNNN, YYYYMMDD-NNNN, DDMMYY-SSSS and their forms without
// separator, never inside a longer run of digits.
func idNumbers(b []byte, today time.Time, want [numDetectors]bool, out []span) []span {
	return idNumbersIn(b, today, want, false, out)
}

// idNumbersIn is idNumbers for a comment whose language is known. In a
// Swedish comment a number that carries a right Swedish check digit is read
// as Swedish only: it is a personnummer or, with a date in the future,
// nothing; it is not also tried as a Danish CPR number (which has no such
// digit, so one in ten CPR numbers written in Swedish text is judged by the
// Swedish rules).
func idNumbersIn(b []byte, today time.Time, want [numDetectors]bool, swedish bool, out []span) []span {
	for i := 0; i < len(b); {
		if !isDigit(b[i]) || (i > 0 && (isDigit(b[i-1]) || isASCIIWord(b[i-1]))) {
			i++
			continue
		}
		e1 := digitRun(b, i)
		head := b[i:e1]
		next := e1
		var sep byte
		var tail []byte
		end := e1
		switch len(head) {
		case 10, 12:
			tail = head[len(head)-4:]
			head = head[:len(head)-4]
		case 6, 8:
			if s, n := separatorAt(b, e1); n > 0 && e1+n < len(b) && isDigit(b[e1+n]) {
				e2 := digitRun(b, e1+n)
				if e2-(e1+n) == 4 {
					sep, tail, end = s, b[e1+n:e2], e2
				}
			}
		}
		if tail == nil || (end < len(b) && (isDigit(b[end]) || isASCIIWord(b[end]))) {
			i = max(next, i+1)
			continue
		}
		// A separator must not be followed by more digit groups, as in
		// phone numbers ("0223-490 00") or "121212 1212 12".
		if sep == ' ' && end+1 < len(b) && (b[end] == ' ' || b[end] == '-') && isDigit(b[end+1]) {
			i = end
			continue
		}
		if want[detPersonnummer] || want[detSamordning] {
			if coord, ok := swedishID(head, tail, sep, today); ok {
				d := detPersonnummer
				if coord {
					d = detSamordning
				}
				if want[d] {
					out = append(out, span{det: d, ps: int32(i), pe: int32(end)})
				}
			}
		}
		if want[detCPR] && len(head) == 6 && sep != '+' && !(swedish && luhn(head, tail)) {
			if danishCPR(head, tail, today) {
				out = append(out, span{det: detCPR, ps: int32(i), pe: int32(end), weak: sep != '-' && swedish})
			}
		}
		i = end
	}
	return out
}

// obfuscatedIDs finds the identity numbers idNumbersIn cannot see because
// they are written to get past a filter or by an unusual hand: digits in
// groups with spaces, dots, slashes or dashes between them ("85 03 12-1234",
// "85.03.12.1234", "8 5 0 3 1 2 1 2 3 4"), or with the letter o for a zero
// ("85o312-1234"; the text is already lower case, and zero-width
// characters are already gone). The groups must follow the number's
// structure: the digits between two separators are whole parts of the date
// (YY, MM, DD, or YYYY) or the serial, or every digit stands alone, so that
// phone numbers ("070 123 45 67", "07 01 23 45 67") and dates with times
// are not read as identity numbers; twelve digits in pairs are read when
// they begin with the century ("19 86 06 15 59 95"). Forms idNumbersIn
// reads are skipped. A Swedish number must carry its check digit; a Danish
// number found this way in a Swedish comment is weak (it needs a word such
// as "cpr" close by), as CPR numbers have no check digit and a Swedish
// phone number can look like one.
func obfuscatedIDs(b []byte, today time.Time, want [numDetectors]bool, swedish bool, out []span) []span {
	for i := 0; i < len(b); {
		if !idDigit(b, i) || (i > 0 && (isASCIIWord(b[i-1]) || b[i-1] == '.' && i > 1 && isDigit(b[i-2]))) {
			i++
			continue
		}
		var digits [12]byte
		var bounds [12]int
		n, nb := 0, 0
		singles, subst, plain := true, false, true
		j := i
		for {
			gs := j
			hasDigit := false
			for j < len(b) && idDigit(b, j) || j < len(b) && b[j] == 'o' && hasDigit {
				c := b[j]
				if c == 'o' {
					c, subst = '0', true
				} else {
					hasDigit = true
				}
				if n < len(digits) {
					digits[n] = c
				}
				n++
				j++
			}
			if j-gs != 1 {
				singles = false
			}
			if n > len(digits) {
				break
			}
			sepLen := idSeparator(b, j)
			if sepLen == 0 || !idDigit(b, j+sepLen) {
				break
			}
			if nb == len(bounds) {
				n = len(digits) + 1
				break
			}
			if !(sepLen == 1 && (b[j] == '-' || b[j] == '+' || b[j] == ' ')) {
				plain = false
			}
			bounds[nb] = n
			nb++
			j += sepLen
		}
		end := j
		if n != 10 && n != 12 || end < len(b) && isASCIIWord(b[end]) {
			i = end + 1
			continue
		}
		// The forms idNumbersIn reads.
		if !subst && plain && (nb == 0 || nb == 1 && bounds[0] == n-4) {
			i = end
			continue
		}
		// Ten digits in pairs are a phone number as often as not: only a
		// CPR number, and a weak one.
		pairs10 := n == 10 && pairs(bounds[:nb])
		if !idGrouping(bounds[:nb], n, singles) && !pairs10 && !(n == 12 && pairs(bounds[:nb]) && (digits[0] == '1' && digits[1] == '9' || digits[0] == '2' && digits[1] == '0')) {
			i = end
			continue
		}
		head, tail := digits[:n-4], digits[n-4:n]
		found := false
		if (want[detPersonnummer] || want[detSamordning]) && !pairs10 {
			if coord, ok := swedishID(head, tail, '-', today); ok {
				d := detPersonnummer
				if coord {
					d = detSamordning
				}
				if want[d] {
					out = append(out, span{det: d, ps: int32(i), pe: int32(end)})
					found = true
				}
			}
		}
		if !found && want[detCPR] && n == 10 && !(swedish && luhn(head, tail)) && danishCPR(head, tail, today) {
			out = append(out, span{det: detCPR, ps: int32(i), pe: int32(end), weak: swedish || pairs10})
		}
		i = end
	}
	return out
}

// idDigit reports a digit at b[i], or the letter o standing for a zero
// before a digit.
func idDigit(b []byte, i int) bool {
	return i < len(b) && (isDigit(b[i]) || b[i] == 'o' && i+1 < len(b) && isDigit(b[i+1]))
}

// idSeparator returns the length of a separator between digit groups at
// b[i]: a space, dot, slash, dash, plus or en dash, with spaces around it,
// or 0.
func idSeparator(b []byte, i int) int {
	k := i
	for k < len(b) && b[k] == ' ' && k-i < 2 {
		k++
	}
	if k < len(b) {
		switch b[k] {
		case '.', '/', '-', '+':
			k++
		default:
			if s, n := separatorAt(b, k); n == 3 && s == '-' {
				k += n
			}
		}
	}
	for k < len(b) && b[k] == ' ' && k-i < 4 {
		k++
	}
	return k - i
}

// pairs reports digits written in pairs throughout ("19 86 06 15 59 95",
// "18 12 48 04 43").
func pairs(bounds []int) bool {
	for k, x := range bounds {
		if x != 2*(k+1) {
			return false
		}
	}
	return len(bounds) >= 4
}

// idGrouping reports whether group boundaries (digits before each
// separator) fit a ten- or twelve-digit identity number: within the date
// only between its parts, one boundary between date and serial, none
// inside the serial, unless every digit stands alone.
func idGrouping(bounds []int, n int, singles bool) bool {
	if singles {
		return true
	}
	for _, x := range bounds {
		switch {
		case x == n-4:
		case x%2 == 0 && x > 0 && x < n-4 && (n == 10 || x >= 4 || x == 2):
		default:
			return false
		}
	}
	return true
}

// luhn applies the check of a ten-digit Swedish identity number (the
// Luhn algorithm over YYMMDD and the four last digits).
func luhn(head, tail []byte) bool {
	sum := 0
	for k, c := range [][]byte{head, tail} {
		for j, d := range c {
			v := int(d - '0')
			if (k*len(head)+j)%2 == 0 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
		}
	}
	return sum%10 == 0
}

func atoi2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

// swedishID checks a Swedish identity number with personnummer/go (Luhn and
// calendar), choosing the century from the reference date and the separator
// ('+' means a hundred years or older) and rejecting dates after today.
func swedishID(head, tail []byte, sep byte, today time.Time) (coord bool, ok bool) {
	var year int
	mm, dd := 0, 0
	if len(head) == 8 {
		year = atoi2(head[:2])*100 + atoi2(head[2:4])
		mm, dd = atoi2(head[4:6]), atoi2(head[6:8])
	} else {
		yy := atoi2(head[:2])
		mm, dd = atoi2(head[2:4]), atoi2(head[4:6])
		year = (today.Year()/100)*100 + yy
		if year > today.Year() {
			year -= 100
		}
		if sep == '+' {
			year -= 100
		}
	}
	if year < 1800 {
		return false, false
	}
	day := dd
	if day > 60 {
		day -= 60
		coord = true
	}
	if mm < 1 || mm > 12 || day < 1 || day > 31 {
		return false, false
	}
	date := time.Date(year, time.Month(mm), day, 0, 0, 0, 0, time.UTC)
	if date.Day() != day || date.After(today) {
		return false, false
	}
	var full [13]byte
	n := copy(full[:], []byte{byte('0' + year/1000), byte('0' + year/100%10), byte('0' + year/10%10), byte('0' + year%10)})
	n += copy(full[n:], head[len(head)-4:])
	full[n] = '-'
	n++
	n += copy(full[n:], tail)
	p, err := personnummer.Parse(string(full[:n]))
	if err != nil {
		return false, false
	}
	return p.IsCoordinationNumber(), true
}

// danishCPR checks DDMMYY-SSSS: the century comes from the seventh digit and
// the date must exist and not lie after today. The modulus-11 check is not
// applied: it has not held for every CPR number since 2007.
func danishCPR(head, tail []byte, today time.Time) bool {
	dd, mm, yy := atoi2(head[:2]), atoi2(head[2:4]), atoi2(head[4:6])
	var year int
	switch d7 := tail[0] - '0'; {
	case d7 <= 3:
		year = 1900 + yy
	case d7 == 4 || d7 == 9:
		if yy <= 36 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
	default:
		if yy <= 57 {
			year = 2000 + yy
		} else {
			year = 1800 + yy
		}
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return false
	}
	date := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	return date.Day() == dd && !date.After(today)
}

func isLocalByte(c byte) bool {
	return isASCIIWord(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isHostByte(c byte) bool {
	return isASCIIWord(c) || c == '.' || c == '-'
}

// emails finds addresses name@host.tld.
func emails(b []byte, out []span) []span {
	for i := 0; i < len(b); i++ {
		if b[i] != '@' {
			continue
		}
		s := i
		for s > 0 && isLocalByte(b[s-1]) {
			s--
		}
		e := i + 1
		for e < len(b) && isHostByte(b[e]) {
			e++
		}
		for e > i+1 && (b[e-1] == '.' || b[e-1] == '-') {
			e--
		}
		if s == i || e == i+1 {
			continue
		}
		host := b[i+1 : e]
		dot := strings.LastIndexByte(string(host), '.')
		if dot <= 0 || len(host)-dot-1 < 2 {
			continue
		}
		out = append(out, span{det: detEmail, ps: int32(s), pe: int32(e), hs: int32(i + 1), he: int32(e)})
		i = e - 1
	}
	return out
}

// Top-level domains that make a bare "name.tld" a web address.
var knownTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "se": true, "dk": true, "no": true, "nu": true,
	"to": true, "shop": true, "store": true, "info": true, "io": true, "ly": true, "xyz": true,
	"biz": true, "online": true, "site": true, "live": true, "tv": true, "me": true, "co": true,
	"uk": true, "eu": true, "app": true, "club": true, "top": true, "fi": true, "de": true,
	"cam": true, "sex": true, "xxx": true, "porn": true, "ru": true, "cc": true, "gl": true,
	"gg": true, "link": true, "click": true, "win": true, "bet": true, "casino": true, "fun": true,
}

func isURLByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '(' && c != ')' && c != ',' && c != '\'' && c != '[' && c != ']'
}

// urls finds web addresses: with a scheme, starting with www., or a bare
// host whose last label is a known top-level domain.
func urls(b []byte, out []span) []span {
	for i := 0; i < len(b); {
		if !isURLByte(b[i]) {
			i++
			continue
		}
		s := i
		for i < len(b) && isURLByte(b[i]) {
			i++
		}
		e := i
		for e > s && strings.IndexByte(".!?:;", b[e-1]) >= 0 {
			e--
		}
		if bytes.IndexByte(b[s:e], '.') < 0 {
			continue
		}
		chunk := string(b[s:e])
		hs := s
		if k := strings.Index(chunk, "://"); k >= 0 {
			hs = s + k + 3
		} else {
			// skip leading punctuation
			for hs < e && !isASCIIWord(b[hs]) {
				hs++
			}
		}
		he := hs
		for he < e && isHostByte(b[he]) {
			he++
		}
		host := string(b[hs:he])
		host = strings.TrimRight(host, ".-")
		if at := strings.IndexByte(chunk, '@'); at >= 0 {
			continue // an e-mail address
		}
		dot := strings.LastIndexByte(host, '.')
		if dot <= 0 {
			continue
		}
		scheme := strings.Contains(chunk, "://")
		if !scheme && !strings.HasPrefix(host, "www.") && !knownTLDs[host[dot+1:]] {
			continue
		}
		if !scheme && isDigit(host[dot+1]) {
			continue
		}
		out = append(out, span{det: detURL, ps: int32(s), pe: int32(e), hs: int32(hs), he: int32(hs + len(host))})
	}
	return out
}

// phones finds telephone numbers: an optional +country code, then 7 to 12
// digits in groups separated by spaces or hyphens, starting with 0 when there
// is no country code.
func phones(b []byte, out []span) []span {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c == '+' || c == '0') || (i > 0 && (isDigit(b[i-1]) || isASCIIWord(b[i-1]))) {
			continue
		}
		j := i
		if c == '+' {
			j++
		}
		digits := 0
		last := j
		for j < len(b) {
			if isDigit(b[j]) {
				if digits > 13 {
					break
				}
				digits++
				j++
				last = j
				continue
			}
			if (b[j] == ' ' || b[j] == '-') && j+1 < len(b) && isDigit(b[j+1]) {
				j++
				continue
			}
			break
		}
		if digits >= 7 && digits <= 13 && (c == '+' || b[i] == '0') {
			out = append(out, span{det: detPhone, ps: int32(i), pe: int32(last)})
			i = last - 1
		}
	}
	return danishPhones(b, out)
}

// danishPhones finds Danish eight-digit phone numbers written in pairs
// ("20 12 34 56"); eight digits in one run (a CVR number) or in fours (two
// years) are left alone.
func danishPhones(b []byte, out []span) []span {
	for i := 0; i+11 <= len(b); i++ {
		if !isDigit(b[i]) || b[i] == '0' || (i > 0 && (isDigit(b[i-1]) || isASCIIWord(b[i-1]) || b[i-1] == '-' || b[i-1] == '+')) {
			continue
		}
		end := 0
		if groups(b, i, 2, 2, 2, 2) {
			end = i + 11
		}
		if end > 0 && (end >= len(b) || !isDigit(b[end]) && !isASCIIWord(b[end])) {
			out = append(out, span{det: detPhone, ps: int32(i), pe: int32(end)})
			i = end
		}
	}
	return out
}

// groups reports digit groups of the given sizes at b[i], one space
// between them.
func groups(b []byte, i int, sizes ...int) bool {
	for k, n := range sizes {
		if k > 0 {
			if i >= len(b) || b[i] != ' ' {
				return false
			}
			i++
		}
		if i+n > len(b) || digitRun(b, i)-i != n {
			return false
		}
		i += n
	}
	return true
}

// prices finds amounts of money: a number with a currency after it ("199
// kr", "199:-", "49,50 kr", "300 dkk", "20 euro", "5000 kronor i
// månaden") or a currency sign before it ("$19", "£5", "€10").
func prices(b []byte, out []span) []span {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '$' || c == 0xC2 && i+1 < len(b) && b[i+1] == 0xA3 || c == 0xE2 && i+2 < len(b) && b[i+1] == 0x82 && b[i+2] == 0xAC {
			n := 1
			if c != '$' {
				n = 2
				if c == 0xE2 {
					n = 3
				}
			}
			j := i + n
			for j < len(b) && b[j] == ' ' && j-i-n < 1 {
				j++
			}
			if j < len(b) && isDigit(b[j]) {
				e := amountEnd(b, j)
				out = append(out, span{det: detPrice, ps: int32(i), pe: int32(e)})
				i = e - 1
			}
			continue
		}
		if !isDigit(c) || (i > 0 && (isDigit(b[i-1]) || isASCIIWord(b[i-1]))) {
			continue
		}
		e := amountEnd(b, i)
		j := e
		for j < len(b) && b[j] == ' ' && j-e < 1 {
			j++
		}
		if n := currencyAt(b, j); n > 0 {
			out = append(out, span{det: detPrice, ps: int32(i), pe: int32(j + n)})
			i = j + n - 1
		} else {
			i = e - 1
		}
	}
	return out
}

// amountEnd returns the end of a number at b[i]: digits with single
// spaces, dots or commas between groups ("40 000", "1.299,95").
func amountEnd(b []byte, i int) int {
	e := digitRun(b, i)
	for e+1 < len(b) && (b[e] == ' ' || b[e] == '.' || b[e] == ',') && isDigit(b[e+1]) {
		n := digitRun(b, e+1) - (e + 1)
		if b[e] == ' ' && n != 3 || b[e] == ',' && n > 3 {
			break
		}
		e = digitRun(b, e+1)
	}
	return e
}

// currencies are the words and signs after an amount that make it a price.
var currencies = []string{":-", "kronor", "kroner", "kr.", "kr", "sek", "dkk", "nok", "euro", "eur", "€", "usd", "dollars", "pounds", "gbp", "£", "spänn", "lappen"}

// currencyAt returns the length of a currency at b[i] that ends a word, or 0.
func currencyAt(b []byte, i int) int {
	for _, c := range currencies {
		if i+len(c) <= len(b) && string(b[i:i+len(c)]) == c && (i+len(c) == len(b) || !isASCIIWord(b[i+len(c)]) || c == "kr" && i+len(c) < len(b) && b[i+len(c)] == '.') {
			return len(c)
		}
	}
	return 0
}

// questionMarks finds question marks that end a sentence (not inside a web
// address).
func questionMarks(b []byte, out []span) []span {
	for i := 0; i < len(b); i++ {
		if b[i] != '?' {
			continue
		}
		if i+1 < len(b) && isASCIIWord(b[i+1]) {
			continue // a query string
		}
		out = append(out, span{det: detQuestion, ps: int32(i), pe: int32(i + 1)})
	}
	return out
}

// mayHaveURL reports a dot followed by a letter or digit, which every web
// address has.
func mayHaveURL(b []byte) bool {
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], '.')
		if k < 0 {
			return false
		}
		i += k + 1
		if i < len(b) && isASCIIWord(b[i]) {
			return true
		}
	}
}

// IdentityNumbers finds what may be an identity number in text — a
// Swedish personnummer or samordningsnummer or a Danish CPR number, also
// one written to get past a filter ("85o312-1234", "85 03 12-1234") — and
// returns each as a byte range of text, for hiding it where a comment is
// shown. It runs the detectors alone, without the rule packs: the words
// that make the classifier drop a number ("fakturanummer") or need one
// ("cpr") are not read, so it finds more than the classifier reports,
// which is what masking wants. today is the reference date of
// Options.Today.
func IdentityNumbers(text string, today time.Time) [][2]int {
	var p plainText
	normalize(text, &p)
	want := [numDetectors]bool{detPersonnummer: true, detSamordning: true, detCPR: true}
	spans := idNumbersIn(p.b, today, want, false, nil)
	spans = obfuscatedIDs(p.b, today, want, false, spans)
	out := make([][2]int, 0, len(spans))
	for _, s := range spans {
		start, end := p.span(int(s.ps), int(s.pe))
		out = append(out, [2]int{start, end})
	}
	return out
}
