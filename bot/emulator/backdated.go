package emulator

import (
	"fmt"
	"time"
)

// AddCommentAt adds a comment written at created, in the past: to the post
// postOrCommentID names, or as a reply in the thread of the comment it
// names. byPage makes it the account's own answer (authorName is then
// ignored). The demo uses it to put questions of known age on the page,
// one answered in its thread and one left waiting. No webhook is sent: it
// happened before anyone listened. created must not be in the future or
// before the post.
func (e *Emulator) AddCommentAt(postOrCommentID, authorName, message string, created time.Time, byPage bool) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var (
		p      *post
		parent *comment
	)
	if pp, ok := e.posts[postOrCommentID]; ok && !pp.Deleted {
		p = pp
	} else if c, ok := e.comments[postOrCommentID]; ok && !c.gone() {
		parent, p = c, c.Post
		if parent.Parent != nil {
			parent = parent.Parent
		}
	} else {
		return "", fmt.Errorf("%w: %s", ErrNotFound, postOrCommentID)
	}
	created = created.Truncate(time.Second)
	if created.After(e.now()) || created.Before(p.Created) {
		return "", fmt.Errorf("emulator: a comment at %s on a post of %s: not between the post and now", created.Format(time.RFC3339), p.Created.Format(time.RFC3339))
	}
	c := e.newComment(p, parent, makeAuthor(authorName), byPage, message, created)
	return c.ID, nil
}
