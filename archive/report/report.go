package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation/report"
)

const (
	margin = 15.0
	pageW  = 210.0
	pageH  = 297.0
	width  = pageW - 2*margin
)

// Colours of the charts: comments seen, flagged.
var (
	blue   = [3]int{38, 84, 150}
	orange = [3]int{214, 96, 24}
	grey   = [3]int{150, 150, 150}
)

// FileName is the report's file name for the month that starts at from:
// "report-2026-11.pdf" (the same in every language).
func FileName(from time.Time) string { return "report-" + from.Format("2006-01") + ".pdf" }

// Render lays out r and converts it to PDF/A-3b, with the report's
// figures attached as report.json.
func Render(ctx context.Context, r report.Report, opts pdf.Options) ([]byte, error) {
	draft, err := Layout(r)
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(record(r), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: figures: %w", err)
	}
	out, err := pdf.ConvertPDFA3(ctx, draft, pdf.Metadata{Title: pdf.ASCII(r.Title()), Subject: report.Text(r.Language, "subtitle"), Author: r.Municipality},
		[]pdf.Attachment{{Name: "report.json", MIME: "application/json", Description: "The figures of the report",
			Relationship: "Data", Data: data, ModTime: r.MadeAt}}, opts)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return out, nil
}

// Layout draws r with fpdf, before the conversion to PDF/A.
func Layout(r report.Report) ([]byte, error) {
	l := layout{f: fpdf.New("P", "mm", "A4", ""), r: r, w: report.Words(r.Language)}
	f := l.f
	pdf.AddFonts(f)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	f.AliasNbPages("{nb}")
	f.SetTitle(pdf.ASCII(r.Title()), false)
	f.SetCreator("uppsikt", false)
	f.SetProducer("uppsikt (fpdf)", false)
	if !r.MadeAt.IsZero() {
		f.SetCreationDate(r.MadeAt)
		f.SetModificationDate(r.MadeAt)
	}
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		f.SetFont(pdf.FontFamily, "", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, pdf.Clean(l.w["footer"]+" – "+report.MonthTitle(r.Language, r.From)+" – "+r.Municipality), "", 0, "L", false, 0, "")
		f.SetX(margin)
		f.CellFormat(0, 5, fmt.Sprintf(l.w["page"], f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})

	f.AddPage()
	l.heading(l.w["title"]+" "+report.MonthTitle(r.Language, r.From), 18)
	f.SetFont(pdf.FontFamily, "", 11)
	f.MultiCell(0, 6, pdf.Clean(l.w["subtitle"]), "", "L", false)
	f.Ln(2)
	pdf.Row(f, l.w["municipality"], pdf.Clean(r.Municipality))
	pdf.Row(f, l.w["period"], r.Date(r.From)+" – "+r.Date(r.To.Add(-time.Nanosecond)))
	pdf.Row(f, l.w["time_zone"], r.Location.String())
	if !r.MadeAt.IsZero() {
		pdf.Row(f, l.w["made"], r.MadeAt.In(r.Location).Format("2006-01-02 15:04 MST"))
	}
	f.Ln(3)
	l.summary()
	l.categories()
	l.days()

	l.reviewTimes()
	l.clock()
	l.inactive()
	l.disconnected()
	l.heading(l.w["notes"], 12)
	f.SetFont(pdf.FontFamily, "", 9)
	f.MultiCell(0, 4.6, pdf.Clean(l.w["notes_text"]), "", "L", false)

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("report: layout: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: layout: %w", err)
	}
	return buf.Bytes(), nil
}

type layout struct {
	f *fpdf.Fpdf
	r report.Report
	w map[string]string
}

// room starts a new page unless h millimetres are left above the footer.
func (l *layout) room(h float64) {
	if l.f.GetY()+h > pageH-margin-5 {
		l.f.AddPage()
	}
}

func (l *layout) heading(s string, size float64) {
	l.room(size*0.55 + 12)
	l.f.SetFont(pdf.FontFamily, "B", size)
	l.f.MultiCell(0, size*0.55, pdf.Clean(s), "", "L", false)
	l.f.Ln(1.5)
}

