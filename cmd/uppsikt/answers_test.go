package main

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/answers"
	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/report"
	uslack "github.com/uppsikt/uppsikt/moderation/slack"
)

const answersScenario = `name: Frågeby kommun
language: sv
seed: 11
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094850000000301", name: Frågeby kommun, token: EMU-answers-1, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts: ["Badhuset stänger för renovering."]
comments: ["Tack för informationen."]
`

// reminderPosts returns the Slack postings that are question reminders.
func reminderPosts(f *fakeSlack) []string {
	posts, _, _ := f.snapshot()
	var out []string
	for _, p := range posts {
		if strings.Contains(p.Get("text"), "working hours for an answer") {
			out = append(out, p.Get("channel")+" "+p.Get("text"))
		}
	}
	return out
}

// TestAnswerClockEndToEnd runs the answer clock as the service wires it
// (openAnswerClock, start) against the platform emulator over HTTP, with
// a clock that starts on Monday 2 March 2026 at 09:00 in Stockholm. Two
// citizens ask the page something; the page answers the first in its
// thread on Tuesday at 11:30, which the poller reads and the clock closes
// after 11½ working hours. The second is left open: on Wednesday at 15:30
// (24½ working hours) its owners get one reminder on Slack, which neither
// a second round nor a restart (the store reopened, the clock built anew)
// repeats; Thursday at 14:30 brings the 32-hour one.
func TestAnswerClockEndToEnd(t *testing.T) {
	sc, err := emulator.ParseScenario("answers", []byte(answersScenario))
	if err != nil {
		t.Fatal(err)
	}
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, sto).UTC()}
	r := newSupRigClock(t, sc, clock)
	cfg := r.config(t)
	ctx := context.Background()
	const key = "facebook-0"
	f := newFakeSlack(t)

	var (
		st    store
		sup   *supervision
		pipe  *pipeline.Pipeline
		clk   *answerClock
		start = func() {
			t.Helper()
			if st, err = openStore(ctx, cfg, discardLogger()); err != nil {
				t.Fatal(err)
			}
			if sup, err = openSupervision(ctx, cfg, st, discardLogger(), supervisionOptions{Sleep: clock.Sleep, Now: clock.Now}); err != nil {
				t.Fatal(err)
			}
			classifier, err := newClassifier(cfg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			pipe = pipeline.New(pipeline.Options{Store: st, Classifier: classifier, Now: clock.Now, Logger: discardLogger(),
				Evidence: &slowEvidence{perCom: map[int64]int{}, documents: map[int64][]time.Time{}}})
			if clk, err = openAnswerClock(cfg, st, sto); err != nil {
				t.Fatal(err)
			}
			n := uslack.New(uslack.Options{Client: slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL())),
				Store: st, Users: st, Language: "en", Channel: func(k string) string { return map[string]string{key: "C-ANSWERS"}[k] }})
			clk.start(cfg, st, n, sto, clock.Now, discardLogger())
		}
		// round is what the service does between two instants: poll, run
		// the pipeline, and a round of the answer clock.
		round = func() {
			t.Helper()
			if _, err := sup.poller.PollAccount(ctx, key, false); err != nil {
				t.Fatal(err)
			}
			if _, err := pipe.Drain(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := clk.loop.Round(ctx); err != nil {
				t.Fatalf("answer clock round: %v", err)
			}
		}
		at = func(day, hour, minute int) {
			clock.mu.Lock()
			clock.now = time.Date(2026, 3, day, hour, minute, 0, 0, sto).UTC()
			clock.mu.Unlock()
		}
	)
	start()
	postID := r.emu.State("").Accounts[0].Posts[0].ID
	answered, err := r.emu.AddComment(postID, "Karin Berg", "När öppnar badhuset igen?")
	if err != nil {
		t.Fatal(err)
	}
	left, err := r.emu.AddComment(postID, "Olle Dahl", "Hur söker man bygglov för en altan?")
	if err != nil {
		t.Fatal(err)
	}
	round()
	open, err := st.Questions(ctx, moderation.QuestionFilter{States: []string{moderation.QuestionOpen}})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 {
		t.Fatalf("open questions after the first poll: got %d, want 2", len(open))
	}
	for _, q := range open {
		if want := time.Date(2026, 3, 2, 9, 0, 0, 0, sto); !q.AskedAt.Equal(want) {
			t.Errorf("question %d asked at %s, want %s (the comment's time)", q.ID, q.AskedAt, want)
		}
	}

	// Tuesday 11:30: the page answers the first question in its thread.
	at(3, 11, 30)
	acct, err := st.Account(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	replyID, err := facebook.New(facebook.Options{Client: sup.client}).Reply(ctx, acct, answered, "Badhuset öppnar den 1 april.")
	if err != nil {
		t.Fatalf("the page's reply: %v", err)
	}
	round()
	comment, err := st.CommentByPlatformID(ctx, key, answered)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Questions(ctx, moderation.QuestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var q1, q2 moderation.Question
	for _, q := range all {
		if q.CommentID == comment.ID {
			q1 = q
		} else {
			q2 = q
		}
	}
	if q1.State != moderation.QuestionAnswered || q1.ReplyPlatformID != replyID {
		t.Fatalf("the answered question: got %s by %q, want answered by the page's reply %q", q1.State, q1.ReplyPlatformID, replyID)
	}
	if got, want := moderation.QuestionAge(q1, clk.workingTime(key), clock.Now()), 11*time.Hour+30*time.Minute; got != want {
		t.Errorf("answer time in working hours: got %s, want %s (Monday 09-17 and Tuesday 08-11:30)", got, want)
	}
	if q2.State != moderation.QuestionOpen {
		t.Fatalf("the other question: got %s, want open", q2.State)
	}
	if got := reminderPosts(f); len(got) != 0 {
		t.Fatalf("reminders before 24 working hours: got %v", got)
	}

	// Wednesday 14:59 is 23 h 59 min: no reminder yet. 15:30 is past 24 h.
	at(4, 14, 59)
	round()
	if got := reminderPosts(f); len(got) != 0 {
		t.Fatalf("reminders at 23:59 working hours: got %v", got)
	}
	at(4, 15, 30)
	round()
	round()
	got := reminderPosts(f)
	if len(got) != 1 {
		t.Fatalf("reminders at 24½ working hours after two rounds: got %d %v, want 1", len(got), got)
	}
	leftComment, err := st.CommentByPlatformID(ctx, key, left)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"C-ANSWERS ", "waited 24 working hours", "Frågeby kommun", "a, b", "due by 2026-03-06 09:00", "comment " + strconv.FormatInt(leftComment.ID, 10)} {
		if !strings.Contains(got[0], want) {
			t.Errorf("reminder: got %q, want it to contain %q", got[0], want)
		}
	}
	if strings.Contains(got[0], "bygglov") {
		t.Errorf("the reminder repeats the comment's text: %q", got[0])
	}

	// A restart: the store reopened, everything built anew.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	start()
	t.Cleanup(func() { st.Close() })
	round()
	if got := reminderPosts(f); len(got) != 1 {
		t.Errorf("reminders after a restart: got %d, want still 1", len(got))
	}
	// Thursday 14:30: 32½ working hours, the second reminder.
	at(5, 14, 30)
	round()
	round()
	if got := reminderPosts(f); len(got) != 2 || !strings.Contains(got[1], "waited 32 working hours") {
		t.Errorf("reminders after 32 working hours: got %v, want a second one at 32", got)
	}
	q2, err = st.Question(ctx, q2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(q2.Reminders) != 2 || q2.Reminders[0].Channel != "C-ANSWERS" || q2.Reminders[0].After != 24*time.Hour || q2.Reminders[1].After != 32*time.Hour {
		t.Errorf("recorded reminders: got %+v, want 24h and 32h to C-ANSWERS", q2.Reminders)
	}
	// What the monthly report reads: every account's statistics.
	stats, err := answerStatsByAccount(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := stats(ctx, clock.Now().Add(-30*24*time.Hour), clock.Now(), clock.Now())
	if err != nil || len(sums) != 1 || sums[0].AccountKey != key {
		t.Fatalf("answer statistics by account: got %+v, %v; want the one account's", sums, err)
	}
	sum := sums[0]
	if sum.Asked != 2 || sum.Answered != 1 || sum.Open != 1 || sum.InTime != 1 || sum.Median != 11*time.Hour+30*time.Minute || sum.Overdue != 0 || sum.Share != 1 {
		t.Errorf("answer statistics: got %+v, want 2 asked, 1 answered in 11h30m, 1 open not yet overdue, share 1", sum)
	}
	// The same figures in the monthly report's terms.
	clockFigures, err := reportAnswerClock(cfg, st)(ctx, clock.Now().Add(-30*24*time.Hour), clock.Now())
	if err != nil || len(clockFigures) != 1 {
		t.Fatalf("report's answer clock: got %+v, %v; want the one account's", clockFigures, err)
	}
	if got, want := clockFigures[0], (report.AnswerClock{AccountKey: key, Asked: 2, AnsweredInTime: 1, MedianHours: 11.5, P90Hours: 11.5}); got != want {
		t.Errorf("report's answer clock: got %+v, want %+v", got, want)
	}
	// What /metrics serves: one open question, overdue only once it has
	// waited more than 36 working hours (Friday 2026-03-06 09:00).
	for _, tt := range []struct {
		name          string
		at            time.Time
		open, overdue int
	}{
		{"32½ working hours", clock.Now(), 1, 0},
		{"exactly 36 working hours", time.Date(2026, 3, 6, 9, 0, 0, 0, sto), 1, 0},
		{"36½ working hours", time.Date(2026, 3, 6, 9, 30, 0, 0, sto), 1, 1},
	} {
		counts, err := questionCounts(cfg, st, clk.workingTime, func() time.Time { return tt.at })(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := counts[key]; got.Open != tt.open || got.Overdue != tt.overdue {
			t.Errorf("question metrics at %s: got %+v, want open %d overdue %d", tt.name, got, tt.open, tt.overdue)
		}
	}
}

// reminderNotifier records the reminders the loop delivers, failing while
// fail is set.
type reminderNotifier struct {
	got  []answers.Reminder
	fail bool
}

func (n *reminderNotifier) Remind(_ context.Context, r answers.Reminder) (string, error) {
	if n.fail {
		return "", errors.New("slack is down")
	}
	n.got = append(n.got, r)
	return "C1", nil
}

// TestAnswerLoopRounds drives the reminder loop's rounds with an injected
// clock on a real store: the instant it asks to be woken at is the next
// reminder due; a failed delivery records nothing and is retried; and
// thresholds reached together (the service was stopped over them) go out
// as one reminder naming the highest, both recorded.
func TestAnswerLoopRounds(t *testing.T) {
	ctx := context.Background()
	sto, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	local := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, sto) }
	now := local(2, 9, 0) // Monday
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Owners: []string{"anna"}}); err != nil {
		t.Fatal(err)
	}
	for i, asked := range []time.Time{local(2, 9, 0), local(2, 13, 0)} {
		res, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1_1", PlatformID: "q" + strconv.Itoa(i),
			Author: moderation.Author{ID: "9"}, Message: "Varför?", CreatedAt: asked, Source: moderation.SourcePoll, SeenAt: asked})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, Verdict: moderation.Verdict{Question: true}}); err != nil {
			t.Fatal(err)
		}
	}
	cal, _ := calendar.New("se")
	hours, err := calendar.NewOfficeHours(cal, sto, 8*time.Hour, 17*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	n := &reminderNotifier{}
	loop := answers.New(answers.Options{Store: st, Hours: func(string) moderation.WorkingTime { return hours }, Within: 36 * time.Hour,
		Reminders: []time.Duration{24 * time.Hour, 32 * time.Hour}, Notifier: n, Now: func() time.Time { return now }})
	steps := []struct {
		name     string
		at       time.Time
		fail     bool
		wantNext time.Time // the next reminder due
		wantSent []string  // comment platform id and threshold, all so far
		wantErr  bool
	}{
		// q0's 24 h: Mon 8 + Tue 9 + Wed 7 = Wed 15:00; q1's: Mon 4 + Tue 9 + Wed 9 + Thu 2 = Thu 10:00.
		{"Monday: nothing due, wake at q0's 24 h", local(2, 9, 0), false, local(4, 15, 0), nil, false},
		{"Wednesday 15:00, Slack down: nothing recorded", local(4, 15, 0), true, local(5, 10, 0), nil, true},
		{"Wednesday 15:01: q0 reminded at 24 h", local(4, 15, 1), false, local(5, 10, 0), []string{"q0 24h0m0s"}, false},
		// The service was stopped from Wednesday to Friday noon: q0 passed
		// 32 h on Thursday at 14:00, q1 passed 24 h on Thursday at 10:00
		// and 32 h (4 + 9 + 9 + 9 + 1) on Friday at 09:00.
		{"Friday noon: one reminder each, naming the highest", local(6, 12, 0), false, time.Time{}, []string{"q0 24h0m0s", "q0 32h0m0s", "q1 32h0m0s"}, false},
		{"Friday 12:05: nothing more", local(6, 12, 5), false, time.Time{}, []string{"q0 24h0m0s", "q0 32h0m0s", "q1 32h0m0s"}, false},
	}
	for _, s := range steps {
		now, n.fail = s.at, s.fail
		next, err := loop.Round(ctx)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: error %v, want error %v", s.name, err, s.wantErr)
		}
		if !next.Equal(s.wantNext) {
			t.Errorf("%s: next due %s, want %s", s.name, next.In(sto), s.wantNext.In(sto))
		}
		var sent []string
		for _, r := range n.got {
			c, err := st.Comment(ctx, r.Question.CommentID)
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, c.PlatformID+" "+r.After.String())
		}
		if !slices.Equal(sent, s.wantSent) {
			t.Errorf("%s: reminders %v, want %v", s.name, sent, s.wantSent)
		}
	}
	qs, err := st.Questions(ctx, moderation.QuestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !q.Reminded(24*time.Hour) || !q.Reminded(32*time.Hour) {
			t.Errorf("question %d: reminders recorded %+v, want 24h and 32h", q.ID, q.Reminders)
		}
	}
}
