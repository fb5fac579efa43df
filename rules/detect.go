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
	numDetectors
)

var detectorIDs = map[string]uint8{
	"personnummer": detPersonnummer, "samordningsnummer": detSamordning, "cpr": detCPR,
	"email": detEmail, "phone": detPhone, "url": detURL, "person_reference": detPerson,
	"question_mark": detQuestion,
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
					out = append(out, span{det: d, ps: int32(i), pe: int32(end), weak: sep == ' '})
				}
			}
		}
		if want[detCPR] && len(head) == 6 && sep != '+' && !(swedish && luhn(head, tail)) {
			if danishCPR(head, tail, today) {
				out = append(out, span{det: detCPR, ps: int32(i), pe: int32(end), weak: sep != '-'})
			}
		}
		i = end
	}
	return out
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
	return out
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
