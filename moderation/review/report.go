package review

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/report"
)

// The monthly report on the web page (/report?month=2026-11): the same
// figures and words as the PDF (archive/report), in the reader's language,
// with the charts drawn as inline SVG — shapes and presentation attributes
// only, no style attribute and no script, which the page's
// Content-Security-Policy allows (default-src 'none' forbids loading, not
// markup). For administrators, moderators and archivists.

// reportMonths is how many months back the page offers.
const reportMonths = 13

// The charts' coordinates, in SVG user units (the drawing scales to the
// page's width).
const (
	barChartW, barLabelW, barH, barGap = 640.0, 200.0, 22.0, 8.0
	lineChartW, lineChartH, lineLeft   = 640.0, 220.0, 40.0
	lineTop, lineBottom                = 10.0, 190.0
)

type reportBar struct {
	Label         string
	Count         int
	Y, W, TextX   float64
	LabelY, CntY  float64
	Width, Height float64
}

type reportTick struct {
	X, Y  float64
	Label string
}

type reportRow struct {
	Name                                     string
	Seen, Flagged, Removed, Kept, Registered int
	Reviewed                                 int
	Median, P90                              string
}

type reportClockRow struct {
	W                                      map[string]string
	Total                                  bool
	Name                                   string
	None                                   bool // no questions
	Asked, InTime, Late, Overdue, InTimePc int
	Median, P90                            string
}

type reportNote struct{ Name, When string }

type monthOption struct {
	Value, Label string
	Current      bool
}

type reportData struct {
	W            map[string]string
	Title        string
	Month        string // 2026-11
	Months       []monthOption
	Period       string
	TimeZone     string
	Rows         []reportRow
	Total        reportRow
	Reviewed     bool
	Bars         []reportBar
	BarsHeight   float64
	BarAxis      []reportTick
	Seen         string // the line's points
	Flagged      string
	Grid         []reportTick
	Days         []reportTick
	Clock        bool
	ClockRows    []reportClockRow
	ClockTotal   reportClockRow
	Inactive     []reportNote
	InactiveText string
	Disconnected []reportNote
	PDF          bool
}

// reportPage shows the monthly report of ?month= (default: last month).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	as, ok := s.opts.Store.(moderation.ActivityStore)
	if !ok {
		s.fail(w, r, fmt.Errorf("monthly report: the store cannot count activity: %w", moderation.ErrNotFound))
		return
	}
	lang := s.lang(r, userFrom(r.Context()))
	loc := s.opts.Location
	month := report.PreviousMonth(s.opts.Now(), loc)
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := report.ParseMonth(m, loc)
		if err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "")
			return
		}
		month = t
	}
	rep, err := s.monthlyReport(r.Context(), as, month, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "report", "monthly_report", 0, s.reportData(rep, lang))
}

// reportPDF serves the month's report as PDF/A (cmd wires the renderer).
func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) {
	loc := s.opts.Location
	month, err := report.ParseMonth(r.URL.Query().Get("month"), loc)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "")
		return
	}
	b, err := s.opts.ReportPDF(r.Context(), month, s.lang(r, userFrom(r.Context())))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "report-"+month.Format("2006-01")+".pdf"))
	w.Write(b)
}

// monthlyReport counts the month and builds its report in lang.
func (s *Server) monthlyReport(ctx context.Context, as moderation.ActivityStore, month time.Time, lang string) (report.Report, error) {
	from, to := report.Month(month, s.opts.Location)
	act, err := as.Activity(ctx, moderation.ActivityQuery{From: from, To: to, Location: s.opts.Location})
	if err != nil {
		return report.Report{}, err
	}
	var clock []report.AnswerClock
	if s.opts.AnswerClock != nil {
		if clock, err = s.opts.AnswerClock(ctx, from, to); err != nil {
			return report.Report{}, err
		}
	}
	return report.Build(report.Input{Municipality: s.opts.Municipality, Language: lang, Location: s.opts.Location,
		Month: from, Activity: act, Clock: clock, InactiveDays: s.opts.InactiveDays, MadeAt: s.opts.Now()}), nil
}

