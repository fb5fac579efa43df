package calendar

import (
	"testing"
	"time"
)

func officeHours(t testing.TB, country, zone string, start, end time.Duration) *OfficeHours {
	t.Helper()
	cal, err := New(country)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewOfficeHours(cal, loc, start, end)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func local(t testing.TB, h *OfficeHours, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, h.Location())
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// The answers below are computed by hand from a 2026 wall calendar, with
// office hours 08:00–17:00 (nine working hours a day).
func TestOfficeHoursBetween(t *testing.T) {
	se := officeHours(t, "se", "Europe/Stockholm", 8*time.Hour, 17*time.Hour)
	dk := officeHours(t, "dk", "Europe/Copenhagen", 8*time.Hour, 17*time.Hour)
	tests := []struct {
		name     string
		h        *OfficeHours
		from, to string
		want     time.Duration
	}{
		{"same working day", se, "2026-03-02 09:00", "2026-03-02 15:00", 6 * time.Hour},
		{"answered before asked is zero", se, "2026-03-02 15:00", "2026-03-02 09:00", 0},
		{"a weekend counts nothing: Fri 15-17 and Mon 8-10", se, "2026-03-06 15:00", "2026-03-09 10:00", 4 * time.Hour},
		{"asked on a Saturday, the clock starts Monday 08:00", se, "2026-03-07 12:00", "2026-03-09 09:30", 90 * time.Minute},
		{"asked before office hours", se, "2026-03-02 06:00", "2026-03-02 08:30", 30 * time.Minute},
		{"asked in the evening, answered next morning", se, "2026-03-02 20:00", "2026-03-03 08:15", 15 * time.Minute},
		{"asked and answered in one night", se, "2026-03-02 18:00", "2026-03-02 23:00", 0},
		{"a whole working week", se, "2026-03-02 00:00", "2026-03-09 00:00", 45 * time.Hour},
		{"se Easter: skärtorsdag works, långfredag and annandag påsk do not", se, "2026-04-02 16:00", "2026-04-07 09:00", 2 * time.Hour},
		{"dk Easter: skærtorsdag is a day off too", dk, "2026-04-01 16:00", "2026-04-07 09:00", 2 * time.Hour},
		{"dk Easter Thursday is not counted", dk, "2026-04-02 09:00", "2026-04-02 12:00", 0},
		{"se Ascension Thursday off, the Friday after works", se, "2026-05-13 12:00", "2026-05-18 12:00", 18 * time.Hour},
		{"se Midsummer Eve is a day off", se, "2026-06-18 08:00", "2026-06-22 17:00", 18 * time.Hour},
		{"dk Midsummer Eve is a working day", dk, "2026-06-18 08:00", "2026-06-22 17:00", 27 * time.Hour},
		{"se All Saints' Eve (Friday 30 Oct) works, All Saints' Day is the Saturday", se, "2026-10-30 08:00", "2026-11-02 17:00", 18 * time.Hour},
		{"dk Constitution Day (Friday 5 June) is a day off", dk, "2026-06-04 12:00", "2026-06-08 12:00", 9 * time.Hour},
		{"se 5 June works, 6 June national day is a Saturday", se, "2026-06-04 12:00", "2026-06-08 12:00", 18 * time.Hour},
		{"se Christmas Eve and Christmas Day off", se, "2026-12-23 15:00", "2026-12-28 10:00", 4 * time.Hour},
		{"se New Year's Eve and Day off", se, "2026-12-30 16:00", "2027-01-04 08:30", 90 * time.Minute},
		{"dk New Year's Eve works", dk, "2026-12-30 16:00", "2027-01-04 08:30", 10*time.Hour + 30*time.Minute},
		{"se Epiphany off (Wednesday 6 Jan 2027)", se, "2027-01-05 12:00", "2027-01-07 12:00", 9 * time.Hour},
		{"DST starts (Sunday 29 March): Fri 16-17 and Mon 8-9", se, "2026-03-27 16:00", "2026-03-30 09:00", 2 * time.Hour},
		{"DST ends (Sunday 25 October): Fri 16-17 and Mon 8-9", se, "2026-10-23 16:00", "2026-10-26 09:00", 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Between(local(t, tt.h, tt.from), local(t, tt.h, tt.to)); got != tt.want {
				t.Errorf("Between(%s, %s): got %s, want %s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestOfficeHoursAdd(t *testing.T) {
	se := officeHours(t, "se", "Europe/Stockholm", 8*time.Hour, 17*time.Hour)
	dk := officeHours(t, "dk", "Europe/Copenhagen", 8*time.Hour, 17*time.Hour)
	tests := []struct {
		name string
		h    *OfficeHours
		from string
		d    time.Duration
		want string // local time
		utc  string // the same instant in UTC, to check the offset chosen
	}{
		{"zero is the instant itself", se, "2026-03-07 12:00", 0, "2026-03-07 12:00", "2026-03-07 11:00"},
		{"36 hours from Monday 10:00 is Friday 10:00", se, "2026-03-02 10:00", 36 * time.Hour, "2026-03-06 10:00", "2026-03-06 09:00"},
		{"36 hours from Friday evening is Thursday's closing time", se, "2026-03-06 18:00", 36 * time.Hour, "2026-03-12 17:00", "2026-03-12 16:00"},
		{"a day's work ends at closing time, not the next morning", se, "2026-03-02 08:00", 9 * time.Hour, "2026-03-02 17:00", "2026-03-02 16:00"},
		{"an hour from Saturday noon is Monday 09:00", se, "2026-03-07 12:00", time.Hour, "2026-03-09 09:00", "2026-03-09 08:00"},
		{"se 24 hours across Easter", se, "2026-04-01 12:00", 24 * time.Hour, "2026-04-08 09:00", "2026-04-08 07:00"},
		{"dk 24 hours across Easter", dk, "2026-04-01 12:00", 24 * time.Hour, "2026-04-09 09:00", "2026-04-09 07:00"},
		{"se 32 hours across Midsummer: Wed 5, Thu 9, Mon 9, Tue 9", se, "2026-06-17 12:00", 32 * time.Hour, "2026-06-23 17:00", "2026-06-23 15:00"},
		{"dk 9 hours across Constitution Day", dk, "2026-06-04 12:00", 9 * time.Hour, "2026-06-08 12:00", "2026-06-08 10:00"},
		{"across the start of DST the offset changes", se, "2026-03-27 16:00", 2 * time.Hour, "2026-03-30 09:00", "2026-03-30 07:00"},
		{"across the end of DST the offset changes", se, "2026-10-23 16:00", 2 * time.Hour, "2026-10-26 09:00", "2026-10-26 08:00"},
		{"se 36 hours across Christmas: Tue 5, Wed 9, Mon 9, Tue 9, Wed 4", se, "2026-12-22 12:00", 36 * time.Hour, "2026-12-30 12:00", "2026-12-30 11:00"},
		{"se 18 hours across New Year: Wed 1, Mon 9, Tue 8", se, "2026-12-30 16:00", 18 * time.Hour, "2027-01-05 16:00", "2027-01-05 15:00"},
		{"se 20 hours across New Year and Epiphany: Wed 1, Mon 9, Tue 9, Thu 1", se, "2026-12-30 16:00", 20 * time.Hour, "2027-01-07 09:00", "2027-01-07 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := local(t, tt.h, tt.from)
			got := tt.h.Add(from, tt.d)
			if s := got.In(tt.h.Location()).Format("2006-01-02 15:04"); s != tt.want {
				t.Errorf("Add(%s, %s): got %s, want %s", tt.from, tt.d, s, tt.want)
			}
			if s := got.UTC().Format("2006-01-02 15:04"); s != tt.utc {
				t.Errorf("Add(%s, %s) in UTC: got %s, want %s", tt.from, tt.d, s, tt.utc)
			}
			if back := tt.h.Between(from, got); back != tt.d {
				t.Errorf("Between(from, Add(from, %s)): got %s", tt.d, back)
			}
		})
	}
}

// Office hours of the whole day count a day of 23 or 25 hours as it is
// long, on the working days next to a change of clock... which are never
// the day of the change itself: the changes fall on Sundays.
func TestOfficeHoursWholeDay(t *testing.T) {
	h := officeHours(t, "se", "Europe/Stockholm", 0, 24*time.Hour)
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"a working week of whole days", "2026-03-23 00:00", "2026-03-30 00:00", 5 * 24 * time.Hour},
		{"Friday noon to Monday noon across DST", "2026-03-27 12:00", "2026-03-30 12:00", 24 * time.Hour},
		{"Good Friday to Easter Monday is all off", "2026-04-03 00:00", "2026-04-07 00:00", 0},
	}
	for _, tt := range tests {
		if got := h.Between(local(t, h, tt.from), local(t, h, tt.to)); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestOfficeHoursWorking(t *testing.T) {
	se := officeHours(t, "se", "Europe/Stockholm", 8*time.Hour, 17*time.Hour)
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-03-02 08:00", true}, {"2026-03-02 16:59", true}, {"2026-03-02 17:00", false},
		{"2026-03-02 07:59", false}, {"2026-03-07 10:00", false}, {"2026-06-19 10:00", false},
	}
	for _, tt := range tests {
		if got := se.Working(local(t, se, tt.at)); got != tt.want {
			t.Errorf("Working(%s): got %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestNewOfficeHoursRefuses(t *testing.T) {
	cal, _ := New("se")
	for _, tt := range []struct {
		name       string
		start, end time.Duration
	}{{"end before start", 17 * time.Hour, 8 * time.Hour}, {"empty", 8 * time.Hour, 8 * time.Hour}, {"past midnight", 8 * time.Hour, 25 * time.Hour}} {
		if _, err := NewOfficeHours(cal, time.UTC, tt.start, tt.end); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
}

// BenchmarkOfficeHoursBetween measures the answer time of a question that
// waited a month, the longest the statistics usually meet.
func BenchmarkOfficeHoursBetween(b *testing.B) {
	h := officeHours(b, "se", "Europe/Stockholm", 8*time.Hour, 17*time.Hour)
	from, to := local(b, h, "2026-12-01 10:00"), local(b, h, "2027-01-01 10:00")
	for b.Loop() {
		h.Between(from, to)
	}
}

// BenchmarkOfficeHoursAdd measures the due time of a question: 36 working
// hours.
func BenchmarkOfficeHoursAdd(b *testing.B) {
	h := officeHours(b, "se", "Europe/Stockholm", 8*time.Hour, 17*time.Hour)
	from := local(b, h, "2026-12-22 12:00")
	for b.Loop() {
		h.Add(from, 36*time.Hour)
	}
}
