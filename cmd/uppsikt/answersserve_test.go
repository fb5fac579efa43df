package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
)

const serveAnswersScenario = `name: Omstartsby kommun
language: sv
seed: 5
days: 40
accounts:
  - {key: fb, platform: facebook, id: "1094850000000401", name: Omstartsby kommun, token: EMU-restart-1, posts: 2, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts: ["Biblioteket har nya öppettider.", "Simhallen är stängd i veckan."]
comments: ["Tack för informationen."]
`

// TestAnswerClockAcrossServeRestart runs "uppsikt serve" against the
// emulator over HTTP twice on the same database, in real time. Two
// questions were asked 14 days ago (past every reminder threshold in any
// fortnight, holidays included): the page answered one in its thread the
// next day, the other waits. The first run opens both, closes the first
// as answered, and reminds of the second once (both thresholds reached
// together: one reminder, both recorded). The second run, after a
// restart, sends no reminder again.
func TestAnswerClockAcrossServeRestart(t *testing.T) {
	sc, err := emulator.ParseScenario("restart", []byte(serveAnswersScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	// A round of the answer clock every second, each logged at debug level.
	cfgText, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfgText = append(cfgText, "answers: {check_every: 1s}\nlog: {level: debug}\n"...)
	if err := os.WriteFile(r.cfgPath, cfgText, 0o600); err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	var post emulator.StatePost
	for _, p := range r.emu.State("").Accounts[0].Posts {
		if p.Created.Before(now.Add(-15 * 24 * time.Hour)) {
			post = p
		}
	}
	if post.ID == "" {
		t.Fatalf("no post older than 15 days in the scenario")
	}
	waiting, err := r.emu.AddCommentAt(post.ID, "Karin Berg", "När öppnar badhuset igen?", now.Add(-14*24*time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	asked, err := r.emu.AddCommentAt(post.ID, "Olle Dahl", "Var kan man lämna grovsopor?", now.Add(-14*24*time.Hour+time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.emu.AddCommentAt(asked, "", "På återvinningscentralen.", now.Add(-13*24*time.Hour), true); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(r.dir, "uppsikt.db")
	// questions reads the questions from the database while serve runs.
	questions := func() map[string]moderation.Question {
		st, err := sqlite.Open(context.Background(), dbPath)
		if err != nil {
			return nil
		}
		defer st.Close()
		qs, err := st.Questions(context.Background(), moderation.QuestionFilter{})
		if err != nil {
			return nil
		}
		out := map[string]moderation.Question{}
		for _, q := range qs {
			if c, err := st.Comment(context.Background(), q.CommentID); err == nil {
				out[c.PlatformID] = q
			}
		}
		return out
	}
	serve := func(name string, until func(log string, qs map[string]moderation.Question) bool) (string, map[string]moderation.Question) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		env, _, logs := testEnv(r.env)
		done := make(chan int, 1)
		go func() { done <- run(ctx, env, []string{"serve", "-config", r.cfgPath}) }()
		var qs map[string]moderation.Question
		for deadline := time.Now().Add(90 * time.Second); ; {
			select {
			case code := <-done:
				t.Fatalf("%s: serve stopped with exit %d:\n%s", name, code, logs.String())
			case <-time.After(200 * time.Millisecond):
			}
			if qs = questions(); until(logs.String(), qs) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not there after 90 s; questions %+v\n%s", name, qs, logs.String())
			}
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s: exit %d after shutdown", name, code)
		}
		return logs.String(), qs
	}

	log1, qs := serve("first run", func(_ string, qs map[string]moderation.Question) bool {
		return len(qs[waiting].Reminders) == 2 && qs[asked].State == moderation.QuestionAnswered
	})
	if n := strings.Count(log1, "question reminder sent"); n != 1 {
		t.Errorf("first run: %d reminders sent, want 1 (both thresholds at once)\n%s", n, log1)
	}
	first := qs[waiting]
	if first.State != moderation.QuestionOpen || first.Reminders[0].Channel != "web" || !first.Reminders[0].SentAt.Equal(first.Reminders[1].SentAt) {
		t.Errorf("first run: the waiting question %+v, want open with two reminders recorded together for the web page", first)
	}
	// Between the runs the pipeline stored a new question (as if polled at
	// the last moment): the second run's first round opens it, and then
	// looks at the reminders, as every round after it.
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.RecordComment(context.Background(), moderation.CommentObservation{AccountKey: "facebook-0", PostID: post.ID, PlatformID: post.ID + "_late",
		Author: moderation.Author{ID: "10001", Name: "Anna Ek"}, Message: "Hur söker man bygglov?", CreatedAt: now.Add(-time.Hour), Source: moderation.SourcePoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveVerdict(context.Background(), moderation.StoredVerdict{CommentID: res.CommentID, Version: res.Version, Verdict: moderation.Verdict{Question: true}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// The second run is done after its first round (which opened the new
	// question) and two more.
	log2, qs := serve("second run", func(log string, _ map[string]moderation.Question) bool {
		_, after, ok := strings.Cut(log, "opened=1")
		return ok && strings.Count(after, "answer clock round") >= 3
	})
	if len(qs) != 3 {
		t.Errorf("second run: %d questions, want 3", len(qs))
	}
	if n := strings.Count(log2, "question reminder sent"); n != 0 {
		t.Errorf("second run: %d reminders sent again, want none\n%s", n, log2)
	}
	if got := qs[waiting].Reminders; len(got) != 2 || !got[0].SentAt.Equal(first.Reminders[0].SentAt) {
		t.Errorf("second run: reminders %+v, want the first run's two", got)
	}
}
