package emulator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestStateKeepsEveryText: the Graph API shows only a comment's latest
// text; State lists every text it has had, so that a harness can tell which
// versions uppsikt could have missed.
func TestStateKeepsEveryText(t *testing.T) {
	f := newFixture(t, "sv")
	postID, _ := f.firstThread(t)
	texts := []string{"Första texten", "Andra texten", "Tredje texten"}
	id, err := f.emu.AddComment(postID, "Test Testsson", texts[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts[1:] {
		if err := f.emu.EditComment(id, s); err != nil {
			t.Fatal(err)
		}
	}
	c := f.comment(t, id)
	if !slices.Equal(c.Texts, texts) || c.Message != texts[2] || c.Edits != 2 {
		t.Errorf("got texts %q, message %q, %d edits; want %q, the last, 2", c.Texts, c.Message, c.Edits, texts)
	}
	// A scenario comment has its one text.
	for _, a := range f.state(t).Accounts {
		for _, p := range a.Posts {
			for _, sc := range p.Comments {
				if sc.Edits == 0 && (len(sc.Texts) != 1 || sc.Texts[0] != sc.Message) {
					t.Fatalf("%s: texts %q for message %q", sc.ID, sc.Texts, sc.Message)
				}
			}
		}
	}
}

// TestDeliveriesNameWhatTheyCarry: each delivery attempt in State names its
// event, the comment, the verb and the SHA-256 of the text it carried, and a
// duplicated event shows twice under one event number.
func TestDeliveriesNameWhatTheyCarry(t *testing.T) {
	f := newFixture(t, "sv")
	rc, hook := newReceiver(t, testAppSecret)
	rc.failFirst = 1
	if code := register(t, f, hook.URL, rc.verifyToken); code != 200 {
		t.Fatalf("registration: got %d", code)
	}
	if _, err := f.sess.Post("/"+f.fb.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"}); err != nil {
		t.Fatal(err)
	}
	postID, _ := f.firstThread(t)
	id, err := f.emu.AddComment(postID, "Test Testsson", "Hej")
	if err != nil {
		t.Fatal(err)
	}
	f.emu.InjectFault(emulator.Fault{Kind: emulator.FaultWebhookDuplicate, Count: 1})
	if err := f.emu.EditComment(id, "Hej igen"); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.AuthorDelete(id); err != nil {
		t.Fatal(err)
	}
	rc.wait(t, 4)
	var ds []emulator.Delivery
	deadline := time.Now().Add(5 * time.Second)
	for len(ds) < 5 && time.Now().Before(deadline) {
		ds = f.emu.State("").Deliveries
		time.Sleep(5 * time.Millisecond)
	}
	type row struct {
		event          int64
		ok             bool
		verb, obj, sha string
	}
	var got []row
	for _, d := range ds {
		if d.Account != f.fb.ID || d.Item != "comment" {
			t.Errorf("delivery %+v: want account %s, item comment", d, f.fb.ID)
		}
		got = append(got, row{d.Event, d.OK, d.Verb, d.ObjectID, d.TextSHA256})
	}
	first := got[0].event
	want := []row{
		{first, false, "add", id, sha("Hej")}, // the receiver fails the first try
		{first, true, "add", id, sha("Hej")},
		{first + 1, true, "edited", id, sha("Hej igen")},
		{first + 1, true, "edited", id, sha("Hej igen")}, // duplicated
		{first + 2, true, "remove", id, ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("deliveries:\n got %v\nwant %v", got, want)
	}
}

// TestNetworkFaults: an html fault answers a proxy's error page, which is
// not JSON, and a reset fault drops the connection unanswered.
func TestNetworkFaults(t *testing.T) {
	f := newFixture(t, "sv")
	f.emu.InjectFault(emulator.Fault{Kind: emulator.FaultHTML, HTTPStatus: 504, Count: 1})
	resp, err := http.Get(f.srv.URL + "/v23.0/" + f.fb.ID + "?" + url.Values{"access_token": {f.fb.Token}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 504 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || string(body[:6]) != "<html>" {
		t.Errorf("html fault: got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// A fresh connection, which net/http does not retry on its own.
	f.emu.InjectFault(emulator.Fault{Kind: emulator.FaultReset, Count: 1})
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err = fresh.Get(f.srv.URL + "/v23.0/" + f.fb.ID + "?" + url.Values{"access_token": {f.fb.Token}}.Encode())
	if err == nil {
		resp.Body.Close()
		t.Errorf("reset fault: got %s, want the connection dropped", resp.Status)
	}
	if _, err := f.sess.Get("/"+f.fb.ID, nil); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if got := f.emu.Stats().Total; got != 3 {
		t.Errorf("counted calls: got %d, want 3", got)
	}
}
