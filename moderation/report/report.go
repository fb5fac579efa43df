package report

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// DefaultInactiveDays is how many days without a post of its own make an
// account inactive: the guideline's "Det är viktigt att vi inte har inaktiva
// konton".
const DefaultInactiveDays = 14

// AnswerClock is what the answer clock measured for one account in the
// month: questions asked in it, answered within the service guarantee (36
// working hours), answered later, still open and overdue at the month's
// end, and the median and 90th percentile answer time in working hours
// (meaningful only when something was answered).
type AnswerClock struct {
	AccountKey     string
	Asked          int
	AnsweredInTime int
	AnsweredLate   int
	OpenOverdue    int
	MedianHours    float64
	P90Hours       float64
}

// Answered is the number of questions answered, in time or late.
func (c AnswerClock) Answered() int { return c.AnsweredInTime + c.AnsweredLate }

// Input is what a monthly report is made of.
type Input struct {
	Municipality string
	Language     string         // sv, da or en
	Location     *time.Location // the municipality's time zone (UTC when nil)
	Month        time.Time      // any time in the month, read in Location
	Activity     []moderation.AccountActivity
	// Clock is the answer clock's figures per account; nil when the clock
	// gave none (the report then says so, instead of showing zeros).
	Clock        []AnswerClock
	InactiveDays int // DefaultInactiveDays when 0
	MadeAt       time.Time
}

// Row is one account's figures, or the total.
type Row struct {
	AccountKey   string
	Name         string
	Platform     moderation.Platform
	Seen         int
	Flagged      int
	Removed      int
	Kept         int
	Registered   int
	Reviewed     int           // cases decided in the month
	ReviewMedian time.Duration // meaningful only when Reviewed > 0
	ReviewP90    time.Duration
}

// CategoryCount is how many comments were flagged for a category.
type CategoryCount struct {
	Category string
	Count    int
}

// Day is one day of the month: comments seen and flagged on it. Future is
// true for a day that had not begun when the report was made (a report of
// the current month): the charts draw no line over it.
type Day struct {
	Date    time.Time
	Seen    int
	Flagged int
	Future  bool `json:",omitempty"`
}

// ClockRow is one account's answer clock figures, or the total (whose
// median and 90th percentile are unknown: HasTimes is false).
type ClockRow struct {
	AccountKey string
	Name       string
	AnswerClock
	HasTimes bool
}

// Clock is the answer clock section. Known is false when the clock gave no
// figures at all; an account without questions has Asked 0.
type Clock struct {
	Known bool
	Rows  []ClockRow
	Total ClockRow
}

// AccountNote names an account and a time: the last post of an inactive
// account (zero: none stored), or when an account was disconnected (zero:
// unknown).
type AccountNote struct {
	AccountKey string
	Name       string
	At         time.Time
}

// Report is the monthly report.
type Report struct {
	Municipality string
	Language     string
	Location     *time.Location
	From, To     time.Time // the month, From included, To not
	MadeAt       time.Time
	Accounts     []Row
	Total        Row
	Categories   []CategoryCount // flagged per category, in the guideline's order, those with comments only
	Days         []Day
	Clock        Clock
	InactiveDays int
	Inactive     []AccountNote
	Disconnected []AccountNote
}

// Month returns the calendar month around t in loc: its first instant and
// the first instant of the next.
func Month(t time.Time, loc *time.Location) (from, to time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0)
}

// ParseMonth reads a month written as 2026-11 in loc.
func ParseMonth(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("report: month %q: want the form 2026-11", s)
	}
	return t, nil
}

// PreviousMonth is the month before the one now is in, in loc.
func PreviousMonth(now time.Time, loc *time.Location) time.Time {
	from, _ := Month(now, loc)
	return from.AddDate(0, -1, 0)
}

