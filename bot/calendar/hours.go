package calendar

import (
	"fmt"
	"time"
)

// OfficeHours is working time: office hours (a wall-clock span of the day)
// in a time zone, on the working days of a country's calendar — Monday to
// Friday unless the day is a public holiday or de facto day off. It holds
// no mutable state and is safe for concurrent use.
//
// The office hours are wall-clock times: 08:00–17:00 is nine hours on
// every working day, before and after a change to or from daylight saving
// time (the changes fall on Sundays, and at night). Office hours
// 00:00–24:00 count the whole of every working day, as it really is long.
type OfficeHours struct {
	cal        *Calendar
	loc        *time.Location
	start, end time.Duration // offsets of the wall clock from local midnight
}

// NewOfficeHours returns the working time of a calendar's working days
// between start and end (offsets from local midnight, e.g. 8h and 17h; end
// at most 24h) in loc.
func NewOfficeHours(cal *Calendar, loc *time.Location, start, end time.Duration) (*OfficeHours, error) {
	switch {
	case cal == nil || loc == nil:
		return nil, fmt.Errorf("office hours: a calendar and a time zone are needed")
	case start < 0 || end > 24*time.Hour || start >= end:
		return nil, fmt.Errorf("office hours %s-%s: the end must be after the start, within the day", start, end)
	}
	return &OfficeHours{cal: cal, loc: loc, start: start, end: end}, nil
}

// Location is the time zone of the office hours.
func (h *OfficeHours) Location() *time.Location { return h.loc }

// days answers whether days are working days, computing each year's
// holidays once for a whole Between or Add.
type days struct {
	cal      *Calendar
	year     int
	holidays []Holiday
}

func (d *days) off(day time.Time) bool {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	if d.holidays == nil || d.year != day.Year() {
		d.year, d.holidays = day.Year(), d.cal.Holidays(day.Year())
	}
	for _, h := range d.holidays {
		if h.Date.Equal(day) {
			return true
		}
	}
	return false
}

// span returns the office hours of the local day y-m-d (d may overflow
// the month, as time.Date allows), and whether that day is a working day.
func (h *OfficeHours) span(ds *days, y int, m time.Month, d int) (from, to time.Time, ok bool) {
	// time.Date normalises the minutes in wall-clock terms, so 480 minutes
	// is 08:00 even on a day of 23 or 25 hours.
	from = time.Date(y, m, d, 0, int(h.start/time.Minute), 0, 0, h.loc)
	to = time.Date(y, m, d, 0, int(h.end/time.Minute), 0, 0, h.loc)
	return from, to, !ds.off(date(y, m, d))
}

// Working reports whether t falls in office hours on a working day.
func (h *OfficeHours) Working(t time.Time) bool {
	lt := t.In(h.loc)
	from, to, ok := h.span(&days{cal: h.cal}, lt.Year(), lt.Month(), lt.Day())
	return ok && !t.Before(from) && t.Before(to)
}

// Between returns the working time from a to b: the part of [a, b) that
// falls in office hours on working days. It is zero when b is not after a.
func (h *OfficeHours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var sum time.Duration
	ds := &days{cal: h.cal}
	la := a.In(h.loc)
	y, m, d := la.Date()
	for i := 0; ; i++ {
		from, to, ok := h.span(ds, y, m, d+i)
		if !from.Before(b) {
			return sum
		}
		if !ok {
			continue
		}
		if from.Before(a) {
			from = a
		}
		if to.After(b) {
			to = b
		}
		if to.After(from) {
			sum += to.Sub(from)
		}
	}
}

// Add returns the earliest instant at which d of working time has passed
// since t: Between(t, Add(t, d)) == d. A question asked on a Saturday with
// d of 1h is due at 09:00 on Monday (office hours from 08:00); d of a whole
// working day ends at the day's closing time, not the next morning. Add
// returns t itself for d of zero or less.
func (h *OfficeHours) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	ds := &days{cal: h.cal}
	lt := t.In(h.loc)
	y, m, day := lt.Date()
	for i := 0; ; i++ {
		from, to, ok := h.span(ds, y, m, day+i)
		if !ok || !to.After(t) {
			continue
		}
		if from.Before(t) {
			from = t
		}
		if avail := to.Sub(from); avail >= d {
			return from.Add(d)
		} else {
			d -= avail
		}
	}
}
