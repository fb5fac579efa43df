package emulator

import "fmt"

// DeletePost deletes a post (or Instagram media item) as a whole, as its
// author or another admin would: it leaves the feed, and a GET of the post
// or of any of its comments answers error 100, subcode 33. A Facebook page
// subscribed to webhooks gets a "remove" event of item "post".
func (e *Emulator) DeletePost(postID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.posts[postID]
	if !ok || p.Deleted {
		return fmt.Errorf("%w: %s", ErrNotFound, postID)
	}
	e.deletePost(p)
	return nil
}

// deletePostCall answers DELETE /{post-id} (or POST with method=DELETE) on
// a Facebook page post, as the Graph API does: {"success": true}. A post
// already deleted never gets here: dispatch answers 100/33 for it. The
// caller holds e.mu.
func (e *Emulator) deletePostCall(c *call, p *post) (any, *graphError) {
	e.deletePost(p)
	e.record(c, "delete", p.ID, "", "")
	return map[string]bool{"success": true}, nil
}

// deletePost marks the post deleted and tells a subscribed Facebook page.
// The caller holds e.mu.
func (e *Emulator) deletePost(p *post) {
	p.Deleted = true
	a := p.Account
	if a.Platform != "facebook" || len(e.hooks) == 0 || !e.subscribed(a) {
		return
	}
	now := e.now()
	e.sendPayload(a, hookEvent{item: "post", verb: "remove", objectID: p.ID}, map[string]any{"object": "page", "entry": []map[string]any{{
		"id": a.ID, "time": now.Unix(),
		"changes": []map[string]any{{"field": "feed", "value": map[string]any{
			"item": "post", "verb": "remove", "post_id": p.ID, "created_time": now.Unix(),
			"from": map[string]string{"id": a.ID, "name": a.Name},
		}}},
	}}})
}
