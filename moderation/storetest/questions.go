package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// QuestionBackend is a store with the answer clock's questions.
type QuestionBackend interface {
	moderation.Store
	moderation.QuestionStore
}

// RunQuestions runs the contract of moderation.QuestionStore. open must
// return a new, empty store each time; RunQuestions closes it.
func RunQuestions(t *testing.T, open func(t *testing.T) QuestionBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s QuestionBackend)
	}{
		{"open/a question verdict opens one question, once", testQuestionOpenOnce},
		{"open/not for own comments, other verdicts, or a latest verdict that is no question", testQuestionOpenOnlyQuestions},
		{"stop/the account's reply in the thread answers it", testQuestionAnsweredByReply},
		{"stop/a reply to a reply: the same thread", testQuestionAnsweredInThread},
		{"stop/hidden or deleted is gone, visible again is open", testQuestionGone},
		{"marks/answered elsewhere and not a question, audited, once", testQuestionMarks},
		{"reminders/recorded once per question and threshold", testQuestionReminderOnce},
		{"list/filters by account, state and asked time", testQuestionFilter},
		{"open/not for history first seen past the horizon", testQuestionHorizon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			for _, k := range []string{"kommun", "skolen"} {
				if err := s.UpsertAccount(context.Background(), moderation.Account{
					Key: k, Platform: moderation.Facebook, PlatformID: "id-" + k, Name: k, UpdatedAt: t0,
				}); err != nil {
					t.Fatalf("UpsertAccount: %v", err)
				}
			}
			tc.fn(t, s)
		})
	}
}

// qcomment stores a comment on post "<account>_1" and its verdict.
type qcomment struct {
	account, id, parent, author string
	created                     time.Time
	question                    bool
}

func putComment(t *testing.T, s QuestionBackend, c qcomment) int64 {
	t.Helper()
	ctx := context.Background()
	res, err := s.RecordComment(ctx, moderation.CommentObservation{
		AccountKey: c.account, PostID: "id-" + c.account + "_1", PlatformID: c.id, ParentID: c.parent,
		Author: moderation.Author{ID: c.author, Name: c.author}, Message: "text of " + c.id, CreatedAt: c.created,
		Source: moderation.SourcePoll, SeenAt: c.created.Add(time.Minute),
	})
	if err != nil {
		t.Fatalf("RecordComment %s: %v", c.id, err)
	}
	v := moderation.Verdict{Question: c.question}
	if c.author == "id-"+c.account {
		v = v.ForOwnComment()
	}
	if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: res.Version, Verdict: v, At: c.created}); err != nil {
		t.Fatalf("SaveVerdict %s: %v", c.id, err)
	}
	return res.CommentID
}

func syncQuestions(t *testing.T, s QuestionBackend) moderation.QuestionSync {
	t.Helper()
	got, err := s.SyncQuestions(context.Background(), at(1000))
	if err != nil {
		t.Fatalf("SyncQuestions: %v", err)
	}
	return got
}

func allQuestions(t *testing.T, s QuestionBackend) []moderation.Question {
	t.Helper()
	qs, err := s.Questions(context.Background(), moderation.QuestionFilter{})
	if err != nil {
		t.Fatalf("Questions: %v", err)
	}
	return qs
}

func testQuestionOpenOnce(t *testing.T, s QuestionBackend) {
	id := putComment(t, s, qcomment{account: "kommun", id: "c1", author: "medborgare", created: at(0), question: true})
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{Opened: 1}) {
		t.Errorf("first sync: got %+v, want one opened", got)
	}
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{}) {
		t.Errorf("second sync: got %+v, want nothing changed", got)
	}
	// The same verdict saved again (a replayed pipeline item) opens nothing.
	putComment(t, s, qcomment{account: "kommun", id: "c1", author: "medborgare", created: at(0), question: true})
	syncQuestions(t, s)
	qs := allQuestions(t, s)
	if len(qs) != 1 {
		t.Fatalf("questions: got %d, want 1", len(qs))
	}
	q := qs[0]
	if q.CommentID != id || q.AccountKey != "kommun" || q.State != moderation.QuestionOpen || !q.AskedAt.Equal(at(0)) || !q.OpenedAt.Equal(at(1000)) {
		t.Errorf("question: got %+v, want open for comment %d, asked at the comment's time, opened at the sync", q, id)
	}
	one, err := s.Question(context.Background(), q.ID)
	if err != nil || one.ID != q.ID || one.CommentID != id {
		t.Errorf("Question(%d): got %+v, %v", q.ID, one, err)
	}
	if _, err := s.Question(context.Background(), q.ID+100); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("Question of an unknown id: got %v, want ErrNotFound", err)
	}
}