func (s *Server) reportData(rep report.Report, lang string) reportData {
	wd := report.Words(lang)
	d := reportData{W: wd, Title: rep.Title(), Month: rep.From.Format("2006-01"),
		Period: rep.Date(rep.From) + " – " + rep.Date(rep.To.Add(-time.Nanosecond)), TimeZone: rep.Location.String(),
		PDF: s.opts.ReportPDF != nil, Reviewed: rep.Total.Reviewed > 0}
	now := report.PreviousMonth(s.opts.Now(), s.opts.Location).AddDate(0, 1, 0)
	for i := range reportMonths {
		m := now.AddDate(0, -i, 0)
		v := m.Format("2006-01")
		d.Months = append(d.Months, monthOption{Value: v, Label: report.MonthTitle(lang, m), Current: v == d.Month})
	}
	row := func(a report.Row) reportRow {
		out := reportRow{Name: a.Name, Seen: a.Seen, Flagged: a.Flagged, Removed: a.Removed, Kept: a.Kept,
			Registered: a.Registered, Reviewed: a.Reviewed, Median: "–", P90: "–"}
		if a.Reviewed > 0 {
			out.Median, out.P90 = report.Duration(lang, a.ReviewMedian), report.Duration(lang, a.ReviewP90)
		}
		return out
	}
	for _, a := range rep.Accounts {
		d.Rows = append(d.Rows, row(a))
	}
	d.Total = row(rep.Total)
	d.Total.Name = wd["total"]

	// Bars of flagged comments by category.
	top := float64(report.NiceCeil(rep.MaxCategory()))
	barMax := barChartW - barLabelW - 50
	for i, c := range rep.Categories {
		y := float64(i) * (barH + barGap)
		w := max(barMax*float64(c.Count)/top, 2)
		d.Bars = append(d.Bars, reportBar{Label: report.Category(lang, c.Category), Count: c.Count,
			Y: y, W: w, TextX: barLabelW + w + 6, LabelY: y + barH*0.7, Width: w, Height: barH})
	}
	d.BarsHeight = float64(len(rep.Categories))*(barH+barGap) + 20
	for _, v := range []float64{0, top / 2, top} {
		if v != float64(int(v)) {
			continue
		}
		d.BarAxis = append(d.BarAxis, reportTick{X: barLabelW + barMax*v/top, Y: d.BarsHeight - 4, Label: strconv.Itoa(int(v))})
	}

	// Lines of comments seen and flagged per day.
	dtop := float64(report.NiceCeil(rep.MaxDay()))
	n := len(rep.Days)
	xAt := func(i int) float64 {
		if n <= 1 {
			return lineLeft
		}
		return lineLeft + (lineChartW-lineLeft-10)*float64(i)/float64(n-1)
	}
	yAt := func(v float64) float64 { return lineBottom - (lineBottom-lineTop)*v/dtop }
	var seen, flagged []string
	for i, day := range rep.Days {
		if !day.Future {
			seen = append(seen, fmt.Sprintf("%.1f,%.1f", xAt(i), yAt(float64(day.Seen))))
			flagged = append(flagged, fmt.Sprintf("%.1f,%.1f", xAt(i), yAt(float64(day.Flagged))))
		}
		if dd := day.Date.In(rep.Location).Day(); dd == 1 || dd%5 == 0 || i == n-1 {
			d.Days = append(d.Days, reportTick{X: xAt(i), Y: lineBottom + 16, Label: strconv.Itoa(dd)})
		}
	}
	d.Seen, d.Flagged = strings.Join(seen, " "), strings.Join(flagged, " ")
	for _, v := range []float64{0, dtop / 2, dtop} {
		if v != float64(int(v)) {
			continue
		}
		d.Grid = append(d.Grid, reportTick{X: lineLeft - 6, Y: yAt(v), Label: strconv.Itoa(int(v))})
	}

	// The answer clock.
	c := rep.Clock
	d.Clock = c.Known && (c.Total.Asked > 0 || c.Total.OpenOverdue > 0)
	clockRow := func(name string, a report.ClockRow) reportClockRow {
		out := reportClockRow{W: wd, Name: name, None: a.Asked == 0 && a.OpenOverdue == 0, Asked: a.Asked, InTime: a.AnsweredInTime,
			Late: a.AnsweredLate, Overdue: a.OpenOverdue, InTimePc: a.InTime(), Median: "–", P90: "–"}
		if a.HasTimes {
			out.Median, out.P90 = report.Hours(lang, a.MedianHours), report.Hours(lang, a.P90Hours)
		}
		return out
	}
	for _, a := range c.Rows {
		d.ClockRows = append(d.ClockRows, clockRow(a.Name, a))
	}
	d.ClockTotal = clockRow(wd["total"], c.Total)
	d.ClockTotal.Total = true

	d.InactiveText = fmt.Sprintf(wd["inactive_intro"], rep.InactiveDays)
	if len(rep.Inactive) == 0 {
		d.InactiveText = fmt.Sprintf(wd["no_inactive"], rep.InactiveDays)
	}
	for _, a := range rep.Inactive {
		when := rep.Date(a.At)
		if when == "" {
			when = wd["no_post"]
		}
		d.Inactive = append(d.Inactive, reportNote{Name: a.Name, When: when})
	}
	for _, a := range rep.Disconnected {
		when := rep.Date(a.At)
		if when == "" {
			when = wd["unknown"]
		}
		d.Disconnected = append(d.Disconnected, reportNote{Name: a.Name, When: when})
	}
	return d
}
