package rules

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchComments is a mix of comment lengths as they come in on municipal
// pages: many short reactions, some paragraphs, a few long letters. The
// sentences are written for the benchmark.
func benchComments() []string {
	short := []string{
		"Tack för infon!", "Fint!", "När öppnar badet?", "Hvornår åbner svømmehallen?",
		"Great news, thanks!", "Fan vad bra 👍", "Helt rätt beslut.", "Tak for en god dag ❤️",
		"Var kan man parkera?", "Super initiativ, mere af det!",
	}
	medium := []string{
		"Jag undrar varför gatubelysningen på Björkvägen har varit släckt i över en vecka nu, det är mörkt och otäckt att gå hem från bussen på kvällarna. Kan någon titta på det?",
		"Vi har boet her i tyve år og aldrig oplevet så mange huller i vejen. Kommunen burde virkelig prioritere vedligeholdelse frem for nye kontorer på rådhuset.",
		"The new playground by the library is lovely, my kids spent the whole afternoon there. Would be great with a bench or two in the shade for the parents though.",
		"Köp billiga solglasögon på www.rea-brillor.shop, fri frakt på allt i dag! Skicka ett PM för rabattkod.",
		"Min granne Per Olsson är sjukskriven igen och sitter bara hemma, typiskt.",
	}
	long := strings.Repeat("Jag har bott i kommunen i snart fyrtio år och har sett mycket förändras, både till det bättre och till det sämre. Skolorna har blivit större, bussarna går oftare men vägarna är i sämre skick än någonsin. ", 5) +
		"Jag vill anmäla att snöhögen vid infarten till äldreboendet blockerar vägen för färdtjänsten, och jag begär att få ta del av kommunens plan för snöröjning. Med vänliga hälsningar."
	var out []string
	for i := 0; i < 20; i++ {
		out = append(out, short[i%len(short)])
		if i%2 == 0 {
			out = append(out, medium[i%len(medium)])
		}
		if i%10 == 0 {
			out = append(out, long)
		}
	}
	return out
}

func totalBytes(cs []string) int64 {
	n := 0
	for _, c := range cs {
		n += len(c)
	}
	return int64(n)
}

// BenchmarkClassify classifies the mix with all default packs; MB/s is the
// throughput per core.
func BenchmarkClassify(b *testing.B) {
	e := testEngine(b)
	cs := benchComments()
	b.SetBytes(totalBytes(cs))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		for _, c := range cs {
			e.Classify(c, "")
		}
		n++
	}
	// On a shared machine wall-clock MB/s understates the cost per core;
	// this is the throughput per second of CPU time the process used.
	if d := cpuTime() - cpu0; d > 0 {
		b.ReportMetric(float64(totalBytes(cs))*float64(n)/d.Seconds()/1e6, "MB/cpu-s")
	}
}

// cpuTime is the user and system CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// naive is the baseline the lexicon is measured against: one compiled
// regular expression per rule word, tried in turn over the lower-cased text.
type naive struct{ res []*regexp.Regexp }

func newNaive(e *Engine) *naive {
	n := &naive{}
	seen := map[string]bool{}
	for _, r := range e.rules {
		for _, w := range r.src.Words {
			w = strings.ToLower(strings.Trim(w, "*="))
			if seen[w] {
				continue
			}
			seen[w] = true
			n.res = append(n.res, regexp.MustCompile(`\b`+regexp.QuoteMeta(w)+`\b`))
		}
	}
	return n
}

func (n *naive) classify(text string) int {
	lower := strings.ToLower(text)
	hits := 0
	for _, re := range n.res {
		hits += len(re.FindAllStringIndex(lower, -1))
	}
	return hits
}

func BenchmarkNaiveBaseline(b *testing.B) {
	n := newNaive(testEngine(b))
	cs := benchComments()
	b.SetBytes(totalBytes(cs))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cs {
			n.classify(c)
		}
	}
}

// BenchmarkSpeedup runs the engine and the naive baseline over the same mix
// in one benchmark and reports how many times faster the engine is.
func BenchmarkSpeedup(b *testing.B) {
	e := testEngine(b)
	n := newNaive(e)
	cs := benchComments()
	b.ResetTimer()
	var fast, slow time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, c := range cs {
			e.Classify(c, "")
		}
		t1 := time.Now()
		for _, c := range cs {
			n.classify(c)
		}
		fast += t1.Sub(t0)
		slow += time.Since(t1)
	}
	b.ReportMetric(float64(slow)/float64(fast), "x_faster_than_naive")
	b.ReportMetric(float64(len(n.res)), "naive_regexps")
}

// BenchmarkCompileDefaultPacks measures parsing and compiling the default
// packs: time, bytes and allocations per compile.
// It also reports the heap the compiled engine keeps.
func BenchmarkCompileDefaultPacks(b *testing.B) {
	b.ReportAllocs()
	var e *Engine
	for b.Loop() {
		var err error
		if e, err = LoadDefault(Options{Today: testToday}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	e = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e, err := LoadDefault(Options{Today: testToday})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "engine_heap_bytes")
	runtime.KeepAlive(e)
}

func BenchmarkClassifyLong(b *testing.B) {
	e := testEngine(b)
	for _, size := range []int{1 << 10, 1 << 16, 1 << 20} {
		text := strings.Repeat("Vägen till skolan är i dåligt skick, fan också. ", size/48+1)[:size]
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				e.Classify(text, "sv")
			}
		})
	}
}

// BenchmarkClassifyWithModel classifies the mix with all default packs and
// the built-in model on: the whole classifier. model_share is the part of
// the time the model takes (its features and scores, and naming the
// features of comments it flags).
func BenchmarkClassifyWithModel(b *testing.B) {
	m, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	withModel, err := LoadDefault(Options{Today: testToday, Model: m})
	if err != nil {
		b.Fatal(err)
	}
	rulesOnly := testEngine(b)
	cs := benchComments()
	b.SetBytes(totalBytes(cs))
	b.ReportAllocs()
	var tRules, tAll time.Duration
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		t0 := time.Now()
		for _, c := range cs {
			withModel.Classify(c, "")
		}
		t1 := time.Now()
		for _, c := range cs {
			rulesOnly.Classify(c, "")
		}
		tAll += t1.Sub(t0)
		tRules += time.Since(t1)
		n++
	}
	b.ReportMetric(float64(totalBytes(cs))*float64(n)/tAll.Seconds()/1e6, "MB/s_whole")
	b.ReportMetric(float64(tAll-tRules)/float64(tAll), "model_share")
	if d := cpuTime() - cpu0; d > 0 {
		// Both engines ran: the CPU time is split in the measured ratio.
		whole := d.Seconds() * float64(tAll) / float64(tAll+tRules)
		b.ReportMetric(float64(totalBytes(cs))*float64(n)/whole/1e6, "MB/cpu-s_whole")
	}
}

// BenchmarkClassifyLongWithModel is BenchmarkClassifyLong with the model:
// the time grows linearly with the comment.
func BenchmarkClassifyLongWithModel(b *testing.B) {
	m, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	e, err := LoadDefault(Options{Today: testToday, Model: m})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 10, 1 << 16, 1 << 20} {
		text := strings.Repeat("Vägen till skolan är i dåligt skick, fan också, idiot. ", size/55+1)[:size]
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				e.Classify(text, "sv")
			}
		})
	}
}
