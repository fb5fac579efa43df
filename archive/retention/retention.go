package retention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Store is what retention reads and changes.
type Store interface {
	moderation.ArchiveStore
	Accounts(ctx context.Context) ([]moderation.Account, error)
	Account(ctx context.Context, key string) (moderation.Account, error)
}

// Plan is the retention plan.
type Plan struct {
	Rule              string // the information management plan's rule, for the log
	CommentTextMonths int    // default 12
	OwnPostMonths     int    // default 24
	OwnAlbumMonths    int    // default 36
}

func (p Plan) withDefaults() Plan {
	if p.Rule == "" {
		p.Rule = "Tillfällig eller ringa betydelse"
	}
	if p.CommentTextMonths <= 0 {
		p.CommentTextMonths = 12
	}
	if p.OwnPostMonths <= 0 {
		p.OwnPostMonths = 24
	}
	if p.OwnAlbumMonths <= 0 {
		p.OwnAlbumMonths = 36
	}
	return p
}

// Run disposes of comment text past its age on every account (or only
// accountKey when set) and returns one disposal per account. With dryRun
// nothing changes and the disposals only count. by is who runs it.
func Run(ctx context.Context, st Store, plan Plan, now time.Time, accountKey string, dryRun bool, by string) ([]moderation.Disposal, error) {
	plan = plan.withDefaults()
	var accounts []moderation.Account
	if accountKey != "" {
		a, err := st.Account(ctx, accountKey)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		accounts = []moderation.Account{a}
	} else {
		var err error
		if accounts, err = st.Accounts(ctx); err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
	}
	cutoff := now.AddDate(0, -plan.CommentTextMonths, 0)
	var out []moderation.Disposal
	for _, a := range accounts {
		d, err := st.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: a.Key, Rule: plan.Rule,
			Cutoff: cutoff, By: by, At: now, DryRun: dryRun})
		if err != nil {
			return out, fmt.Errorf("retention: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// OverduePost is one of the account's own posts past its age.
type OverduePost struct {
	Post     moderation.Post
	Album    bool
	DueSince time.Time                  // when it passed its age
	Snapshot *moderation.SnapshotRecord // the snapshot that covers it, nil when none
}

// OverduePosts lists the account's own posts (written by the account
// itself) past their age under the plan at now, oldest first, each with
// the snapshot that covers it if any. It reads the store a page at a time.
func OverduePosts(ctx context.Context, st Store, plan Plan, accountKey string, now time.Time) ([]OverduePost, error) {
	plan = plan.withDefaults()
	a, err := st.Account(ctx, accountKey)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	snaps, err := st.Snapshots(ctx, accountKey)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	postCut := now.AddDate(0, -plan.OwnPostMonths, 0)
	albumCut := now.AddDate(0, -plan.OwnAlbumMonths, 0)
	var out []OverduePost
	var cur moderation.PostCursor
	for {
		ps, next, err := st.PostsBetween(ctx, accountKey, time.Unix(0, 1), postCut, cur, 500)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		if len(ps) == 0 {
			break
		}
		cur = next
		for _, p := range ps {
			if p.Author.ID != a.PlatformID {
				continue
			}
			album := IsAlbum(p)
			if album && !p.CreatedAt.Before(albumCut) {
				continue
			}
			o := OverduePost{Post: p, Album: album, DueSince: p.CreatedAt.AddDate(0, plan.OwnPostMonths, 0)}
			if album {
				o.DueSince = p.CreatedAt.AddDate(0, plan.OwnAlbumMonths, 0)
			}
			if s, ok := Covering(p, snaps); ok {
				o.Snapshot = &s
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// IsAlbum reports whether a post is a photo album, from the platform's raw
// answer: an attachment of type album (Facebook) or a carousel (Instagram).
func IsAlbum(p moderation.Post) bool {
	var raw struct {
		MediaType   string `json:"media_type"`
		Attachments struct {
			Data []struct {
				Type string `json:"type"`
			} `json:"data"`
		} `json:"attachments"`
	}
	if len(p.Raw) == 0 || json.Unmarshal(p.Raw, &raw) != nil {
		return false
	}
	if raw.MediaType == "CAROUSEL_ALBUM" {
		return true
	}
	for _, a := range raw.Attachments.Data {
		if a.Type == "album" {
			return true
		}
	}
	return false
}

// Covering returns a snapshot, taken after the post was made, whose period
// holds the post's creation time.
func Covering(p moderation.Post, snaps []moderation.SnapshotRecord) (moderation.SnapshotRecord, bool) {
	for _, s := range snaps {
		if !p.CreatedAt.Before(s.From) && p.CreatedAt.Before(s.To) && s.CreatedAt.After(p.CreatedAt) {
			return s, true
		}
	}
	return moderation.SnapshotRecord{}, false
}

// ErrNotInSnapshot is returned by CheckDeletable for a post that no
// snapshot covers yet.
var ErrNotInSnapshot = errors.New("the post is in no snapshot yet: take the snapshot of its year first")

// ErrNotOverdue is returned by CheckDeletable for a post not past its age.
var ErrNotOverdue = errors.New("the post is not past its age under the retention plan")

// CheckDeletable is the guard before an own post is deleted on approval:
// it must be the account's own, past its age, and covered by a snapshot.
func CheckDeletable(ctx context.Context, st Store, plan Plan, accountKey, postID string, now time.Time) (OverduePost, error) {
	plan = plan.withDefaults()
	a, err := st.Account(ctx, accountKey)
	if err != nil {
		return OverduePost{}, fmt.Errorf("retention: %w", err)
	}
	snaps, err := st.Snapshots(ctx, accountKey)
	if err != nil {
		return OverduePost{}, fmt.Errorf("retention: %w", err)
	}
	var found *moderation.Post
	var cur moderation.PostCursor
	for found == nil {
		ps, next, err := st.PostsBetween(ctx, accountKey, time.Unix(0, 1), now, cur, 500)
		if err != nil {
			return OverduePost{}, fmt.Errorf("retention: %w", err)
		}
		if len(ps) == 0 {
			break
		}
		cur = next
		for i := range ps {
			if ps[i].PlatformID == postID {
				found = &ps[i]
				break
			}
		}
	}
	if found == nil {
		return OverduePost{}, fmt.Errorf("retention: post %s/%s: %w", accountKey, postID, moderation.ErrNotFound)
	}
	p := *found
	if p.Author.ID != a.PlatformID {
		return OverduePost{}, fmt.Errorf("retention: post %s is not the account's own", postID)
	}
	o := OverduePost{Post: p, Album: IsAlbum(p)}
	months := plan.OwnPostMonths
	if o.Album {
		months = plan.OwnAlbumMonths
	}
	o.DueSince = p.CreatedAt.AddDate(0, months, 0)
	if now.Before(o.DueSince) {
		return o, fmt.Errorf("retention: post %s: %w (due %s)", postID, ErrNotOverdue, o.DueSince.Format(time.DateOnly))
	}
	s, ok := Covering(p, snaps)
	if !ok {
		return o, fmt.Errorf("retention: post %s: %w", postID, ErrNotInSnapshot)
	}
	o.Snapshot = &s
	return o, nil
}
