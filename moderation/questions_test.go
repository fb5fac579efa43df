package moderation

import (
	"testing"
	"time"
)

// elapsed counts every hour as working time, so that the statistics can be
// checked by plain arithmetic (bot/calendar's working time is tested there).
type elapsed struct{}

func (elapsed) Between(a, b time.Time) time.Duration       { return max(b.Sub(a), 0) }
func (elapsed) Add(t time.Time, d time.Duration) time.Time { return t.Add(d) }

func TestSummariseAnswers(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	answered := func(asked, after int) Question {
		return Question{AccountKey: "fb", AskedAt: h(asked), State: QuestionAnswered, ClosedAt: h(asked + after)}
	}
	list := []Question{
		answered(0, 2), answered(1, 10), answered(2, 40), answered(3, 5), answered(4, 30),
		{AccountKey: "fb", AskedAt: h(5), State: QuestionAnsweredElsewhere, ClosedAt: h(6)},
		{AccountKey: "fb", AskedAt: h(6), State: QuestionNotAQuestion, ClosedAt: h(7)},
		{AccountKey: "fb", AskedAt: h(7), State: QuestionGone},
		{AccountKey: "fb", AskedAt: h(8), State: QuestionOpen},   // 92 h at the end: overdue
		{AccountKey: "fb", AskedAt: h(90), State: QuestionOpen},  // 10 h: still in time
		{AccountKey: "ig", AskedAt: h(1), State: QuestionOpen},   // another account
		{AccountKey: "fb", AskedAt: h(200), State: QuestionOpen}, // after the period
		answered(-5, 1), // before the period
	}
	// AnswerStats reads the list from the store (tested with the store
	// in cmd/uppsikt); SummariseAnswers is its arithmetic.
	got := SummariseAnswers(list, elapsed{}, "fb", t0, h(100), h(100), 36*time.Hour)
	want := AnswerSummary{AccountKey: "fb", From: t0, To: h(100), Within: 36 * time.Hour,
		Asked: 8, Answered: 5, AnsweredElsewhere: 1, Open: 2, Overdue: 1, InTime: 4,
		// sorted 2, 5, 10, 30, 40: median the 3rd, 90th percentile the 5th
		Median: 10 * time.Hour, P90: 40 * time.Hour, Share: 4.0 / 6.0}
	if got != want {
		t.Errorf("AnswerStats:\n got %+v\nwant %+v", got, want)
	}
	if none := SummariseAnswers(list, elapsed{}, "nobody", t0, h(100), h(100), 36*time.Hour); none.Asked != 0 || none.Share != -1 || none.Median != 0 {
		t.Errorf("an account without questions: got %+v; want nothing, share -1", none)
	}
}

func TestNearestRank(t *testing.T) {
	for _, tt := range []struct {
		n    int
		p    float64
		want time.Duration
	}{{1, 0.5, 1}, {1, 0.9, 1}, {2, 0.5, 1}, {4, 0.5, 2}, {10, 0.9, 9}, {11, 0.9, 10}, {11, 0.5, 6}} {
		var sorted []time.Duration
		for i := 1; i <= tt.n; i++ {
			sorted = append(sorted, time.Duration(i))
		}
		if got := nearestRank(sorted, tt.p); got != tt.want {
			t.Errorf("nearestRank(1..%d, %v): got %d, want %d", tt.n, tt.p, got, tt.want)
		}
	}
}
