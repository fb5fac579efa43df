package calendar

import (
	"fmt"
	"time"
)

// Holiday is one public holiday or de facto day off.
type Holiday struct {
	Date time.Time // midnight UTC of the day
	Name string    // in the country's language, e.g. "långfredag"
}

// Country is the country whose holidays apply: "se" or "dk".
type Country string

// The countries uppsikt knows.
const (
	Sweden  Country = "se"
	Denmark Country = "dk"
)

// Calendar answers whether a day is a day off in one country. It holds no
// mutable state and is safe for concurrent use; a year's holidays are
// computed on each call, which costs a few hundred nanoseconds.
type Calendar struct {
	country Country
}

// New returns the calendar of a country, or an error for an unknown one.
func New(country string) (*Calendar, error) {
	switch Country(country) {
	case Sweden, Denmark:
		return &Calendar{country: Country(country)}, nil
	}
	return nil, fmt.Errorf("calendar: unknown country %q (want se or dk)", country)
}

// Holidays returns the country's public holidays and de facto days off in a
// year, in date order.
func (c *Calendar) Holidays(year int) []Holiday {
	if c.country == Denmark {
		return danish(year)
	}
	return swedish(year)
}

// IsHoliday reports whether the calendar day of t (in t's own location) is a
// public holiday or de facto day off. Weekends are not holidays as such.
func (c *Calendar) IsHoliday(t time.Time) (string, bool) {
	day := date(t.Year(), t.Month(), t.Day())
	for _, h := range c.Holidays(t.Year()) {
		if h.Date.Equal(day) {
			return h.Name, true
		}
	}
	return "", false
}

// DayOff reports whether t falls on a weekend or a holiday; it fits
// poller.Hours.DayOff.
func (c *Calendar) DayOff(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	_, ok := c.IsHoliday(t)
	return ok
}

// Easter returns Easter Sunday of a year in the Gregorian calendar
// (the anonymous Gregorian algorithm, Meeus/Jones/Butcher).
func Easter(year int) time.Time {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(year, time.Month(month), day)
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// firstWeekdayFrom returns the first day on or after from that is wd.
func firstWeekdayFrom(from time.Time, wd time.Weekday) time.Time {
	return from.AddDate(0, 0, (int(wd)-int(from.Weekday())+7)%7)
}

func swedish(year int) []Holiday {
	e := Easter(year)
	midsommarafton := firstWeekdayFrom(date(year, time.June, 19), time.Friday)
	allaHelgon := firstWeekdayFrom(date(year, time.October, 31), time.Saturday)
	hs := []Holiday{
		{date(year, time.January, 1), "nyårsdagen"},
		{date(year, time.January, 6), "trettondedag jul"},
		{e.AddDate(0, 0, -2), "långfredagen"},
		{e, "påskdagen"},
		{e.AddDate(0, 0, 1), "annandag påsk"},
		{date(year, time.May, 1), "första maj"},
		{e.AddDate(0, 0, 39), "Kristi himmelsfärds dag"},
		{e.AddDate(0, 0, 49), "pingstdagen"},
		{date(year, time.June, 6), "Sveriges nationaldag"},
		{midsommarafton, "midsommarafton"},
		{midsommarafton.AddDate(0, 0, 1), "midsommardagen"},
		{allaHelgon, "alla helgons dag"},
		{date(year, time.December, 24), "julafton"},
		{date(year, time.December, 25), "juldagen"},
		{date(year, time.December, 26), "annandag jul"},
		{date(year, time.December, 31), "nyårsafton"},
	}
	sortHolidays(hs) // Kristi himmelsfärd and pingst move around 6 June
	return hs
}

func danish(year int) []Holiday {
	e := Easter(year)
	hs := []Holiday{
		{date(year, time.January, 1), "nytårsdag"},
		{e.AddDate(0, 0, -3), "skærtorsdag"},
		{e.AddDate(0, 0, -2), "langfredag"},
		{e, "påskedag"},
		{e.AddDate(0, 0, 1), "2. påskedag"},
	}
	if year < 2024 {
		hs = append(hs, Holiday{e.AddDate(0, 0, 26), "store bededag"})
	}
	hs = append(hs,
		Holiday{e.AddDate(0, 0, 39), "Kristi himmelfartsdag"},
		Holiday{e.AddDate(0, 0, 49), "pinsedag"},
		Holiday{e.AddDate(0, 0, 50), "2. pinsedag"},
		Holiday{date(year, time.June, 5), "grundlovsdag"},
		Holiday{date(year, time.December, 24), "juleaftensdag"},
		Holiday{date(year, time.December, 25), "juledag"},
		Holiday{date(year, time.December, 26), "2. juledag"},
	)
	// Pentecost can fall after grundlovsdag; keep date order.
	sortHolidays(hs)
	return hs
}

func sortHolidays(hs []Holiday) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].Date.Before(hs[j-1].Date); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}
