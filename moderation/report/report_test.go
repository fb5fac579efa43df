package report

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestWordsInEveryLanguage(t *testing.T) {
	for _, lang := range Languages() {
		for key := range texts["en"] {
			if texts[lang][key] == "" {
				t.Errorf("%s: key %q: got no words, want some", lang, key)
			}
		}
		if got, want := len(texts[lang]), len(texts["en"]); got != want {
			t.Errorf("%s: got %d keys, want %d (as en)", lang, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, got, want string }{
		{"month sv", MonthTitle("sv", nov), "november 2026"},
		{"month da", MonthTitle("da", nov.AddDate(0, -8, 0)), "marts 2026"},
		{"month en", MonthTitle("en", nov), "November 2026"},
		{"minutes", Duration("sv", 45*time.Minute), "45 min"},
		{"hours sv", Duration("sv", 90*time.Minute), "1 tim 30 min"},
		{"hours da", Duration("da", 48*time.Hour), "48 t"},
		{"hours en", Duration("en", 2*time.Hour+29*time.Second), "2 h"},
		{"working hours sv", Hours("sv", 12.25), "12,2"},
		{"working hours en", Hours("en", 3), "3.0"},
		{"category in words", Category("da", moderation.CatPersonalID), "CPR-nummer"},
		{"unknown language is Swedish", Text("fi", "title"), "Månadsrapport"},
		{"scale of 0", fmt.Sprint(NiceCeil(0)), "1"},
		{"scale of 7", fmt.Sprint(NiceCeil(7)), "8"},
		{"scale of 21", fmt.Sprint(NiceCeil(21)), "25"},
		{"scale of 412", fmt.Sprint(NiceCeil(412)), "500"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestMonth(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		got      time.Time
		wantFrom time.Time
	}{
		{"parsed", must(ParseMonth("2026-11", loc)), time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"previous of the 1st of December at 00:30 local", PreviousMonth(time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), loc), time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"previous of January", PreviousMonth(time.Date(2027, 1, 4, 9, 0, 0, 0, loc), loc), time.Date(2026, 12, 1, 0, 0, 0, 0, loc)},
	} {
		from, to := Month(tc.got, loc)
		if !from.Equal(tc.wantFrom) || !to.Equal(tc.wantFrom.AddDate(0, 1, 0)) {
			t.Errorf("%s: got %v to %v, want %v to a month later", tc.name, from, to, tc.wantFrom)
		}
	}
	r := Build(Input{Month: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), MadeAt: time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC)})
	var future []int
	for _, d := range r.Days {
		if d.Future {
			future = append(future, d.Date.Day())
		}
	}
	if len(future) != 24 || future[0] != 7 {
		t.Errorf("a report made on 6 November: got the future days %v, want 7 to 30", future)
	}
	if _, err := ParseMonth("november", loc); err == nil {
		t.Errorf("ParseMonth(november): got no error, want one")
	}
}

func must(t time.Time, err error) time.Time {
	if err != nil {
		panic(err)
	}
	return t
}

func TestBuild(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	days := func(at map[int]int) []int {
		d := make([]int, 30)
		for i, n := range at {
			d[i] = n
		}
		return d
	}
	activity := []moderation.AccountActivity{
		{Account: moderation.Account{Key: "fb", Name: "Kommunen", Platform: moderation.Facebook},
			Seen: 10, Flagged: 3, Removed: 2, Kept: 1, Registered: 2,
			FlaggedBy:   map[string]int{moderation.CatProfanity: 2, moderation.CatPersonalID: 1, "local_rule": 1},
			ReviewTimes: []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute},
			SeenPerDay:  days(map[int]int{0: 4, 29: 6}), FlaggedPerDay: days(map[int]int{0: 3}),
			LastOwnPost: nov.AddDate(0, 0, 20)},
		{Account: moderation.Account{Key: "ig", Platform: moderation.Instagram},
			Seen: 1, ReviewTimes: []time.Duration{time.Hour},
			SeenPerDay: days(map[int]int{29: 1}), FlaggedPerDay: days(nil),
			LastOwnPost: nov.AddDate(0, 0, 10), Disconnected: true},
	}
	for _, tc := range []struct {
		name      string
		clock     []AnswerClock
		wantClock Clock
	}{
		{"the clock gave nothing", nil, Clock{}},
		{"the clock measured one account", []AnswerClock{{AccountKey: "fb", Asked: 4, AnsweredInTime: 2, AnsweredLate: 1, OpenOverdue: 1, MedianHours: 5, P90Hours: 40}},
			Clock{Known: true, Rows: []ClockRow{
				{AccountKey: "fb", Name: "Kommunen", AnswerClock: AnswerClock{AccountKey: "fb", Asked: 4, AnsweredInTime: 2, AnsweredLate: 1, OpenOverdue: 1, MedianHours: 5, P90Hours: 40}, HasTimes: true},
				{AccountKey: "ig", Name: "ig", AnswerClock: AnswerClock{AccountKey: "ig"}},
			}, Total: ClockRow{AnswerClock: AnswerClock{Asked: 4, AnsweredInTime: 2, AnsweredLate: 1, OpenOverdue: 1, MedianHours: 5, P90Hours: 40}, HasTimes: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(Input{Language: "sv", Month: nov.AddDate(0, 0, 12), Activity: activity, Clock: tc.clock})
			for _, c := range []struct {
				what      string
				got, want any
			}{
				{"period", []time.Time{r.From, r.To}, []time.Time{nov, nov.AddDate(0, 1, 0)}},
				{"days", len(r.Days), 30},
				{"total", r.Total, Row{Seen: 11, Flagged: 3, Removed: 2, Kept: 1, Registered: 2, Reviewed: 5, ReviewMedian: 3 * time.Minute, ReviewP90: time.Hour}},
				{"account median (nearest rank)", []time.Duration{r.Accounts[0].ReviewMedian, r.Accounts[0].ReviewP90}, []time.Duration{2 * time.Minute, 4 * time.Minute}},
				{"unnamed account by key", r.Accounts[1].Name, "ig"},
				{"categories in the guideline's order, own after", r.Categories, []CategoryCount{{moderation.CatPersonalID, 1}, {moderation.CatProfanity, 2}, {"local_rule", 1}}},
				{"first day", r.Days[0], Day{Date: nov, Seen: 4, Flagged: 3}},
				{"no day in the future of a report made after the month", r.Days[29].Future, false},
				{"last day", r.Days[29].Seen, 7},
				{"inactive: no own post after 16 November", r.Inactive, []AccountNote{{AccountKey: "ig", Name: "ig", At: nov.AddDate(0, 0, 10)}}},
				{"disconnected", r.Disconnected, []AccountNote{{AccountKey: "ig", Name: "ig"}}},
				{"clock", r.Clock, tc.wantClock},
				{"scales", []int{r.MaxDay(), r.MaxCategory()}, []int{7, 2}},
			} {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("%s: got %+v, want %+v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestAnswerClockInTime(t *testing.T) {
	tests := []struct {
		name string
		c    AnswerClock
		want int
	}{
		{"nothing known", AnswerClock{Asked: 3}, 0},
		{"all answered in time", AnswerClock{Asked: 2, AnsweredInTime: 2}, 100},
		{"overdue ones count against the share", AnswerClock{Asked: 22, AnsweredInTime: 2, OpenOverdue: 20}, 9},
		{"late ones too", AnswerClock{Asked: 4, AnsweredInTime: 2, AnsweredLate: 1, OpenOverdue: 1}, 50},
		{"only overdue", AnswerClock{Asked: 5, OpenOverdue: 5}, 0},
	}
	for _, tt := range tests {
		if got := tt.c.InTime(); got != tt.want {
			t.Errorf("%s: got %d %%, want %d %%", tt.name, got, tt.want)
		}
	}
}
