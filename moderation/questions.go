package moderation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// The states of a question to the municipality (the answer clock).
const (
	// QuestionOpen: the clock runs.
	QuestionOpen = "open"
	// QuestionAnswered: the account itself commented in the question's
	// thread after it was asked (Question.Reply).
	QuestionAnswered = "answered"
	// QuestionAnsweredElsewhere: a moderator marked it answered in another
	// way (by mail, telephone, a new post). The answer time is unknown, so
	// it counts in no answer time and in no share.
	QuestionAnsweredElsewhere = "answered_elsewhere"
	// QuestionNotAQuestion: a moderator marked it as not a question; it
	// counts in no statistics at all.
	QuestionNotAQuestion = "not_a_question"
	// QuestionGone: the comment is hidden or deleted (by uppsikt, the
	// page or its author), so it is not a question to answer while it
	// stays so; it is open again when the comment is visible again.
	QuestionGone = "gone"
)

// The audit actions of the two manual marks; the subject is "question N"
// and the detail the comment id and the moderator's note.
const (
	AuditQuestionAnsweredElsewhere = "question.answered_elsewhere"
	AuditQuestionNotAQuestion      = "question.not_a_question"
)

// ErrQuestionClosed is returned (wrapped) when a question that is no
// longer open is marked.
var ErrQuestionClosed = errors.New("the question is no longer open")

// Question is a comment that asks the municipality something: its latest
// verdict says Question and the account did not write it. The answer
// clock runs from AskedAt (the comment's own time on the platform) in
// working time until the account replies in the thread or a moderator
// marks it.
type Question struct {
	ID         int64
	CommentID  int64
	AccountKey string
	AskedAt    time.Time // the comment's created time
	OpenedAt   time.Time // when uppsikt opened the question
	State      string
	// ClosedAt is when the question stopped: the created time of the
	// account's reply, the time of a moderator's mark, or when uppsikt saw
	// the comment hidden or deleted.
	ClosedAt time.Time
	// Reply is the account's comment that answered it (QuestionAnswered).
	ReplyCommentID  int64
	ReplyPlatformID string
	ClosedBy        string // the moderator who marked it
	Note            string // the moderator's note
	Reminders       []QuestionReminder
}

// Reminded reports whether the reminder after the working time after was
// recorded as sent.
func (q Question) Reminded(after time.Duration) bool {
	return slices.ContainsFunc(q.Reminders, func(r QuestionReminder) bool { return r.After == after })
}

// QuestionReminder is a reminder sent about an open question once it had
// waited After of working time.
type QuestionReminder struct {
	QuestionID int64
	After      time.Duration
	SentAt     time.Time
	// Channel is where it went: a Slack channel id, or "web" when the
	// account is reviewed on the web page only.
	Channel string
}

// QuestionFilter narrows a listing of questions; zero values mean no
// limit. AskedFrom and AskedTo bound AskedAt as [AskedFrom, AskedTo).
type QuestionFilter struct {
	AccountKey string
	States     []string
	AskedFrom  time.Time
	AskedTo    time.Time
	Limit      int
}

// QuestionHorizon is how long after it was written a comment may first be
// seen and still open a question: history read when an account is added
// (a year of a page's comments) does not fill the list with questions
// nobody is waiting for any more.
const QuestionHorizon = 30 * 24 * time.Hour

// QuestionSync says what SyncQuestions changed.
type QuestionSync struct {
	Opened, Answered, Gone, Reopened int
}

// QuestionStore keeps the answer clock's questions. archive/sqlite
// implements it; it is optional beside Store.
//
// Questions are driven from stored state: SyncQuestions derives them from
// the stored verdicts and comments, so a crash between storing a verdict
// and opening its question loses nothing — the next SyncQuestions opens
// it — and running it twice changes nothing.
type QuestionStore interface {
	// SyncQuestions, in one transaction: opens a question for every
	// visible comment whose latest verdict says Question, that the
	// account did not write, that was first seen within QuestionHorizon
	// of its writing and that has none; closes as answered every
	// open (or gone) question in whose thread the account commented at or
	// after AskedAt (the earliest such comment is the reply); sets open
	// questions whose comment is hidden or deleted gone, and gone ones
	// whose comment is visible again open. now is the time of the sync.
	SyncQuestions(ctx context.Context, now time.Time) (QuestionSync, error)
	// Questions lists questions, oldest asked first, with their reminders.
	Questions(ctx context.Context, f QuestionFilter) ([]Question, error)
	// Question returns one; ErrNotFound when there is none.
	Question(ctx context.Context, id int64) (Question, error)
	// MarkQuestion closes an open (or gone) question as
	// QuestionAnsweredElsewhere or QuestionNotAQuestion, by a moderator,
	// with a note, and writes the audit entry in the same transaction. A
	// question no longer open gives an error wrapping ErrQuestionClosed.
	MarkQuestion(ctx context.Context, id int64, state, note, by string, at time.Time) (Question, error)
	// RecordReminder records a reminder as sent; it reports false when
	// that reminder of that question was already recorded.
	RecordReminder(ctx context.Context, r QuestionReminder) (bool, error)
}

