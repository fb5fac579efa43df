package emulator_test

import (
	"net/http"
	"testing"
)

// TestDeletePostThroughAPI deletes a page post as uppsikt does, through the
// real client (which sends POST with method=DELETE) and as plain HTTP
// DELETE: the first answers success, every later one 100/33, and only the
// first is recorded as an action.
func TestDeletePostThroughAPI(t *testing.T) {
	f := newFixture(t, "sv")
	postID, commentID := f.firstThread(t)
	res, err := f.sess.Delete("/"+postID, nil)
	if err != nil || res["success"] != true {
		t.Fatalf("DELETE of the post: got %v, %v; want success", res, err)
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
	_, err = f.sess.Delete("/"+postID, nil)
	if fe := asFBError(t, err); fe.Code != 100 || fe.ErrorSubcode != 33 {
		t.Errorf("second DELETE: got %d/%d, want 100/33", fe.Code, fe.ErrorSubcode)
	}
	code, body, _ := f.raw(t, http.MethodDelete, "/v23.0/"+postID+"?access_token="+f.fb.Token, nil)
	if code != http.StatusBadRequest || body["error"] == nil {
		t.Errorf("plain HTTP DELETE of a deleted post: got %d %v, want 400 with an error", code, body)
	}
	deletes := 0
	for _, a := range f.state(t).Actions {
		if a.Kind == "delete" && a.ObjectID == postID {
			deletes++
			if a.Account != f.fb.ID {
				t.Errorf("delete action by %q, want the page %s", a.Account, f.fb.ID)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("delete actions on the post: got %d, want 1", deletes)
	}
}
