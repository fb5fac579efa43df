package rules

import "strings"

const (
	langSV uint8 = 1 << iota
	langDA
	langNO
	langEN
)

// stopwords holds function words with the bit mask of their languages.
type stopwords struct {
	long map[string]uint8 // words of more than eight bytes
	keys keySet           // the others, by prefixKey
}

func (sw *stopwords) add(mask uint8, words string) {
	for _, w := range strings.Fields(words) {
		if len(w) > 8 {
			sw.long[w] |= mask
			continue
		}
		sw.keys.or(prefixKey([]byte(w)), mask)
	}
}

// of returns the languages of the function word w, whose prefixKey is key;
// 0 for any other word.
func (sw *stopwords) of(w []byte, key uint64) uint8 {
	if len(w) <= 8 {
		return sw.keys.get(key)
	}
	return sw.long[string(w)]
}

// newStopwords builds the short function words that tell Swedish, Danish,
// Norwegian and English apart, as a bit mask of languages per word.
func newStopwords() *stopwords {
	sw := &stopwords{long: map[string]uint8{}, keys: newKeySet(512)}
	sw.add(langSV, "och att det är jag inte på som för med har kan vi en ett av till om men så var när hur varför vad vilken vilket vilka vem där här nu också eller från min mitt mina din ditt han hon de dem ni kommer finns blir bara mycket inga ingen något någon alla efter igen får kunde skulle borde ska vill gör göra får utan även hela dag tack")
	sw.add(langDA, "og at det er jeg ikke på som for med har kan vi en et af til om men så var når hvordan hvorfor hvad hvilken hvem der her nu også eller fra min mit mine din dit han hun de dem i kommer findes bliver bare meget ingen noget nogen alle efter igen får kunne skulle burde skal vil gør gøre uden hele dag tak mig dig sig jo efter sådan")
	sw.add(langNO, "og at det er jeg ikke på som for med har kan vi en et av til om men så var når hvordan hvorfor hva hvilken hvem der her nå også eller fra min mitt mine din ditt han hun de dem dere kommer finnes blir bare mye ingen noe noen alle etter igjen får kunne skulle burde skal vil gjør gjøre uten hele dag takk meg deg seg ble")
	sw.add(langEN, "the and to of is it that in for on with be are was this have not you i we they he she my your at by from or but what how why when where who which can will would should do does did there here all any some no just very so again thanks please get")
	return sw
}

// guessLanguage picks sv, da, no or en from the words of the text, as an
// index into allLangs; the caller's hint counts as one and a half words, so
// that it decides short or ambiguous texts and is overruled by clear
// evidence.
func guessLanguage(s *scratch, hint string, stop *stopwords) int {
	var score [4]float64
	switch hint {
	case "sv":
		score[0] += 1.5
	case "da":
		score[1] += 1.5
	case "no", "nb", "nn":
		score[2] += 1.5
	case "en":
		score[3] += 1.5
	}
	n := 0
	for k := range s.toks {
		if n >= maxTokensForLanguage {
			break
		}
		t := &s.toks[k]
		if t.num || t.mention {
			continue
		}
		n++
		w := s.norm[t.na:t.nb]
		if len(w) <= 8 {
			if m := stop.of(w, t.key); m != 0 {
				for i := 0; i < 4; i++ {
					if m&(1<<i) != 0 {
						score[i]++
					}
				}
			}
		}
		if !t.latin {
			continue
		}
		for j := 0; j+1 < len(w); j++ {
			if w[j] != 0xC3 {
				continue
			}
			switch w[j+1] {
			case 0xA4, 0xB6: // ä ö
				score[0] += 0.5
			case 0xA6, 0xB8: // æ ø
				score[1] += 0.4
				score[2] += 0.4
			}
		}
	}
	best, bi := -1.0, 0
	order := []int{0, 1, 3, 2}
	for _, i := range order {
		if score[i] > best {
			best, bi = score[i], i
		}
	}
	return bi
}
