package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.QuestionStore = (*Store)(nil)

// ownComment is the SQL condition that comment r (joined with its account
// a) was written by the account itself: its author is the account's
// platform id, or its verdict was made for an own comment (Instagram
// answers known by the username).
const ownComment = `((a.platform_id <> '' AND r.author_id = a.platform_id)
	OR EXISTS (SELECT 1 FROM verdicts ov WHERE ov.comment_id = r.id AND (ov.verdict::jsonb -> 'own') = 'true'))`

// SyncQuestions brings the questions up to date with the stored verdicts
// and comments, in one transaction; see moderation.QuestionStore.
//
// The thread of a comment is its top-level comment and the replies to it
// (Facebook and Instagram keep one level of replies: an answer to a reply
// is a reply to the same top-level comment). The account's comment in the
// thread at or after the question's time answers it.
func (s *Store) SyncQuestions(ctx context.Context, now time.Time) (moderation.QuestionSync, error) {
	var out moderation.QuestionSync
	err := s.write(ctx, func(tx *txn) error {
		// The candidates first (question verdicts of comments without a
		// question, found by the partial index), then the rest of the
		// conditions on those few: joined the other way, the database would
		// read every visible comment.
		res, err := tx.ExecContext(ctx, `
			WITH cand AS MATERIALIZED (
				SELECT v.comment_id, v.version FROM verdicts v
				WHERE (v.verdict::jsonb -> 'question') = 'true'
					AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.comment_id = v.comment_id))
			INSERT INTO questions (comment_id, account_key, asked_at, opened_at, state)
			SELECT r.id, r.account_key, CASE WHEN r.created_at <> 0 THEN r.created_at ELSE r.first_seen_at END, ?, 'open'
			FROM cand
			JOIN comments r ON r.id = cand.comment_id
			JOIN accounts a ON a.key = r.account_key
			WHERE cand.version = (SELECT max(version) FROM verdicts lv WHERE lv.comment_id = cand.comment_id)
				AND r.state = 'visible'
				AND (r.created_at = 0 OR r.first_seen_at - r.created_at <= ?)
				AND NOT `+ownComment+`
			ORDER BY r.id`, unixNano(s.orNow(now)), int64(moderation.QuestionHorizon))
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		out.Opened = affected(res)
		if out.Answered, err = answerByReply(ctx, tx); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `
			UPDATE questions SET state = 'gone', closed_at = (SELECT c.state_at FROM comments c WHERE c.id = questions.comment_id)
			WHERE state = 'open' AND EXISTS (SELECT 1 FROM comments c WHERE c.id = questions.comment_id AND c.state <> 'visible')`)
		if err != nil {
			return fmt.Errorf("gone: %w", err)
		}
		out.Gone = affected(res)
		res, err = tx.ExecContext(ctx, `
			UPDATE questions SET state = 'open', closed_at = 0
			WHERE state = 'gone' AND EXISTS (SELECT 1 FROM comments c WHERE c.id = questions.comment_id AND c.state = 'visible')`)
		if err != nil {
			return fmt.Errorf("reopen: %w", err)
		}
		out.Reopened = affected(res)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("sync questions: %w", err)
	}
	return out, nil
}

// answerByReply closes every waiting question that the account answered in
// its thread, with the earliest such comment.
func answerByReply(ctx context.Context, tx *txn) (int, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT q.id, r.id, r.platform_id, CASE WHEN r.created_at <> 0 THEN r.created_at ELSE r.first_seen_at END AS replied
		FROM questions q
		JOIN comments c ON c.id = q.comment_id
		JOIN accounts a ON a.key = q.account_key
		JOIN comments r ON r.account_key = c.account_key
			AND r.parent_id <> '' AND r.parent_id = CASE WHEN c.parent_id <> '' THEN c.parent_id ELSE c.platform_id END
			AND r.post_platform_id = c.post_platform_id AND r.id <> c.id
		WHERE q.state IN ('open', 'gone')
			AND CASE WHEN r.created_at <> 0 THEN r.created_at ELSE r.first_seen_at END >= q.asked_at
			AND `+ownComment+`
		ORDER BY q.id, replied, r.id`)
	if err != nil {
		return 0, fmt.Errorf("find replies: %w", err)
	}
	type answer struct {
		q, r       int64
		platformID string
		at         int64
	}
	var answers []answer
	for rows.Next() {
		var a answer
		if err := rows.Scan(&a.q, &a.r, &a.platformID, &a.at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find replies: %w", err)
		}
		if n := len(answers); n > 0 && answers[n-1].q == a.q {
			continue // a later reply to the same question
		}
		answers = append(answers, a)
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("find replies: %w", err)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find replies: %w", err)
	}
	for _, a := range answers {
		if _, err := tx.ExecContext(ctx, `
			UPDATE questions SET state = 'answered', closed_at = ?, reply_comment_id = ?, reply_platform_id = ?
			WHERE id = ?`, a.at, a.r, a.platformID, a.q); err != nil {
			return 0, fmt.Errorf("answer question %d: %w", a.q, err)
		}
	}
	return len(answers), nil
}

func affected(res sql.Result) int {
	n, _ := res.RowsAffected()
	return int(n)
}

const questionColumns = `id, comment_id, account_key, asked_at, opened_at, state, closed_at,
	reply_comment_id, reply_platform_id, closed_by, note`

func scanQuestion(r scanner) (moderation.Question, error) {
	var (
		q                      moderation.Question
		asked, opened, closedA int64
	)
	err := r.Scan(&q.ID, &q.CommentID, &q.AccountKey, &asked, &opened, &q.State, &closedA,
		&q.ReplyCommentID, &q.ReplyPlatformID, &q.ClosedBy, &q.Note)
	q.AskedAt, q.OpenedAt, q.ClosedAt = fromUnixNano(asked), fromUnixNano(opened), fromUnixNano(closedA)
	return q, err
}

// Questions lists questions, oldest asked first, with their reminders.
func (s *Store) Questions(ctx context.Context, f moderation.QuestionFilter) ([]moderation.Question, error) {
	var (
		where []string
		args  []any
	)
	if f.AccountKey != "" {
		where, args = append(where, "account_key = ?"), append(args, f.AccountKey)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if !f.AskedFrom.IsZero() {
		where, args = append(where, "asked_at >= ?"), append(args, unixNano(f.AskedFrom))
	}
	if !f.AskedTo.IsZero() {
		where, args = append(where, "asked_at < ?"), append(args, unixNano(f.AskedTo))
	}
	q := `SELECT ` + questionColumns + ` FROM questions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY asked_at, id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	var out []moderation.Question
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		byID := map[int64]int{}
		for rows.Next() {
			qu, err := scanQuestion(rows)
			if err != nil {
				rows.Close()
				return err
			}
			byID[qu.ID] = len(out)
			out = append(out, qu)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		return loadReminders(ctx, tx, out, byID)
	})
	if err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	return out, nil
}