// WorkingTime is the working-hours arithmetic of an account
// (bot/calendar.OfficeHours).
type WorkingTime interface {
	// Between is the working time from a to b.
	Between(a, b time.Time) time.Duration
	// Add is the earliest instant at which d of working time has passed
	// since t.
	Add(t time.Time, d time.Duration) time.Time
}

// QuestionAge is the working time a question has waited at now, or
// waited until it was answered.
func QuestionAge(q Question, wt WorkingTime, now time.Time) time.Duration {
	end := now
	if q.State == QuestionAnswered && !q.ClosedAt.IsZero() {
		end = q.ClosedAt
	}
	return wt.Between(q.AskedAt, end)
}

// AnswerSummary is the answer clock's account of one account over a
// period: the questions asked in it (AskedAt in [From, To)), leaving out
// those marked not a question and those whose comment is hidden or
// deleted.
type AnswerSummary struct {
	AccountKey string
	From, To   time.Time
	Within     time.Duration // the service guarantee, in working time
	Asked      int           // questions counted
	Answered   int           // answered by the account in the thread
	// AnsweredElsewhere were marked by a moderator; their answer time is
	// unknown, so they are in no time and in no share.
	AnsweredElsewhere int
	Open              int // still open at To (or now, if earlier)
	Overdue           int // of those, waited longer than Within
	InTime            int // answered in the thread within Within
	// Median and P90 are the working time to answer of the questions
	// answered in the thread (nearest rank); zero when there are none.
	Median, P90 time.Duration
	// Share is InTime over the questions whose outcome is known: those
	// answered in the thread and those open past Within. -1 when there are
	// none (nothing to measure).
	Share float64
}

// AnswerStats computes the answer clock's statistics of an account for
// questions asked in [from, to), with the service guarantee within (36 h
// of working time in the guideline) and the account's working time wt; a
// question still open is measured until to or now, whichever is earlier.
// The monthly report and the web page's Questions page both use it.
func AnswerStats(ctx context.Context, qs QuestionStore, wt WorkingTime, accountKey string, from, to, now time.Time, within time.Duration) (AnswerSummary, error) {
	list, err := qs.Questions(ctx, QuestionFilter{AccountKey: accountKey, AskedFrom: from, AskedTo: to})
	if err != nil {
		return AnswerSummary{}, fmt.Errorf("answer statistics of %s: %w", accountKey, err)
	}
	end := to
	if now.Before(end) {
		end = now
	}
	return SummariseAnswers(list, wt, accountKey, from, to, end, within), nil
}

// SummariseAnswers is AnswerStats on questions already read; open
// questions are measured until end.
func SummariseAnswers(list []Question, wt WorkingTime, accountKey string, from, to, end time.Time, within time.Duration) AnswerSummary {
	s := AnswerSummary{AccountKey: accountKey, From: from, To: to, Within: within, Share: -1}
	var times []time.Duration
	for _, q := range list {
		if (accountKey != "" && q.AccountKey != accountKey) || q.AskedAt.Before(from) || !q.AskedAt.Before(to) {
			continue
		}
		switch q.State {
		case QuestionAnswered:
			s.Asked++
			s.Answered++
			d := wt.Between(q.AskedAt, q.ClosedAt)
			times = append(times, d)
			if d <= within {
				s.InTime++
			}
		case QuestionAnsweredElsewhere:
			s.Asked++
			s.AnsweredElsewhere++
		case QuestionOpen:
			s.Asked++
			s.Open++
			if wt.Between(q.AskedAt, end) > within {
				s.Overdue++
			}
		}
	}
	if len(times) > 0 {
		slices.Sort(times)
		s.Median = nearestRank(times, 0.5)
		s.P90 = nearestRank(times, 0.9)
	}
	if n := s.Answered + s.Overdue; n > 0 {
		s.Share = float64(s.InTime) / float64(n)
	}
	return s
}

// nearestRank is the p-quantile of sorted durations by the nearest-rank
// method: the smallest value with at least p of the values at or below it.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