// Build makes the report of in.
func Build(in Input) Report {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	days := in.InactiveDays
	if days <= 0 {
		days = DefaultInactiveDays
	}
	r := Report{Municipality: in.Municipality, Language: in.Language, Location: loc, MadeAt: in.MadeAt, InactiveDays: days}
	r.From, r.To = Month(in.Month, loc)
	for d := r.From; d.Before(r.To); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		r.Days = append(r.Days, Day{Date: d, Future: !in.MadeAt.IsZero() && !d.Before(in.MadeAt)})
	}
	names := map[string]string{}
	byCat := map[string]int{}
	var allTimes []time.Duration
	r.Total = Row{}
	for _, a := range in.Activity {
		name := a.Account.Name
		if name == "" {
			name = a.Account.Key
		}
		names[a.Account.Key] = name
		row := Row{AccountKey: a.Account.Key, Name: name, Platform: a.Account.Platform,
			Seen: a.Seen, Flagged: a.Flagged, Removed: a.Removed, Kept: a.Kept, Registered: a.Registered}
		row.Reviewed, row.ReviewMedian, row.ReviewP90 = times(a.ReviewTimes)
		allTimes = append(allTimes, a.ReviewTimes...)
		r.Accounts = append(r.Accounts, row)
		r.Total.Seen += a.Seen
		r.Total.Flagged += a.Flagged
		r.Total.Removed += a.Removed
		r.Total.Kept += a.Kept
		r.Total.Registered += a.Registered
		for c, n := range a.FlaggedBy {
			byCat[c] += n
		}
		for i := range r.Days {
			if i < len(a.SeenPerDay) {
				r.Days[i].Seen += a.SeenPerDay[i]
			}
			if i < len(a.FlaggedPerDay) {
				r.Days[i].Flagged += a.FlaggedPerDay[i]
			}
		}
		if a.LastOwnPost.IsZero() || a.LastOwnPost.Before(r.To.AddDate(0, 0, -days)) {
			r.Inactive = append(r.Inactive, AccountNote{AccountKey: a.Account.Key, Name: name, At: a.LastOwnPost})
		}
		if a.Disconnected {
			r.Disconnected = append(r.Disconnected, AccountNote{AccountKey: a.Account.Key, Name: name, At: a.DisconnectedAt})
		}
	}
	slices.Sort(allTimes)
	r.Total.Reviewed, r.Total.ReviewMedian, r.Total.ReviewP90 = times(allTimes)
	known := map[string]bool{}
	for _, c := range moderation.Categories() {
		known[c] = true
		if byCat[c] > 0 {
			r.Categories = append(r.Categories, CategoryCount{Category: c, Count: byCat[c]})
		}
	}
	var other []string // categories of a municipality's own packs, after the guideline's
	for c := range byCat {
		if !known[c] && byCat[c] > 0 {
			other = append(other, c)
		}
	}
	slices.Sort(other)
	for _, c := range other {
		r.Categories = append(r.Categories, CategoryCount{Category: c, Count: byCat[c]})
	}
	r.Clock = clock(in.Clock, r.Accounts)
	return r
}

func clock(in []AnswerClock, accounts []Row) Clock {
	if in == nil {
		return Clock{}
	}
	c := Clock{Known: true}
	by := map[string]AnswerClock{}
	for _, a := range in {
		by[a.AccountKey] = a
	}
	var answered []ClockRow
	for _, a := range accounts {
		ac := by[a.AccountKey]
		ac.AccountKey = a.AccountKey
		row := ClockRow{AccountKey: a.AccountKey, Name: a.Name, AnswerClock: ac, HasTimes: ac.Answered() > 0}
		c.Rows = append(c.Rows, row)
		c.Total.Asked += ac.Asked
		c.Total.AnsweredInTime += ac.AnsweredInTime
		c.Total.AnsweredLate += ac.AnsweredLate
		c.Total.OpenOverdue += ac.OpenOverdue
		if row.HasTimes {
			answered = append(answered, row)
		}
	}
	// The total's median and percentile cannot be made from the accounts'
	// own; they are known only when one account answered everything.
	if len(answered) == 1 {
		c.Total.MedianHours, c.Total.P90Hours, c.Total.HasTimes = answered[0].MedianHours, answered[0].P90Hours, true
	}
	return c
}

// times returns how many review times there are, their median and their
// 90th percentile, by the nearest-rank method (the smallest time that at
// least half, or 90 %, of the times are no longer than). ts is sorted.
func times(ts []time.Duration) (int, time.Duration, time.Duration) {
	if len(ts) == 0 {
		return 0, 0, 0
	}
	return len(ts), rank(ts, 0.5), rank(ts, 0.9)
}

func rank(ts []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(ts)))) - 1
	return ts[max(0, min(i, len(ts)-1))]
}

// InTime is the share answered in time of the questions whose outcome is
// known — those answered, in time or late, and those still open past the
// guarantee — in per cent (0 when there are none), the same share as the
// web page's Questions page: 2 answered in time and 20 overdue is 9 %, not
// 100 %.
func (c AnswerClock) InTime() int {
	known := c.Answered() + c.OpenOverdue
	if known == 0 {
		return 0
	}
	return int(math.Round(100 * float64(c.AnsweredInTime) / float64(known)))
}

// MaxDay is the largest daily count of comments seen (at least 1), for the
// scale of the line chart.
func (r Report) MaxDay() int {
	m := 1
	for _, d := range r.Days {
		m = max(m, d.Seen, d.Flagged)
	}
	return m
}

// MaxCategory is the largest category count (at least 1), for the scale of
// the bar chart.
func (r Report) MaxCategory() int {
	m := 1
	for _, c := range r.Categories {
		m = max(m, c.Count)
	}
	return m
}

// NiceCeil is the smallest round number (1, 2, 3, 4, 5, 6, 8, 10, 15, 20,
// 25, 30, 40, 50, 60, 80, 100, 150, …) that is at least n: the top of a
// chart's scale.
func NiceCeil(n int) int {
	for _, m := range []int{1, 2, 3, 4, 5, 6, 8} {
		if m >= n {
			return m
		}
	}
	for step := 1; ; step *= 10 {
		for _, m := range []int{10, 15, 20, 25, 30, 40, 50, 60, 80} {
			if m*step >= n {
				return m * step
			}
		}
	}
}