func loadReminders(ctx context.Context, tx *txn, qs []moderation.Question, byID map[int64]int) error {
	query := `SELECT question_id, after_ns, sent_at, channel FROM question_reminders ORDER BY question_id, after_ns`
	var args []any
	if len(qs) == 1 {
		query = `SELECT question_id, after_ns, sent_at, channel FROM question_reminders WHERE question_id = ? ORDER BY after_ns`
		args = append(args, qs[0].ID)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r         moderation.QuestionReminder
			after, at int64
		)
		if err := rows.Scan(&r.QuestionID, &after, &at, &r.Channel); err != nil {
			return err
		}
		r.After, r.SentAt = time.Duration(after), fromUnixNano(at)
		if i, ok := byID[r.QuestionID]; ok {
			qs[i].Reminders = append(qs[i].Reminders, r)
		}
	}
	return rows.Err()
}

// Question returns one question with its reminders.
func (s *Store) Question(ctx context.Context, id int64) (moderation.Question, error) {
	var q moderation.Question
	err := s.read(ctx, func(tx *txn) error {
		var err error
		q, err = readQuestion(ctx, tx, id)
		return err
	})
	return q, err
}

func readQuestion(ctx context.Context, tx *txn, id int64) (moderation.Question, error) {
	q, err := scanQuestion(tx.QueryRowContext(ctx, `SELECT `+questionColumns+` FROM questions WHERE id = ?`, id))
	if err != nil {
		return q, notFound(err, "question %d", id)
	}
	qs := []moderation.Question{q}
	if err := loadReminders(ctx, tx, qs, map[int64]int{q.ID: 0}); err != nil {
		return q, fmt.Errorf("question %d: %w", id, err)
	}
	return qs[0], nil
}

type questionMarkDetail struct {
	CommentID int64  `json:"comment_id"`
	Note      string `json:"note,omitempty"`
}

// MarkQuestion closes an open or gone question by a moderator's mark and
// audits it in the same transaction.
func (s *Store) MarkQuestion(ctx context.Context, id int64, state, note, by string, at time.Time) (moderation.Question, error) {
	var action string
	switch state {
	case moderation.QuestionAnsweredElsewhere:
		action = moderation.AuditQuestionAnsweredElsewhere
	case moderation.QuestionNotAQuestion:
		action = moderation.AuditQuestionNotAQuestion
	default:
		return moderation.Question{}, fmt.Errorf("mark question %d: %q is not a mark", id, state)
	}
	if by == "" {
		return moderation.Question{}, fmt.Errorf("mark question %d: who marks it is required", id)
	}
	at = s.orNow(at)
	var q moderation.Question
	err := s.write(ctx, func(tx *txn) error {
		cur, err := readQuestion(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != moderation.QuestionOpen && cur.State != moderation.QuestionGone {
			return fmt.Errorf("%w: it is %s", moderation.ErrQuestionClosed, cur.State)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE questions SET state = ?, closed_at = ?, closed_by = ?, note = ? WHERE id = ?`,
			state, unixNano(at), by, note, id); err != nil {
			return err
		}
		detail, err := json.Marshal(questionMarkDetail{CommentID: cur.CommentID, Note: note})
		if err != nil {
			return err
		}
		if _, err := appendAudit(ctx, tx, moderation.AuditEntry{At: at, Actor: by, Action: action,
			Subject: "question " + strconv.FormatInt(id, 10), Detail: detail}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		q, err = readQuestion(ctx, tx, id)
		return err
	})
	if err != nil {
		return q, fmt.Errorf("mark question %d: %w", id, err)
	}
	return q, nil
}

// RecordReminder records a reminder as sent, once per question and
// threshold.
func (s *Store) RecordReminder(ctx context.Context, r moderation.QuestionReminder) (bool, error) {
	var created bool
	err := s.write(ctx, func(tx *txn) error {
		if _, err := readQuestion(ctx, tx, r.QuestionID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO question_reminders (question_id, after_ns, sent_at, channel) VALUES (?, ?, ?, ?)
			ON CONFLICT (question_id, after_ns) DO NOTHING`,
			r.QuestionID, int64(r.After), unixNano(s.orNow(r.SentAt)), r.Channel)
		if err != nil {
			return err
		}
		created = affected(res) == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record reminder of question %d: %w", r.QuestionID, err)
	}
	return created, nil
}
