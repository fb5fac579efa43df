package poller

import (
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/moderation"
)

func TestHours(t *testing.T) {
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	se, err := calendar.New("se")
	if err != nil {
		t.Fatal(err)
	}
	h := Hours{Start: 8 * time.Hour, End: 17 * time.Hour, Location: sto, Interval: 15 * time.Minute, OffHours: 2 * time.Hour, DayOff: se.DayOff}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, sto)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name  string
		now   time.Time
		sched moderation.Schedule
		want  time.Duration
	}{
		{"monday morning", at("2026-11-23 09:00"), moderation.Schedule{}, 15 * time.Minute},
		{"monday night", at("2026-11-23 22:00"), moderation.Schedule{}, 2 * time.Hour},
		{"saturday noon", at("2026-11-28 12:00"), moderation.Schedule{}, 2 * time.Hour},
		{"just before office hours wakes at eight", at("2026-11-24 07:20"), moderation.Schedule{}, 45 * time.Minute},
		{"crisis overrides the night", at("2026-11-23 22:00"), moderation.Schedule{CrisisUntil: at("2026-11-24 12:00"), CrisisEvery: time.Minute}, time.Minute},
		{"långfredag morning is a day off", at("2026-04-03 09:00"), moderation.Schedule{}, 2 * time.Hour},
		{"midsommarafton is a day off", at("2026-06-19 10:00"), moderation.Schedule{}, 2 * time.Hour},
		{"the evening before annandag påsk sleeps through it", at("2026-04-05 22:00"), moderation.Schedule{}, 2 * time.Hour},
		{"crisis on a holiday", at("2026-12-24 10:00"), moderation.Schedule{CrisisUntil: at("2026-12-25 12:00"), CrisisEvery: 2 * time.Minute}, 2 * time.Minute},
		{"crisis over", at("2026-11-25 22:00"), moderation.Schedule{CrisisUntil: at("2026-11-24 12:00"), CrisisEvery: time.Minute}, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Next(tt.sched, tt.now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