func testQuestionOpenOnlyQuestions(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	putComment(t, s, qcomment{account: "kommun", id: "own", author: "id-kommun", created: at(0), question: true})
	putComment(t, s, qcomment{account: "kommun", id: "plain", author: "medborgare", created: at(1)})
	edited := putComment(t, s, qcomment{account: "kommun", id: "edited", author: "medborgare", created: at(2), question: true})
	// The author edits the question away before uppsikt syncs: the latest
	// verdict says no question.
	res, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "id-kommun_1", PlatformID: "edited",
		Author: moderation.Author{ID: "medborgare"}, Message: "no longer asking", CreatedAt: at(2), Source: moderation.SourcePoll, SeenAt: at(3)})
	if err != nil || res.Version != 2 {
		t.Fatalf("edit: got %+v, %v", res, err)
	}
	if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: edited, Version: 2, At: at(3)}); err != nil {
		t.Fatal(err)
	}
	if got := syncQuestions(t, s); got.Opened != 0 {
		t.Errorf("sync: got %+v, want none opened", got)
	}
	if qs := allQuestions(t, s); len(qs) != 0 {
		t.Errorf("questions: got %+v, want none", qs)
	}
}

func testQuestionAnsweredByReply(t *testing.T, s QuestionBackend) {
	qid := putComment(t, s, qcomment{account: "kommun", id: "q", author: "medborgare", created: at(10), question: true})
	syncQuestions(t, s)
	// Not answers: the account's comment in the thread before the
	// question, a citizen's reply, the account's reply in another thread
	// and the other account's reply.
	putComment(t, s, qcomment{account: "kommun", id: "early", parent: "q", author: "id-kommun", created: at(9)})
	putComment(t, s, qcomment{account: "kommun", id: "citizen", parent: "q", author: "granne", created: at(11)})
	putComment(t, s, qcomment{account: "kommun", id: "elsewhere", author: "medborgare", created: at(12)})
	putComment(t, s, qcomment{account: "kommun", id: "other-thread", parent: "elsewhere", author: "id-kommun", created: at(13)})
	if got := syncQuestions(t, s); got.Answered != 0 {
		t.Fatalf("sync without an answer: got %+v, want none answered", got)
	}
	second := putComment(t, s, qcomment{account: "kommun", id: "reply2", parent: "q", author: "id-kommun", created: at(90)})
	first := putComment(t, s, qcomment{account: "kommun", id: "reply1", parent: "q", author: "id-kommun", created: at(60)})
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{Answered: 1}) {
		t.Errorf("sync with answers: got %+v, want one answered", got)
	}
	qs := allQuestions(t, s)
	if len(qs) != 1 {
		t.Fatalf("questions: got %d, want 1", len(qs))
	}
	q := qs[0]
	if q.CommentID != qid || q.State != moderation.QuestionAnswered || q.ReplyCommentID != first || q.ReplyPlatformID != "reply1" || !q.ClosedAt.Equal(at(60)) {
		t.Errorf("answered question: got %+v, want answered by reply1 (comment %d, not %d) at its time", q, first, second)
	}
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{}) {
		t.Errorf("sync again: got %+v, want nothing changed", got)
	}
}

func testQuestionAnsweredInThread(t *testing.T, s QuestionBackend) {
	putComment(t, s, qcomment{account: "kommun", id: "top", author: "medborgare", created: at(0)})
	putComment(t, s, qcomment{account: "kommun", id: "asks", parent: "top", author: "granne", created: at(5), question: true})
	syncQuestions(t, s)
	reply := putComment(t, s, qcomment{account: "kommun", id: "answer", parent: "top", author: "id-kommun", created: at(30)})
	if got := syncQuestions(t, s); got.Answered != 1 {
		t.Fatalf("sync: got %+v, want one answered", got)
	}
	if q := allQuestions(t, s)[0]; q.State != moderation.QuestionAnswered || q.ReplyCommentID != reply {
		t.Errorf("question in a reply: got %+v, want answered by comment %d", q, reply)
	}
}

