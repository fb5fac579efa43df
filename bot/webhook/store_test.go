package webhook

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// memStore keeps the parts of moderation.Store the webhook package uses, in
// memory, with the store's rules: a version per distinct text, deleted is
// final, an older state change is ignored. Other methods panic.
type memStore struct {
	moderation.Store
	mu       sync.Mutex
	accounts []moderation.Account
	events   []moderation.WebhookEvent
	comments map[string]*memComment // account/platform id
}

type memComment struct {
	c        moderation.Comment
	versions []string // hashes
	texts    []string
	seen     []time.Time
}

func newMemStore(accounts ...moderation.Account) *memStore {
	return &memStore{accounts: accounts, comments: map[string]*memComment{}}
}

func (m *memStore) Accounts(context.Context) ([]moderation.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]moderation.Account(nil), m.accounts...), nil
}

func (m *memStore) SaveWebhookEvent(_ context.Context, e moderation.WebhookEvent) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.ID = int64(len(m.events) + 1)
	m.events = append(m.events, e)
	return e.ID, nil
}

func (m *memStore) PendingWebhookEvents(_ context.Context, now time.Time, limit int) ([]moderation.WebhookEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []moderation.WebhookEvent
	for _, e := range m.events {
		due := now.IsZero() || !e.NextAttemptAt.After(now)
		if !e.Done && due && (limit <= 0 || len(out) < limit) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) RetryWebhookEvent(_ context.Context, id int64, retryAt time.Time, lastError string, countAttempt bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := &m.events[id-1]
	if e.Done {
		return nil
	}
	e.NextAttemptAt, e.Error = retryAt, lastError
	if countAttempt {
		e.Attempts++
	}
	return nil
}

func (m *memStore) CommentVersions(_ context.Context, id int64) ([]moderation.CommentVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.comments {
		if c.c.ID == id {
			var vs []moderation.CommentVersion
			for i, h := range c.versions {
				vs = append(vs, moderation.CommentVersion{CommentID: id, Version: i + 1, Hash: h, Message: c.texts[i], SeenAt: c.seen[i]})
			}
			return vs, nil
		}
	}
	return nil, fmt.Errorf("comment %d: %w", id, moderation.ErrNotFound)
}

func (m *memStore) FinishWebhookEvent(_ context.Context, id int64, processErr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[id-1].Done = true
	m.events[id-1].Error = processErr
	return nil
}

func (m *memStore) CommentByPlatformID(_ context.Context, key, id string) (moderation.Comment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.comments[key+"/"+id]
	if !ok {
		return moderation.Comment{}, fmt.Errorf("comment %s: %w", id, moderation.ErrNotFound)
	}
	return c.c, nil
}

func (m *memStore) RecordComment(_ context.Context, o moderation.CommentObservation) (moderation.IngestResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := o.AccountKey + "/" + o.PlatformID
	c, ok := m.comments[k]
	var r moderation.IngestResult
	st := moderation.StateVisible
	if o.Hidden {
		st = moderation.StateHidden
	}
	if !ok {
		c = &memComment{c: moderation.Comment{ID: int64(len(m.comments) + 1), AccountKey: o.AccountKey, PostID: o.PostID,
			PlatformID: o.PlatformID, ParentID: o.ParentID, State: st, StateAt: o.SeenAt}}
		m.comments[k] = c
		r.NewComment = true
	} else if c.c.State != moderation.StateDeleted && c.c.State != st && !o.SeenAt.Before(c.c.StateAt) {
		c.c.State, c.c.StateAt = st, o.SeenAt
		r.StateChanged = true
	}
	h := moderation.VersionHash(o.Message)
	for i, v := range c.versions {
		if v == h {
			r.Version = i + 1
			return r, nil
		}
	}
	c.versions = append(c.versions, h)
	c.texts = append(c.texts, o.Message)
	c.seen = append(c.seen, o.SeenAt)
	c.c.Versions = len(c.versions)
	r.NewVersion, r.Version, r.CommentID = true, len(c.versions), c.c.ID
	return r, nil
}

func (m *memStore) RecordStateChange(_ context.Context, ch moderation.StateChange) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.comments[ch.AccountKey+"/"+ch.PlatformID]
	if !ok {
		return false, fmt.Errorf("comment %s: %w", ch.PlatformID, moderation.ErrNotFound)
	}
	if c.c.State == ch.State || c.c.State == moderation.StateDeleted {
		return false, nil
	}
	if ch.State != moderation.StateDeleted && ch.At.Before(c.c.StateAt) {
		return false, nil
	}
	c.c.State, c.c.StateAt = ch.State, ch.At
	return true, nil
}

func (m *memStore) versions(key, id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.comments[key+"/"+id]; ok {
		return len(c.versions)
	}
	return 0
}

func (m *memStore) state(key, id string) moderation.CommentState {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.comments[key+"/"+id]; ok {
		return c.c.State
	}
	return ""
}

// texts returns every text stored for a comment, oldest first.
func (m *memStore) texts(key, id string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.comments[key+"/"+id]; ok {
		return append([]string(nil), c.texts...)
	}
	return nil
}

// event returns a stored delivery as it is now.
func (m *memStore) event(id int64) moderation.WebhookEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events[id-1]
}

func (m *memStore) eventCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.events)
}