func (l *layout) para(s string) {
	l.f.SetFont(pdf.FontFamily, "", 9.5)
	l.f.MultiCell(0, 5, pdf.Clean(s), "", "L", false)
	l.f.Ln(1)
}

// table draws a header row and rows; the first column takes what the
// others (each colW wide, right-aligned) leave.
func (l *layout) table(head []string, colW float64, rows [][]string, boldLast bool) {
	f := l.f
	first := width - colW*float64(len(head)-1)
	f.SetFont(pdf.FontFamily, "B", 7.5)
	f.SetFillColor(232, 236, 243)
	l.room(10 + 5.5*float64(len(rows)))
	// The header may wrap: draw it as cells of equal height.
	lines := 1
	for i, h := range head {
		w := colW
		if i == 0 {
			w = first
		}
		lines = max(lines, len(f.SplitText(pdf.Clean(h), w-2)))
	}
	y := f.GetY()
	x := margin
	for i, h := range head {
		w, align := colW, "R"
		if i == 0 {
			w, align = first, "L"
		}
		f.Rect(x, y, w, 3.8*float64(lines)+1.2, "F")
		for j, line := range f.SplitText(pdf.Clean(h), w-2) {
			f.SetXY(x, y+0.6+3.8*float64(j))
			f.CellFormat(w, 3.8, line, "", 0, align, false, 0, "")
		}
		x += w
	}
	f.SetXY(margin, y+3.8*float64(lines)+1.2)
	for n, row := range rows {
		style := ""
		if boldLast && n == len(rows)-1 {
			style = "B"
			f.SetDrawColor(120, 120, 120)
			f.Line(margin, f.GetY(), margin+width, f.GetY())
		}
		f.SetFont(pdf.FontFamily, style, 9)
		for i, c := range row {
			w, align := colW, "R"
			switch {
			case i == 0:
				w, align = first, "L"
			case i == 1 && len(row) == 2 && len(head) > 2:
				w, align = width-first, "L" // a note in place of the figures
			}
			f.CellFormat(w, 5.5, pdf.Clean(c), "", 0, align, false, 0, "")
		}
		f.Ln(5.5)
	}
	f.SetDrawColor(0, 0, 0)
	f.Ln(3)
}

func count(n int) string { return strconv.Itoa(n) }

func (l *layout) summary() {
	l.heading(l.w["summary"], 13)
	head := []string{l.w["account"], l.w["seen"], l.w["flagged"], l.w["removed"], l.w["kept"], l.w["registered"]}
	var rows [][]string
	for _, a := range l.r.Accounts {
		rows = append(rows, []string{a.Name, count(a.Seen), count(a.Flagged), count(a.Removed), count(a.Kept), count(a.Registered)})
	}
	t := l.r.Total
	rows = append(rows, []string{l.w["total"], count(t.Seen), count(t.Flagged), count(t.Removed), count(t.Kept), count(t.Registered)})
	l.table(head, 26, rows, true)
}

// categories draws the bars of flagged comments by category.
func (l *layout) categories() {
	f := l.f
	l.heading(l.w["categories"], 12)
	if len(l.r.Categories) == 0 {
		l.para(l.w["no_flagged"])
		return
	}
	const labelW, barH, gap = 55.0, 5.0, 2.0
	top := report.NiceCeil(l.r.MaxCategory())
	barMax := width - labelW - 14
	l.room(float64(len(l.r.Categories))*(barH+gap) + 4)
	f.SetFont(pdf.FontFamily, "", 9)
	for _, c := range l.r.Categories {
		y := f.GetY()
		f.SetXY(margin, y)
		f.CellFormat(labelW, barH, pdf.Clean(report.Category(l.r.Language, c.Category)), "", 0, "L", false, 0, "")
		w := barMax * float64(c.Count) / float64(top)
		f.SetFillColor(blue[0], blue[1], blue[2])
		f.Rect(margin+labelW, y+0.5, max(w, 0.6), barH-1, "F")
		f.SetXY(margin+labelW+w+1.5, y)
		f.CellFormat(12, barH, count(c.Count), "", 0, "L", false, 0, "")
		f.SetXY(margin, y+barH+gap)
	}
	// The scale's axis under the bars.
	y := f.GetY()
	f.SetDrawColor(grey[0], grey[1], grey[2])
	f.Line(margin+labelW, y, margin+labelW+barMax, y)
	f.SetFont(pdf.FontFamily, "", 7)
	f.SetTextColor(90, 90, 90)
	for _, v := range []int{0, top / 2, top} {
		if v == top/2 && top%2 != 0 {
			continue
		}
		x := margin + labelW + barMax*float64(v)/float64(top)
		f.Line(x, y, x, y+1)
		f.SetXY(x-6, y+1)
		f.CellFormat(12, 3.5, count(v), "", 0, "C", false, 0, "")
	}
	f.SetTextColor(0, 0, 0)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(margin, y+7)
}

