package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestEscapeAndLink(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"escape", Escape(`<@U1> & <!channel> <http://x|y>`), `&lt;@U1&gt; &amp; &lt;!channel&gt; &lt;http://x|y&gt;`},
		{"link", link("https://fb.example/p?a=1&b=2", "Post <b>"), `<https://fb.example/p?a=1&amp;b=2|Post &lt;b&gt;>`},
		{"link with a pipe is text", link("https://x.example/|evil", "Post"), "Post"},
		{"javascript link is text", link("javascript:alert(1)", "Post"), "Post"},
		{"quote", quote("a\n<b>"), "&gt; a\n&gt; &lt;b&gt;"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestBlocksButtonsFollowTheState(t *testing.T) {
	info := CaseInfo{
		Case:    moderation.Case{ID: 7, State: moderation.CaseOpen, Categories: []string{moderation.CatHate}},
		Account: moderation.Account{Name: "Kommunen"}, Comment: moderation.Comment{Author: moderation.Author{Name: "*bold* <@U1>"}},
		Text: "hej", BaseURL: "https://uppsikt.example/",
	}
	for _, tc := range []struct {
		name     string
		state    moderation.CaseState
		decision *moderation.Decision
		want     []string
		not      []string
	}{
		{"open", moderation.CaseOpen, nil, []string{ActionRemove, ActionKeep, ActionRegister, ActionOpen, "https://uppsikt.example/cases/7", "hets", "&lt;@U1&gt;"}, []string{"<@U1>"}},
		{"kept", moderation.CaseKept, &moderation.Decision{By: "anna", Surface: "web", At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}, []string{"Behållen", "anna", "2026-11-23 10:00:00 UTC", ActionOpen}, []string{ActionRemove, ActionKeep}},
		{"open: removal asks first", moderation.CaseOpen, nil, []string{`"title":{"emoji":false,"text":"Ta bort kommentaren?","type":"plain_text"}`, `"action_id":"uppsikt_remove","confirm"`}, []string{ActionUndo}},
		{"approved within the grace", moderation.CaseApproved, nil, []string{ActionUndo, "Borttagningen genomförs 10:01:00 UTC"}, []string{ActionRemove}},
		{"approved after the grace", moderation.CaseApproved, nil, []string{ActionOpen}, []string{ActionUndo, ActionRemove}},
	} {
		info.Case.State, info.Decision = tc.state, tc.decision
		info.UndoUntil = time.Time{}
		if tc.name == "approved within the grace" {
			info.UndoUntil = time.Date(2026, 11, 23, 10, 1, 0, 0, time.UTC)
		}
		blocks, fallback := Blocks(info, "sv")
		b, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		json.Unmarshal(b, &v)
		var sb strings.Builder
		enc := json.NewEncoder(&sb)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		got := sb.String()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: blocks lack %q:\n%s", tc.name, w, got)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: blocks contain %q:\n%s", tc.name, w, got)
			}
		}
		if fallback == "" {
			t.Errorf("%s: no fallback text", tc.name)
		}
	}
}
