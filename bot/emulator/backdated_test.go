package emulator

import (
	"errors"
	"testing"
	"time"
)

func TestAddCommentAt(t *testing.T) {
	now := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	sc, err := ParseScenario("t", []byte(`name: T
language: sv
seed: 1
days: 10
accounts:
  - {key: fb, platform: facebook, id: "1094850000000901", name: T kommun, token: EMU-t, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
authors: ["A B", "C D"]
posts: ["Ett inlägg."]
comments: ["En kommentar."]
`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Scenario: sc, AppID: "1", AppSecret: "s", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	post := e.State("").Accounts[0].Posts[0]
	asked := post.Created.Add(time.Hour)
	q, err := e.AddCommentAt(post.ID, "Karin Berg", "När?", asked, false)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := e.AddCommentAt(q, "", "Nu.", asked.Add(2*time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]StateComment{}
	for _, c := range e.State("").Accounts[0].Posts[0].Comments {
		got[c.ID] = c
	}
	if c := got[q]; !c.Created.Equal(asked) || c.From.Name != "Karin Berg" || c.ParentID != "" {
		t.Errorf("question: got %+v, want Karin Berg's top-level comment at %s", c, asked)
	}
	if c := got[answer]; !c.ByPage || c.ParentID != q || !c.Created.Equal(asked.Add(2*time.Hour)) {
		t.Errorf("answer: got %+v, want the page's reply to %s two hours later", c, q)
	}
	for _, tc := range []struct {
		name string
		id   string
		at   time.Time
		want error
	}{
		{"in the future", post.ID, now.Add(time.Minute), nil},
		{"before the post", post.ID, post.Created.Add(-time.Minute), nil},
		{"unknown post", "nope", asked, ErrNotFound},
	} {
		_, err := e.AddCommentAt(tc.id, "X Y", "x", tc.at, false)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want an error", tc.name, err)
		}
	}
}
