package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestThreadAround stores a post whose thread is, in thread order,
//
//	a, a1, a2, b, b1, b1x, c, d, e
//
// (a1 and a2 reply to a; b1 to b; b1x to b1; the rows are recorded out of
// order) and reads windows around several comments.
func TestThreadAround(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for _, c := range []struct {
		id, parent string
		minute     int
	}{
		{"e", "", 9}, {"a1", "a", 2}, {"a", "", 1}, {"b1x", "b1", 6}, {"b", "", 4}, {"b1", "b", 5},
		{"a2", "a", 7}, // a late reply still sits under its parent
		{"c", "", 7}, {"d", "", 8},
		{"other", "", 3}, // another post's comment is never part of the thread
	} {
		post := "1_1"
		if c.id == "other" {
			post = "1_2"
		}
		r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: post, PlatformID: c.id, ParentID: c.parent,
			Author: moderation.Author{ID: "u", Name: "N"}, Message: "text " + c.id, CreatedAt: base.Add(time.Duration(c.minute) * time.Minute),
			Source: moderation.SourcePoll, SeenAt: base})
		if err != nil {
			t.Fatal(err)
		}
		ids[c.id] = r.CommentID
	}
	// A second version: the window shows the latest text.
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "1_1", PlatformID: "c",
		Author: moderation.Author{ID: "u", Name: "N"}, Message: "text c, edited", CreatedAt: base.Add(7 * time.Minute),
		Source: moderation.SourcePoll, SeenAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		target        string
		k             int
		want          string // platform ids shown, in order; the target in brackets
		before, after int
	}{
		{"middle", "b1", 1, "b [b1] b1x", 3, 3},
		{"start", "a", 2, "[a] a1 a2", 0, 6},
		{"end", "e", 2, "c d [e]", 6, 0},
		{"reply to a reply, its parent shown", "b1x", 0, "b1 [b1x]", 4, 3},
		{"parent inside the window", "b1x", 2, "b b1 [b1x] c d", 3, 1},
		{"the whole thread", "c", 20, "a a1 a2 b b1 b1x [c] d e", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := s.ThreadAround(ctx, ids[tt.target], tt.k)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range w.Comments {
				if c.Target {
					got = append(got, "["+c.PlatformID+"]")
				} else {
					got = append(got, c.PlatformID)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("window = %q, want %q", g, tt.want)
			}
			if w.Before != tt.before || w.After != tt.after || w.Total != 9 {
				t.Errorf("before %d, after %d, total %d; want %d, %d, 9", w.Before, w.After, w.Total, tt.before, tt.after)
			}
			if len(w.Comments)+w.Before+w.After != w.Total {
				t.Errorf("%d shown + %d + %d left out != %d", len(w.Comments), w.Before, w.After, w.Total)
			}
		})
	}

	w, err := s.ThreadAround(ctx, ids["c"], 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Comments) != 1 || w.Comments[0].Message != "text c, edited" || w.Comments[0].Depth != 0 {
		t.Errorf("window around c = %+v, want its latest text at depth 0", w.Comments)
	}
	w, _ = s.ThreadAround(ctx, ids["b1x"], 0)
	if got := w.Comments[len(w.Comments)-1].Depth; got != 2 {
		t.Errorf("depth of b1x = %d, want 2", got)
	}
	if _, err := s.ThreadAround(ctx, 9999, 3); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("unknown comment: err = %v, want ErrNotFound", err)
	}
}