// days draws the lines of comments seen and flagged per day.
func (l *layout) days() {
	f := l.f
	l.heading(l.w["days"], 12)
	const chartH, axisW = 50.0, 10.0
	l.room(chartH + 16)
	top := report.NiceCeil(l.r.MaxDay())
	x0, y0 := margin+axisW, f.GetY()+2
	w := width - axisW
	n := len(l.r.Days)
	xAt := func(i int) float64 {
		if n <= 1 {
			return x0
		}
		return x0 + w*float64(i)/float64(n-1)
	}
	yAt := func(v int) float64 { return y0 + chartH - chartH*float64(v)/float64(top) }
	f.SetFont(pdf.FontFamily, "", 7)
	f.SetTextColor(90, 90, 90)
	f.SetLineWidth(0.1)
	for _, v := range []int{0, top / 2, top} {
		if v == top/2 && top%2 != 0 {
			continue
		}
		f.SetDrawColor(215, 215, 215)
		f.Line(x0, yAt(v), x0+w, yAt(v))
		f.SetXY(margin, yAt(v)-1.75)
		f.CellFormat(axisW-1.5, 3.5, count(v), "", 0, "R", false, 0, "")
	}
	for i, d := range l.r.Days {
		if day := d.Date.In(l.r.Location).Day(); day == 1 || day%5 == 0 || i == n-1 {
			f.SetXY(xAt(i)-4, y0+chartH+1)
			f.CellFormat(8, 3.5, strconv.Itoa(day), "", 0, "C", false, 0, "")
		}
	}
	line := func(c [3]int, v func(d report.Day) int) {
		f.SetDrawColor(c[0], c[1], c[2])
		f.SetFillColor(c[0], c[1], c[2])
		f.SetLineWidth(0.6)
		for i, d := range l.r.Days {
			if d.Future {
				break
			}
			if i > 0 {
				f.Line(xAt(i-1), yAt(v(l.r.Days[i-1])), xAt(i), yAt(v(d)))
			}
			f.Circle(xAt(i), yAt(v(d)), 0.6, "F")
		}
	}
	line(blue, func(d report.Day) int { return d.Seen })
	line(orange, func(d report.Day) int { return d.Flagged })
	f.SetLineWidth(0.2)
	f.SetDrawColor(0, 0, 0)
	// The legend.
	y := y0 + chartH + 6
	f.SetTextColor(0, 0, 0)
	f.SetFont(pdf.FontFamily, "", 8.5)
	x := x0
	for _, e := range []struct {
		c    [3]int
		word string
	}{{blue, l.w["legend_seen"]}, {orange, l.w["legend_flagged"]}} {
		f.SetFillColor(e.c[0], e.c[1], e.c[2])
		f.Rect(x, y+1, 6, 2.5, "F")
		f.SetXY(x+7.5, y)
		word := pdf.Clean(e.word)
		f.CellFormat(f.GetStringWidth(word)+2, 4.5, word, "", 0, "L", false, 0, "")
		x += 7.5 + f.GetStringWidth(word) + 8
	}
	f.SetXY(margin, y+9)
}

