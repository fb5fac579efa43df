package poller

import (
	"math/rand/v2"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Hours is a polling schedule: a short interval during office hours on
// working days, a longer one outside them, and crisis mode overriding both
// while it lasts.
type Hours struct {
	Start, End time.Duration // office hours as offsets from local midnight
	Location   *time.Location
	Interval   time.Duration // in office hours
	OffHours   time.Duration // outside office hours
	Jitter     time.Duration // up to this much is added at random
	// DayOff reports public holidays; weekends are always days off.
	DayOff func(day time.Time) bool
}

// InOffice reports whether t falls in office hours on a working day.
func (h Hours) InOffice(t time.Time) bool {
	loc := h.Location
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	if wd := lt.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if h.DayOff != nil && h.DayOff(lt) {
		return false
	}
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	off := lt.Sub(midnight)
	return off >= h.Start && off < h.End
}

// Next is how long to wait after a poll at now.
func (h Hours) Next(s moderation.Schedule, now time.Time) time.Duration {
	var d time.Duration
	switch {
	case !s.CrisisUntil.IsZero() && now.Before(s.CrisisUntil) && s.CrisisEvery > 0:
		return s.CrisisEvery // a crisis is not spread out
	case h.InOffice(now):
		d = h.Interval
	default:
		d = h.OffHours
		// Do not sleep through the start of the next office hours.
		if d > h.Interval {
			for step := h.Interval; step < d; step += h.Interval {
				if h.InOffice(now.Add(step)) {
					d = step
					break
				}
			}
		}
	}
	if h.Jitter > 0 {
		d += rand.N(h.Jitter)
	}
	return d
}
