package calendar

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2008, "2008-03-23"}, {2019, "2019-04-21"}, {2024, "2024-03-31"}, {2025, "2025-04-20"},
		{2026, "2026-04-05"}, {2027, "2027-03-28"}, {2038, "2038-04-25"}, {2285, "2285-03-22"},
	}
	for _, tt := range tests {
		if got := Easter(tt.year).Format(time.DateOnly); got != tt.want {
			t.Errorf("Easter(%d): got %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestHolidays(t *testing.T) {
	tests := []struct {
		name    string
		country string
		day     string
		want    string // holiday name, empty for a normal day
	}{
		{"se 2024 långfredag", "se", "2024-03-29", "långfredagen"},
		{"se 2024 annandag påsk", "se", "2024-04-01", "annandag påsk"},
		{"se 2024 himmelsfärd", "se", "2024-05-09", "Kristi himmelsfärds dag"},
		{"se 2024 midsommarafton", "se", "2024-06-21", "midsommarafton"},
		{"se 2024 alla helgons dag", "se", "2024-11-02", "alla helgons dag"},
		{"se 2025 långfredag", "se", "2025-04-18", "långfredagen"},
		{"se 2025 annandag påsk", "se", "2025-04-21", "annandag påsk"},
		{"se 2025 himmelsfärd", "se", "2025-05-29", "Kristi himmelsfärds dag"},
		{"se 2025 pingst", "se", "2025-06-08", "pingstdagen"},
		{"se 2025 midsommarafton", "se", "2025-06-20", "midsommarafton"},
		{"se 2025 midsommardagen", "se", "2025-06-21", "midsommardagen"},
		{"se 2025 alla helgons dag", "se", "2025-11-01", "alla helgons dag"},
		{"se 2026 långfredag", "se", "2026-04-03", "långfredagen"},
		{"se 2026 annandag påsk", "se", "2026-04-06", "annandag påsk"},
		{"se 2026 himmelsfärd", "se", "2026-05-14", "Kristi himmelsfärds dag"},
		{"se 2026 midsommarafton", "se", "2026-06-19", "midsommarafton"},
		{"se 2026 alla helgons dag on 31 October", "se", "2026-10-31", "alla helgons dag"},
		{"se 2026 nationaldag", "se", "2026-06-06", "Sveriges nationaldag"},
		{"se julafton", "se", "2026-12-24", "julafton"},
		{"se nyårsafton", "se", "2026-12-31", "nyårsafton"},
		{"se trettondedag", "se", "2027-01-06", "trettondedag jul"},
		{"se not a holiday: skärtorsdag", "se", "2026-04-02", ""},
		{"se not a holiday: grundlovsdag", "se", "2026-06-05", ""},
		{"se not a holiday: 2. pingstdag", "se", "2026-05-25", ""},
		{"dk 2023 store bededag", "dk", "2023-05-05", "store bededag"},
		{"dk 2024 store bededag abolished", "dk", "2024-04-26", ""},
		{"dk 2026 skærtorsdag", "dk", "2026-04-02", "skærtorsdag"},
		{"dk 2026 langfredag", "dk", "2026-04-03", "langfredag"},
		{"dk 2026 2. påskedag", "dk", "2026-04-06", "2. påskedag"},
		{"dk 2026 himmelfart", "dk", "2026-05-14", "Kristi himmelfartsdag"},
		{"dk 2026 2. pinsedag", "dk", "2026-05-25", "2. pinsedag"},
		{"dk grundlovsdag", "dk", "2026-06-05", "grundlovsdag"},
		{"dk juleaftensdag", "dk", "2026-12-24", "juleaftensdag"},
		{"dk 2. juledag", "dk", "2025-12-26", "2. juledag"},
		{"dk not a holiday: midsommer", "dk", "2026-06-19", ""},
		{"dk not a holiday: nytårsaften", "dk", "2026-12-31", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.country)
			if err != nil {
				t.Fatal(err)
			}
			day, err := time.Parse(time.DateOnly, tt.day)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := c.IsHoliday(day)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHolidaysSortedAndRules(t *testing.T) {
	for _, country := range []string{"se", "dk"} {
		c, _ := New(country)
		for year := 1990; year <= 2100; year++ {
			hs := c.Holidays(year)
			for i := 1; i < len(hs); i++ {
				if hs[i-1].Date.After(hs[i].Date) { // two on one day happens (2008: 1 May)
					t.Fatalf("%s %d: %s (%s) after %s (%s)", country, year, hs[i-1].Name, hs[i-1].Date.Format(time.DateOnly), hs[i].Name, hs[i].Date.Format(time.DateOnly))
				}
			}
			for _, h := range hs {
				if h.Date.Year() != year {
					t.Errorf("%s %d: %s falls in %d", country, year, h.Name, h.Date.Year())
				}
				switch h.Name {
				case "midsommarafton":
					if h.Date.Weekday() != time.Friday || h.Date.Month() != time.June || h.Date.Day() < 19 || h.Date.Day() > 25 {
						t.Errorf("%d midsommarafton on %s", year, h.Date.Format("Mon 2006-01-02"))
					}
				case "alla helgons dag":
					if h.Date.Weekday() != time.Saturday || h.Date.Before(date(year, time.October, 31)) || h.Date.After(date(year, time.November, 6)) {
						t.Errorf("%d alla helgons dag on %s", year, h.Date.Format("Mon 2006-01-02"))
					}
				case "långfredagen", "langfredag":
					if h.Date.Weekday() != time.Friday {
						t.Errorf("%d %s on %s", year, h.Name, h.Date.Format("Mon"))
					}
				case "Kristi himmelsfärds dag", "Kristi himmelfartsdag", "skærtorsdag":
					if h.Date.Weekday() != time.Thursday {
						t.Errorf("%d %s on %s", year, h.Name, h.Date.Format("Mon"))
					}
				}
			}
		}
	}
}

func TestDayOff(t *testing.T) {
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := New("se")
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"an ordinary Monday", time.Date(2026, 11, 23, 9, 0, 0, 0, sto), false},
		{"a Saturday", time.Date(2026, 11, 28, 9, 0, 0, 0, sto), true},
		{"långfredag late evening local time", time.Date(2026, 4, 3, 23, 30, 0, 0, sto), true},
		{"the Thursday before, late evening", time.Date(2026, 4, 2, 23, 30, 0, 0, sto), false},
	}
	for _, tt := range tests {
		if got := c.DayOff(tt.at); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := New("no"); err == nil {
		t.Error("New(no): got nil error, want one")
	}
}
