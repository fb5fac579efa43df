package facebook

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

func TestReconcileFindsPostsDeletedAsAWhole(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	first, _ := collect(t, r, a, nil, nil)
	perPost := map[string][]string{}
	for _, c := range first.Comments {
		perPost[c.PostID] = append(perPost[c.PostID], c.PlatformID)
	}
	posts := slices.Clone(first.Posts)
	sort.Slice(posts, func(i, j int) bool { return posts[i].CreatedAt.Before(posts[j].CreatedAt) })
	if len(posts) < 3 {
		t.Fatalf("first walk saw %d posts, want at least 3", len(posts))
	}
	// The oldest post falls out of the window but stays on the platform: it
	// is stored, not listed, and must delete nothing.
	outside := posts[0]
	since := outside.CreatedAt.Add(time.Second)
	if !posts[1].CreatedAt.After(outside.CreatedAt) {
		t.Fatalf("the two oldest posts share a time; the scenario cannot test this")
	}
	// A post with at least two comments is deleted as a whole.
	var gone moderation.Post
	for _, p := range posts[1:] {
		if len(perPost[p.PlatformID]) >= 2 {
			gone = p
			break
		}
	}
	if gone.PlatformID == "" {
		t.Fatal("no post with two comments in the scenario")
	}
	known := map[string]moderation.CommentState{}
	knownPost := map[string]string{}
	for _, c := range first.Comments {
		known[c.PlatformID] = moderation.StateVisible
		knownPost[c.PlatformID] = c.PostID
	}
	// One comment of the deleted post was already recorded as deleted.
	already := perPost[gone.PlatformID][0]
	known[already] = moderation.StateDeleted
	if err := r.emu.DeletePost(gone.PlatformID); err != nil {
		t.Fatal(err)
	}

	var all moderation.PollResult
	var askedSince time.Time
	o := moderation.ReconcileOptions{
		Since:  since,
		Source: moderation.SourceReconcile,
		Known: func(_ context.Context, postID string) (map[string]moderation.CommentState, error) {
			out := map[string]moderation.CommentState{}
			for id, st := range known {
				if knownPost[id] == postID {
					out[id] = st
				}
			}
			return out, nil
		},
		KnownPosts: func(_ context.Context, s time.Time) ([]string, error) {
			askedSince = s
			var ids []string
			for _, p := range posts {
				ids = append(ids, p.PlatformID)
			}
			return ids, nil
		},
		Emit: func(_ context.Context, res moderation.PollResult) error {
			all.Posts = append(all.Posts, res.Posts...)
			all.Changes = append(all.Changes, res.Changes...)
			return nil
		},
	}
	if _, err := r.conn.Reconcile(context.Background(), a, o); err != nil {
		t.Fatal(err)
	}
	if !askedSince.Equal(since) {
		t.Errorf("KnownPosts since: got %v, want %v", askedSince, since)
	}
	for _, p := range all.Posts {
		if p.PlatformID == gone.PlatformID || p.PlatformID == outside.PlatformID {
			t.Errorf("walk listed post %s, want it missing from the list", p.PlatformID)
		}
	}
	var got []string
	for _, c := range all.Changes {
		if c.State != moderation.StateDeleted {
			continue
		}
		got = append(got, c.PlatformID)
		if c.Source != moderation.SourceReconcile || !c.At.Equal(r.clock.Now()) || c.AccountKey != a.Key {
			t.Errorf("change %s: got source %q at %v account %q, want reconcile at %v account %q",
				c.PlatformID, c.Source, c.At, c.AccountKey, r.clock.Now(), a.Key)
		}
	}
	var want []string
	for _, id := range perPost[gone.PlatformID] {
		if id != already {
			want = append(want, id)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("deleted comments: got %v, want %v (the comments of the deleted post not yet deleted; none of %s)",
			got, want, outside.PlatformID)
	}
}

func TestGonePostsWithoutKnownPostsDoesNothing(t *testing.T) {
	r := newRig(t)
	a := r.fb[0]
	first, _ := collect(t, r, a, nil, nil)
	if len(first.Posts) == 0 {
		t.Fatal("no posts")
	}
	if err := r.emu.DeletePost(first.Posts[0].PlatformID); err != nil {
		t.Fatal(err)
	}
	n := 0
	changes, err := GonePosts(context.Background(), r.conn.Client(), a, moderation.ReconcileOptions{}, map[string]bool{}, &n)
	if err != nil || len(changes) != 0 || n != 0 {
		t.Errorf("GonePosts without KnownPosts: got %d changes, %d requests, error %v; want none", len(changes), n, err)
	}
}
