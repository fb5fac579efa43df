package emulator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrNotFound is returned by the test helpers for an unknown or deleted object.
var ErrNotFound = errors.New("emulator: no such post or comment")

// AddComment adds a visitor's comment to a post or, when parentID names a
// comment, a reply to it, as if the author had written it now; it emits the
// webhook event and returns the new comment's id. labels are the removal
// categories the caller means it to carry (shown in /_emulator/state only).
func (e *Emulator) AddComment(parentID, authorName, message string, labels ...string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addCommentLocked(parentID, makeAuthor(authorName), message, labels)
}

func (e *Emulator) addCommentLocked(parentID string, from Author, message string, labels []string) (string, error) {
	var p *post
	var parent *comment
	if pp, ok := e.posts[parentID]; ok && !pp.Deleted {
		p = pp
	} else if c, ok := e.comments[parentID]; ok && !c.gone() {
		parent, p = c, c.Post
		if parent.Parent != nil {
			parent = parent.Parent
		}
	} else {
		return "", fmt.Errorf("%w: %s", ErrNotFound, parentID)
	}
	c := e.newComment(p, parent, from, false, message, e.now().Truncate(time.Second))
	c.Labels = labels
	e.emitComment(c, "add")
	return c.ID, nil
}

// EditComment changes a comment's text as its author would: the platform
// keeps no history, and a Facebook "edited" webhook event goes out.
func (e *Emulator) EditComment(commentID, message string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.comments[commentID]
	if !ok || c.gone() {
		return fmt.Errorf("%w: %s", ErrNotFound, commentID)
	}
	c.edit(message)
	e.emitComment(c, "edited")
	return nil
}

// AuthorDelete deletes a comment as its author would, emitting a "remove" event.
func (e *Emulator) AuthorDelete(commentID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.comments[commentID]
	if !ok || c.gone() {
		return fmt.Errorf("%w: %s", ErrNotFound, commentID)
	}
	e.deleteComment(c, "author")
	return nil
}

// RunLive adds activity at perMinute events a minute on average until ctx
// ends: mostly new comments and replies on recent posts drawn from the
// scenario's texts, sometimes an author's edit or deletion. The choices are
// deterministic for Options.Seed; the waits follow the real clock.
func (e *Emulator) RunLive(ctx context.Context, perMinute float64) error {
	if perMinute <= 0 {
		return fmt.Errorf("emulator: live rate %v per minute: want more than 0", perMinute)
	}
	mean := time.Duration(float64(time.Minute) / perMinute)
	for {
		e.mu.Lock()
		wait := time.Duration(-math.Log(1-e.rng.Float64()) * float64(mean))
		e.mu.Unlock()
		wait = min(max(wait, 10*time.Millisecond), 10*mean)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-e.ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		e.liveStep()
	}
}

// liveStep performs one random live event.
func (e *Emulator) liveStep() {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.scenario
	if len(s.commentPool) == 0 || len(s.authors) == 0 {
		return
	}
	// Recent posts of a random account: the three newest.
	a := e.accounts[e.rng.IntN(len(e.accounts))]
	var recent []*post
	for _, p := range a.posts {
		if !p.Deleted {
			recent = append(recent, p)
		}
		if len(recent) == 3 {
			break
		}
	}
	if len(recent) == 0 {
		return
	}
	p := recent[e.rng.IntN(len(recent))]
	roll := e.rng.IntN(100)
	var live []*comment
	for _, c := range p.threadComments(true) {
		if !c.ByPage {
			live = append(live, c)
		}
	}
	switch {
	case roll < 10 && len(live) > 0:
		c := live[e.rng.IntN(len(live))]
		w := s.commentPool[e.rng.IntN(len(s.commentPool))]
		c.edit(w.Text)
		c.Labels = w.Labels
		e.emitComment(c, "edited")
		e.log.Debug("emulator live edit", "comment_id", c.ID)
	case roll < 18 && len(live) > 0:
		c := live[e.rng.IntN(len(live))]
		e.deleteComment(c, "author")
		e.log.Debug("emulator live author delete", "comment_id", c.ID)
	default:
		parent := p.ID
		top := p.threadComments(false)
		if roll >= 80 && len(top) > 0 {
			parent = top[e.rng.IntN(len(top))].ID
		}
		w := s.commentPool[e.rng.IntN(len(s.commentPool))]
		from := s.authors[e.rng.IntN(len(s.authors))]
		id, err := e.addCommentLocked(parent, from, w.Text, w.Labels)
		if err == nil {
			c := e.comments[id]
			c.Question, c.Register = w.Question, w.Register
			e.log.Debug("emulator live comment", "comment_id", id)
		}
	}
}