func (l *layout) reviewTimes() {
	l.heading(l.w["review"], 13)
	l.para(l.w["review_intro"])
	if l.r.Total.Reviewed == 0 {
		l.para(l.w["no_reviews"])
		return
	}
	lang := l.r.Language
	cell := func(a report.Row) []string {
		if a.Reviewed == 0 {
			return []string{a.Name, "0", "–", "–"}
		}
		return []string{a.Name, count(a.Reviewed), report.Duration(lang, a.ReviewMedian), report.Duration(lang, a.ReviewP90)}
	}
	var rows [][]string
	for _, a := range l.r.Accounts {
		rows = append(rows, cell(a))
	}
	t := l.r.Total
	t.Name = l.w["total"]
	rows = append(rows, cell(t))
	l.table([]string{l.w["account"], l.w["reviewed"], l.w["median"], l.w["p90"]}, 32, rows, true)
}

func (l *layout) clock() {
	l.heading(l.w["clock"], 13)
	l.para(l.w["clock_intro"])
	c := l.r.Clock
	if !c.Known || c.Total.Asked == 0 && c.Total.OpenOverdue == 0 {
		l.para(l.w["clock_none"])
		return
	}
	lang := l.r.Language
	cell := func(name string, a report.ClockRow) []string {
		if a.Asked == 0 && a.OpenOverdue == 0 {
			return []string{name, l.w["no_questions"]}
		}
		median, p90 := "–", "–"
		if a.HasTimes {
			median, p90 = report.Hours(lang, a.MedianHours), report.Hours(lang, a.P90Hours)
		}
		return []string{name, count(a.Asked), count(a.AnsweredInTime), count(a.AnsweredLate), count(a.OpenOverdue), median, p90}
	}
	var rows [][]string
	for _, a := range c.Rows {
		rows = append(rows, cell(a.Name, a))
	}
	rows = append(rows, cell(l.w["total"], c.Total))
	l.table([]string{l.w["account"], l.w["asked"], l.w["in_time"], l.w["late"], l.w["overdue"], l.w["answer_median"], l.w["answer_p90"]}, 22, rows, true)
}

func (l *layout) inactive() {
	l.heading(l.w["inactive"], 13)
	if len(l.r.Inactive) == 0 {
		l.para(fmt.Sprintf(l.w["no_inactive"], l.r.InactiveDays))
		return
	}
	l.para(fmt.Sprintf(l.w["inactive_intro"], l.r.InactiveDays))
	var rows [][]string
	for _, a := range l.r.Inactive {
		when := l.r.Date(a.At)
		if when == "" {
			when = l.w["no_post"]
		}
		rows = append(rows, []string{a.Name, when})
	}
	l.table([]string{l.w["account"], l.w["last_post"]}, 50, rows, false)
}

func (l *layout) disconnected() {
	l.heading(l.w["disconnected"], 13)
	if len(l.r.Disconnected) == 0 {
		l.para(l.w["no_disconnected"])
		return
	}
	l.para(l.w["disconnected_intro"])
	var rows [][]string
	for _, a := range l.r.Disconnected {
		when := l.r.Date(a.At)
		if when == "" {
			when = l.w["unknown"]
		}
		rows = append(rows, []string{a.Name, when})
	}
	l.table([]string{l.w["account"], l.w["disconnected_at"]}, 50, rows, false)
}

// figures is the report as data, attached to the PDF.
type figures struct {
	Municipality string                 `json:"municipality"`
	Language     string                 `json:"language"`
	TimeZone     string                 `json:"time_zone"`
	From         time.Time              `json:"from"`
	To           time.Time              `json:"to"`
	MadeAt       time.Time              `json:"made_at"`
	Accounts     []report.Row           `json:"accounts"`
	Total        report.Row             `json:"total"`
	Categories   []report.CategoryCount `json:"categories"`
	Days         []report.Day           `json:"days"`
	Clock        report.Clock           `json:"answer_clock"`
	Inactive     []report.AccountNote   `json:"inactive"`
	Disconnected []report.AccountNote   `json:"disconnected"`
}

func record(r report.Report) figures {
	return figures{Municipality: r.Municipality, Language: r.Language, TimeZone: r.Location.String(), From: r.From, To: r.To,
		MadeAt: r.MadeAt, Accounts: r.Accounts, Total: r.Total, Categories: r.Categories, Days: r.Days, Clock: r.Clock,
		Inactive: r.Inactive, Disconnected: r.Disconnected}
}
