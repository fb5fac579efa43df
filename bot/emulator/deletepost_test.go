package emulator_test

import (
	"errors"
	"testing"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

func TestDeletePost(t *testing.T) {
	f := newFixture(t, "sv")
	rc, hook := newReceiver(t, testAppSecret)
	if code := register(t, f, hook.URL+"/meta", rc.verifyToken); code != 200 {
		t.Fatalf("registration: got %d", code)
	}
	if _, err := f.sess.Post("/"+f.fb.ID+"/subscribed_apps", fb.Params{"subscribed_fields": "feed"}); err != nil {
		t.Fatal(err)
	}
	postID, commentID := f.firstThread(t)
	if _, err := f.sess.Get("/"+postID, nil); err != nil {
		t.Fatalf("GET of the post before deletion: %v", err)
	}
	if !f.inFeed(t, postID) {
		t.Fatalf("feed does not list post %s before deletion", postID)
	}
	if err := f.emu.DeletePost(postID); err != nil {
		t.Fatal(err)
	}
	if f.inFeed(t, postID) {
		t.Errorf("feed still lists the deleted post %s", postID)
	}
	for _, id := range []string{postID, commentID} {
		_, err := f.sess.Get("/"+id, nil)
		if fe := asFBError(t, err); fe.Code != 100 || fe.ErrorSubcode != 33 {
			t.Errorf("GET %s after the post was deleted: got %d/%d, want 100/33", id, fe.Code, fe.ErrorSubcode)
		}
	}
	deleted := false
	for _, a := range f.state(t).Accounts {
		for _, p := range a.Posts {
			if p.ID == postID {
				deleted = p.Deleted
			}
		}
	}
	if !deleted {
		t.Errorf("state: got the post not deleted, want deleted")
	}
	ev := rc.wait(t, 1)
	if v := value(ev[0]); v["item"] != "post" || v["verb"] != "remove" || v["post_id"] != postID {
		t.Errorf("webhook event: got %v, want item post, verb remove, post_id %s", v, postID)
	}
	if err := f.emu.DeletePost(postID); !errors.Is(err, emulator.ErrNotFound) {
		t.Errorf("second DeletePost: got %v, want ErrNotFound", err)
	}
}

// inFeed says whether the page's feed lists a post, following the paging.
func (f *fixture) inFeed(t *testing.T, postID string) bool {
	t.Helper()
	res, err := f.sess.Get("/"+f.fb.ID+"/feed", fb.Params{"limit": 100, "fields": "id", "since": 1})
	if err != nil {
		t.Fatal(err)
	}
	paging, err := res.Paging(f.sess)
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, p := range paging.Data() {
			if p.Get("id") == postID {
				return true
			}
		}
		noMore, err := paging.Next()
		if err != nil {
			t.Fatal(err)
		}
		if noMore {
			return false
		}
	}
}
