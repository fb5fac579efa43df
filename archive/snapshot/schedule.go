package snapshot

import (
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Schedule says when the yearly snapshot of the year before is taken: on
// Month/Day in Location, 15 January by default.
type Schedule struct {
	Month    time.Month
	Day      int
	Location *time.Location
}

func (s Schedule) withDefaults() Schedule {
	if s.Month < time.January || s.Month > time.December {
		s.Month = time.January
	}
	if s.Day <= 0 {
		s.Day = 15
	}
	if s.Location == nil {
		s.Location = time.UTC
	}
	return s
}

// Year is the period of a calendar year in loc: [1 January, 1 January of
// the next year).
func Year(year int, loc *time.Location) (from, to time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	from = time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(1, 0, 0)
}

// Due returns the year whose yearly snapshot is due at now, given the
// account's snapshots so far: the year before now's, once the scheduled day
// of this year has come, unless a yearly snapshot of it exists.
func (s Schedule) Due(now time.Time, taken []moderation.SnapshotRecord) (year int, due bool) {
	s = s.withDefaults()
	local := now.In(s.Location)
	day := time.Date(local.Year(), s.Month, s.Day, 0, 0, 0, 0, s.Location)
	if local.Before(day) {
		return 0, false
	}
	year = local.Year() - 1
	from, to := Year(year, s.Location)
	for _, r := range taken {
		if r.Kind == moderation.SnapshotYearly && !r.From.After(from) && !r.To.Before(to) {
			return year, false
		}
	}
	return year, true
}

// Next returns the next scheduled day after now.
func (s Schedule) Next(now time.Time) time.Time {
	s = s.withDefaults()
	local := now.In(s.Location)
	day := time.Date(local.Year(), s.Month, s.Day, 0, 0, 0, 0, s.Location)
	if !day.After(now) {
		day = time.Date(local.Year()+1, s.Month, s.Day, 0, 0, 0, 0, s.Location)
	}
	return day
}
