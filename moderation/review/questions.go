package review

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Answers is the answer clock's part of the web page: the Questions page,
// with the open questions, their working-time age and due time, the
// manual marks, and each account's answer times.
type Answers struct {
	Store moderation.QuestionStore
	// Hours gives an account's working time; nil for an account not
	// configured.
	Hours     func(accountKey string) moderation.WorkingTime
	Within    time.Duration   // the service guarantee, in working time
	Reminders []time.Duration // the reminder thresholds
	// Period is how far back the statistics look (default 30 days).
	Period time.Duration
	// Marked is called after a question was marked (to wake the clock);
	// nil: nothing.
	Marked func()
}

type questionRow struct {
	moderation.Question
	AccountName string
	Author      string
	Message     string
	Age         string // working hours waited
	DueAt       time.Time
	Overdue     bool
	Reminded    []string // the thresholds reminded of, in working hours
	dueIn       time.Duration
}

type answerStatsRow struct {
	moderation.AnswerSummary
	AccountName string
	Median, P90 string // working hours, "—" when nothing was answered
	Share       string // percent, "—" when nothing can be measured
}

type questionsData struct {
	Accounts []moderation.Account
	Account  string
	Rows     []questionRow
	Overdue  int
	Stats    []answerStatsRow
	Within   string
	Days     int
	Marks    []string
	Message  string
}

// hoursText writes a working time in hours as the page shows it: "24 h",
// "7 h 30 min".
func hoursText(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return strconv.Itoa(h) + " h"
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// questions lists the open questions, overdue first, then by due time,
// with each account's answer statistics over the period.
func (s *Server) questions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := s.opts.Answers
	now := s.opts.Now()
	d := questionsData{Account: r.URL.Query().Get("account"), Within: hoursText(a.Within),
		Marks: []string{moderation.QuestionAnsweredElsewhere, moderation.QuestionNotAQuestion}}
	accounts, err := s.opts.Store.Accounts(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Accounts = accounts
	nameOf := names(accounts)
	open, err := a.Store.Questions(ctx, moderation.QuestionFilter{AccountKey: d.Account, States: []string{moderation.QuestionOpen}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, q := range open {
		wt := a.Hours(q.AccountKey)
		if wt == nil {
			continue
		}
		row := questionRow{Question: q, AccountName: cmp.Or(nameOf[q.AccountKey], q.AccountKey)}
		age := wt.Between(q.AskedAt, now)
		row.Age, row.DueAt = hoursText(age), wt.Add(q.AskedAt, a.Within)
		row.Overdue, row.dueIn = age > a.Within, row.DueAt.Sub(now)
		for _, rem := range q.Reminders {
			row.Reminded = append(row.Reminded, hoursText(rem.After))
		}
		c, err := s.opts.Store.Comment(ctx, q.CommentID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		row.Author = c.Author.Name
		var cats []string
		if v, err := s.opts.Store.LatestVerdict(ctx, q.CommentID); err == nil {
			cats = v.Verdict.Categories
		}
		if vs, err := s.opts.Store.CommentVersions(ctx, q.CommentID); err == nil && len(vs) > 0 {
			row.Message = s.protect(r, vs[len(vs)-1].Message, c.State, cats)
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		if row.Overdue {
			d.Overdue++
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortStableFunc(d.Rows, func(x, y questionRow) int {
		if x.Overdue != y.Overdue {
			if x.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.dueIn, y.dueIn)
	})
	period := cmp.Or(a.Period, 30*24*time.Hour)
	d.Days = int(period / (24 * time.Hour))
	for _, acct := range accounts {
		if d.Account != "" && acct.Key != d.Account {
			continue
		}
		wt := a.Hours(acct.Key)
		if wt == nil {
			continue
		}
		sum, err := moderation.AnswerStats(ctx, a.Store, wt, acct.Key, now.Add(-period), now, now, a.Within)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		row := answerStatsRow{AnswerSummary: sum, AccountName: cmp.Or(acct.Name, acct.Key), Median: "—", P90: "—", Share: "—"}
		if sum.Answered > 0 {
			row.Median, row.P90 = hoursText(sum.Median), hoursText(sum.P90)
		}
		if sum.Share >= 0 {
			row.Share = strconv.Itoa(int(sum.Share*100+0.5)) + " %"
		}
		d.Stats = append(d.Stats, row)
	}
	lang := s.lang(r, userFrom(ctx))
	d.Message = texts[lang]["done_"+r.URL.Query().Get("done")]
	s.render(w, r, "questions", "questions", 0, d)
}

// markQuestion marks an open question answered elsewhere or not a
// question (moderators and administrators), with a note; the store audits
// it with the mark.
func (s *Server) markQuestion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mark := r.PostFormValue("mark")
	if mark != moderation.QuestionAnsweredElsewhere && mark != moderation.QuestionNotAQuestion {
		s.errorPage(w, r, http.StatusBadRequest, "")
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len([]rune(note)) > 500 {
		note = string([]rune(note)[:500])
	}
	who := userFrom(ctx)
	q, err := s.opts.Answers.Store.MarkQuestion(ctx, id, mark, note, who.User.Name, s.opts.Now())
	if errors.Is(err, moderation.ErrQuestionClosed) {
		s.errorPage(w, r, http.StatusConflict, "question_closed")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.opts.Answers.Marked != nil {
		s.opts.Answers.Marked()
	}
	s.opts.Logger.Info("question marked", "question_id", q.ID, "comment_id", q.CommentID, "mark", mark, "by", who.User.Name)
	http.Redirect(w, r, "/questions?done="+mark, http.StatusSeeOther)
}