func testQuestionGone(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	putComment(t, s, qcomment{account: "kommun", id: "q", author: "medborgare", created: at(0), question: true})
	syncQuestions(t, s)
	change := func(state moderation.CommentState, minute int) {
		t.Helper()
		if _, err := s.RecordStateChange(ctx, moderation.StateChange{AccountKey: "kommun", PlatformID: "q", State: state, At: at(minute), Source: moderation.SourcePoll}); err != nil {
			t.Fatalf("RecordStateChange %s: %v", state, err)
		}
	}
	change(moderation.StateHidden, 5)
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{Gone: 1}) {
		t.Errorf("sync after hiding: got %+v, want one gone", got)
	}
	if q := allQuestions(t, s)[0]; q.State != moderation.QuestionGone || !q.ClosedAt.Equal(at(5)) {
		t.Errorf("hidden question: got %+v, want gone at the time it was hidden", q)
	}
	change(moderation.StateVisible, 7)
	if got := syncQuestions(t, s); got != (moderation.QuestionSync{Reopened: 1}) {
		t.Errorf("sync after showing it again: got %+v, want one reopened", got)
	}
	if q := allQuestions(t, s)[0]; q.State != moderation.QuestionOpen || !q.ClosedAt.IsZero() || !q.AskedAt.Equal(at(0)) {
		t.Errorf("shown again: got %+v, want open, asked at its first time", q)
	}
	change(moderation.StateDeleted, 9)
	syncQuestions(t, s)
	if q := allQuestions(t, s)[0]; q.State != moderation.QuestionGone {
		t.Errorf("deleted question: got %s, want gone", q.State)
	}
	// A deleted question is never opened anew, and a hidden one is not
	// opened in the first place.
	putComment(t, s, qcomment{account: "kommun", id: "hidden", author: "medborgare", created: at(20), question: true})
	if _, err := s.RecordStateChange(ctx, moderation.StateChange{AccountKey: "kommun", PlatformID: "hidden", State: moderation.StateHidden, At: at(21), Source: moderation.SourcePoll}); err != nil {
		t.Fatal(err)
	}
	if got := syncQuestions(t, s); got.Opened != 0 || len(allQuestions(t, s)) != 1 {
		t.Errorf("sync with a hidden question comment: got %+v and %d questions, want none opened", got, len(allQuestions(t, s)))
	}
}

func testQuestionMarks(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	c1 := putComment(t, s, qcomment{account: "kommun", id: "q1", author: "medborgare", created: at(0), question: true})
	putComment(t, s, qcomment{account: "kommun", id: "q2", author: "medborgare", created: at(1), question: true})
	syncQuestions(t, s)
	qs := allQuestions(t, s)
	if len(qs) != 2 {
		t.Fatalf("questions: got %d, want 2", len(qs))
	}
	before, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.MarkQuestion(ctx, qs[0].ID, moderation.QuestionAnsweredElsewhere, "Svarat per telefon", "moderator", at(30))
	if err != nil {
		t.Fatalf("MarkQuestion: %v", err)
	}
	if q.State != moderation.QuestionAnsweredElsewhere || q.ClosedBy != "moderator" || q.Note != "Svarat per telefon" || !q.ClosedAt.Equal(at(30)) {
		t.Errorf("marked: got %+v, want answered elsewhere by moderator with the note", q)
	}
	if _, err := s.MarkQuestion(ctx, qs[1].ID, moderation.QuestionNotAQuestion, "", "admin", at(31)); err != nil {
		t.Fatalf("MarkQuestion not a question: %v", err)
	}
	for _, tt := range []struct {
		name  string
		id    int64
		state string
		by    string
	}{
		{"marked again", qs[0].ID, moderation.QuestionNotAQuestion, "admin"},
		{"answered is not a mark", qs[1].ID, moderation.QuestionAnswered, "admin"},
		{"without who marks it", qs[1].ID, moderation.QuestionAnsweredElsewhere, ""},
	} {
		if _, err := s.MarkQuestion(ctx, tt.id, tt.state, "", tt.by, at(32)); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
	if _, err := s.MarkQuestion(ctx, qs[0].ID, moderation.QuestionNotAQuestion, "", "admin", at(32)); !errors.Is(err, moderation.ErrQuestionClosed) {
		t.Errorf("marking a closed question: got %v, want ErrQuestionClosed", err)
	}
	after, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	added := after[len(before):]
	if len(added) != 2 {
		t.Fatalf("audit entries added: got %d, want 2", len(added))
	}
	var d struct {
		CommentID int64  `json:"comment_id"`
		Note      string `json:"note"`
	}
	if err := json.Unmarshal(added[0].Detail, &d); err != nil {
		t.Fatal(err)
	}
	if e := added[0]; e.Action != moderation.AuditQuestionAnsweredElsewhere || e.Actor != "moderator" || e.Subject != "question "+itoa(qs[0].ID) || d.CommentID != c1 || d.Note != "Svarat per telefon" {
		t.Errorf("audit entry: got %+v (%+v)", e, d)
	}
	if e := added[1]; e.Action != moderation.AuditQuestionNotAQuestion || e.Actor != "admin" {
		t.Errorf("audit entry: got %+v, want not a question by admin", e)
	}
	// A reply after a mark changes nothing.
	putComment(t, s, qcomment{account: "kommun", id: "late", parent: "q1", author: "id-kommun", created: at(60)})
	syncQuestions(t, s)
	if q := allQuestions(t, s)[0]; q.State != moderation.QuestionAnsweredElsewhere {
		t.Errorf("after a later reply: got %s, want still answered elsewhere", q.State)
	}
}

func testQuestionReminderOnce(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	putComment(t, s, qcomment{account: "kommun", id: "q", author: "medborgare", created: at(0), question: true})
	syncQuestions(t, s)
	q := allQuestions(t, s)[0]
	for i, tt := range []struct {
		after time.Duration
		want  bool
	}{{24 * time.Hour, true}, {24 * time.Hour, false}, {32 * time.Hour, true}, {32 * time.Hour, false}} {
		got, err := s.RecordReminder(ctx, moderation.QuestionReminder{QuestionID: q.ID, After: tt.after, SentAt: at(100 + i), Channel: "C1"})
		if err != nil || got != tt.want {
			t.Errorf("RecordReminder #%d after %s: got %v, %v; want %v", i, tt.after, got, err, tt.want)
		}
	}
	q, err := s.Question(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Reminders) != 2 || q.Reminders[0].After != 24*time.Hour || !q.Reminders[0].SentAt.Equal(at(100)) || q.Reminders[0].Channel != "C1" ||
		q.Reminders[1].After != 32*time.Hour || !q.Reminders[1].SentAt.Equal(at(102)) {
		t.Errorf("reminders: got %+v, want 24h at the first time and 32h", q.Reminders)
	}
	if !q.Reminded(24*time.Hour) || q.Reminded(36*time.Hour) {
		t.Errorf("Reminded: got %v for 24h and %v for 36h", q.Reminded(24*time.Hour), q.Reminded(36*time.Hour))
	}
	if _, err := s.RecordReminder(ctx, moderation.QuestionReminder{QuestionID: q.ID + 100, After: time.Hour}); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("reminder of an unknown question: got %v, want ErrNotFound", err)
	}
}

func testQuestionFilter(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	putComment(t, s, qcomment{account: "kommun", id: "k1", author: "a", created: at(0), question: true})
	putComment(t, s, qcomment{account: "kommun", id: "k2", author: "a", created: at(10), question: true})
	putComment(t, s, qcomment{account: "skolen", id: "s1", author: "a", created: at(5), question: true})
	putComment(t, s, qcomment{account: "kommun", id: "k2r", parent: "k2", author: "id-kommun", created: at(20)})
	syncQuestions(t, s)
	tests := []struct {
		name string
		f    moderation.QuestionFilter
		want []string // account and asked minute
	}{
		{"all, oldest asked first", moderation.QuestionFilter{}, []string{"kommun 0", "skolen 5", "kommun 10"}},
		{"one account", moderation.QuestionFilter{AccountKey: "kommun"}, []string{"kommun 0", "kommun 10"}},
		{"open only", moderation.QuestionFilter{States: []string{moderation.QuestionOpen}}, []string{"kommun 0", "skolen 5"}},
		{"asked in [5, 10)", moderation.QuestionFilter{AskedFrom: at(5), AskedTo: at(10)}, []string{"skolen 5"}},
		{"limit", moderation.QuestionFilter{Limit: 1}, []string{"kommun 0"}},
	}
	for _, tt := range tests {
		qs, err := s.Questions(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, q := range qs {
			got = append(got, q.AccountKey+" "+itoa(int64(q.AskedAt.Sub(t0)/time.Minute)))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func testQuestionHorizon(t *testing.T, s QuestionBackend) {
	ctx := context.Background()
	for _, tc := range []struct {
		id   string
		late time.Duration // first seen this long after it was written
	}{{"old", moderation.QuestionHorizon + time.Hour}, {"recent", moderation.QuestionHorizon - time.Hour}} {
		res, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "id-kommun_1", PlatformID: tc.id,
			Author: moderation.Author{ID: "medborgare"}, Message: "Varför?", CreatedAt: at(0), Source: moderation.SourceBackfill, SeenAt: at(0).Add(tc.late)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, Verdict: moderation.Verdict{Question: true}, At: at(0).Add(tc.late)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := syncQuestions(t, s); got.Opened != 1 {
		t.Errorf("sync: got %+v, want only the recent one opened", got)
	}
}
