package chaos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
)

// Input is what Check compares.
type Input struct {
	// State is the emulator's state after the run: comments with every
	// text, actions received, webhook delivery attempts.
	State emulator.State
	// Store is uppsikt's store, read after serve stopped.
	Store moderation.Store
	// Keys maps the emulator's account ids to uppsikt's account keys.
	Keys map[string]string
	// HideThenReview are the categories uppsikt hides at once
	// (actions.hide_then_review).
	HideThenReview []string
	// Since is the start of the reconcile window: uppsikt reads posts
	// created since then, so comments on older posts are not compared
	// (their delivered texts still are).
	Since time.Time
}

// Report is the count of each kind of failure, with a line for each.
type Report struct {
	Lost             int
	VersionsLost     int
	DuplicateActions int
	BeforeEvidence   int
	Stalled          int
	Details          []string
	// Comments, Versions and Actions are what was compared.
	Comments, Versions, Actions int
}

// Failures is the sum of the counters.
func (r Report) Failures() int {
	return r.Lost + r.VersionsLost + r.DuplicateActions + r.BeforeEvidence + r.Stalled
}

func (r *Report) add(counter *int, format string, args ...any) {
	*counter++
	r.Details = append(r.Details, fmt.Sprintf(format, args...))
}

// stored is a platform comment as the store holds it.
type stored struct {
	c        moderation.Comment
	versions []moderation.CommentVersion
}

// Check compares the emulator's state with the store.
func Check(ctx context.Context, in Input) (Report, error) {
	var r Report
	st := in.Store
	comments := map[string]*stored{} // platform id → stored comment
	lookup := func(account, id string) (*stored, error) {
		if s, ok := comments[id]; ok {
			return s, nil
		}
		key, ok := in.Keys[account]
		if !ok {
			return nil, fmt.Errorf("account %s is not in the configuration", account)
		}
		c, err := st.CommentByPlatformID(ctx, key, id)
		if err != nil {
			return nil, err
		}
		vs, err := st.CommentVersions(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		s := &stored{c: c, versions: vs}
		comments[id] = s
		return s, nil
	}
	accountOf := map[string]string{} // comment id → emulator account id
	platform := map[string]emulator.StateComment{}
	onFacebook := map[string]bool{} // comment id → on a Facebook page
	for _, a := range in.State.Accounts {
		for _, p := range a.Posts {
			if p.Created.Before(in.Since) {
				continue
			}
			gone := map[string]bool{}
			for _, c := range p.Comments {
				gone[c.ID] = c.Deleted || p.Deleted || gone[c.ParentID]
			}
			for _, c := range p.Comments {
				r.Comments++
				accountOf[c.ID] = a.ID
				platform[c.ID] = c
				onFacebook[c.ID] = a.Platform == "facebook"
				s, err := lookup(a.ID, c.ID)
				if gone[c.ID] {
					// Deleting a comment deletes its replies on the platform.
					switch {
					case errors.Is(err, moderation.ErrNotFound):
						// Deleted before any poll or delivery saw it.
					case err != nil:
						return r, err
					case s.c.State != moderation.StateDeleted:
						r.add(&r.Lost, "lost: %s is deleted on the platform, %s in the store", c.ID, s.c.State)
					}
					continue
				}
				if errors.Is(err, moderation.ErrNotFound) {
					r.add(&r.Lost, "lost: %s (%s) is on the platform, not in the store", c.ID, a.Name)
					continue
				}
				if err != nil {
					return r, err
				}
				r.Versions += len(s.versions)
				if len(s.versions) == 0 || s.versions[len(s.versions)-1].Hash != moderation.VersionHash(c.Message) {
					r.add(&r.Lost, "lost: the platform's text of %s is not its latest stored version", c.ID)
				}
				want := moderation.StateVisible
				if c.Hidden {
					want = moderation.StateHidden
				}
				if s.c.State != want {
					r.add(&r.Lost, "lost: %s is %s on the platform, %s in the store", c.ID, want, s.c.State)
				}
			}
		}
	}

	// Every text delivered with a 2xx is a stored version.
	delivered := map[[2]string]bool{}
	for _, d := range in.State.Deliveries {
		if !d.OK || d.Item != "comment" || d.TextSHA256 == "" || delivered[[2]string{d.ObjectID, d.TextSHA256}] {
			continue
		}
		delivered[[2]string{d.ObjectID, d.TextSHA256}] = true
		s, err := lookup(d.Account, d.ObjectID)
		if errors.Is(err, moderation.ErrNotFound) {
			r.add(&r.VersionsLost, "versions lost: %s was delivered (event %d) and is not in the store", d.ObjectID, d.Event)
			continue
		}
		if err != nil {
			return r, err
		}
		if !slices.ContainsFunc(s.versions, func(v moderation.CommentVersion) bool { return v.Hash == d.TextSHA256 }) {
			r.add(&r.VersionsLost, "versions lost: the text of %s delivered by event %d is not a stored version", d.ObjectID, d.Event)
		}
	}

	// Actions: once each; removals only after the evidence of the version
	// then latest was committed.
	actions := slices.Clone(in.State.Actions)
	sort.SliceStable(actions, func(i, j int) bool { return actions[i].Time.Before(actions[j].Time) })
	seen := map[[3]string]int{}
	hidden := map[string]bool{}
	evidence := map[int64][]moderation.EvidenceFile{}
	for _, a := range actions {
		r.Actions++
		switch a.Kind {
		case "reply", "comment":
			// An explanation under a thread's top-level comment or on a
			// post may answer several removed comments, even with the same
			// text (one author, one reason): each must be the one an
			// action recorded. One that no action recorded was sent by a
			// try whose answer was lost and then sent again.
			if _, err := st.ActionByRef(ctx, a.NewID); errors.Is(err, moderation.ErrNotFound) || a.NewID == "" {
				r.add(&r.DuplicateActions, "duplicate action: %s on %s (%s) recorded by no action", a.Kind, a.ObjectID, a.NewID)
			} else if err != nil {
				return r, err
			}
		case "private_reply", "delete":
			k := [3]string{a.Kind, a.ObjectID}
			if seen[k]++; seen[k] > 1 {
				r.add(&r.DuplicateActions, "duplicate action: %s of %s sent %d times", a.Kind, a.ObjectID, seen[k])
			}
		case "hide":
			if hidden[a.ObjectID] {
				r.add(&r.DuplicateActions, "duplicate action: hide of %s, already hidden", a.ObjectID)
			}
			hidden[a.ObjectID] = true
		case "unhide":
			hidden[a.ObjectID] = false
		}
		if a.Kind != "hide" && a.Kind != "delete" {
			continue
		}
		account := accountOf[a.ObjectID]
		if account == "" {
			account = a.Account
		}
		s, err := lookup(account, a.ObjectID)
		if errors.Is(err, moderation.ErrNotFound) {
			r.add(&r.BeforeEvidence, "before evidence: %s of %s, a comment the store does not hold", a.Kind, a.ObjectID)
			continue
		}
		if err != nil {
			return r, err
		}
		files, ok := evidence[s.c.ID]
		if !ok {
			if files, err = st.Evidence(ctx, s.c.ID); err != nil {
				return r, err
			}
			evidence[s.c.ID] = files
		}
		latest := 0
		for _, v := range s.versions {
			if !v.SeenAt.After(a.Time) {
				latest = v.Version
			}
		}
		if !slices.ContainsFunc(files, func(f moderation.EvidenceFile) bool {
			return f.Kind == "pdf" && !f.CreatedAt.After(a.Time) && f.Version >= latest
		}) {
			r.add(&r.BeforeEvidence, "before evidence: %s of %s at %s without an evidence PDF of version %d committed before it",
				a.Kind, a.ObjectID, a.Time.Format("15:04:05.000"), latest)
		}
	}

	// Flagged comments: exactly one case; those to hide at once are hidden.
	cases, err := st.ListCases(ctx, moderation.CaseFilter{})
	if err != nil {
		return r, err
	}
	byComment := map[int64][]moderation.Case{}
	for _, c := range cases {
		byComment[c.CommentID] = append(byComment[c.CommentID], c)
	}
	ids := make([]string, 0, len(comments))
	for id := range comments {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := comments[id]
		v, err := st.LatestVerdict(ctx, s.c.ID)
		if errors.Is(err, moderation.ErrNotFound) {
			continue
		}
		if err != nil {
			return r, err
		}
		if !v.Verdict.Flagged() {
			continue
		}
		if n := len(byComment[s.c.ID]); n != 1 {
			r.add(&r.Lost, "lost: %s is flagged (%s) and has %d review cases, want 1", id, strings.Join(v.Verdict.Categories, ", "), n)
		}
		pc, onPlatform := platform[id]
		if !onPlatform || pc.Deleted || pc.Hidden || s.c.State == moderation.StateDeleted {
			continue
		}
		hide := slices.ContainsFunc(v.Verdict.Categories, func(c string) bool { return slices.Contains(in.HideThenReview, c) })
		if v.Verdict.Own && onFacebook[id] {
			hide = false // a Facebook page cannot hide its own comment: it waits for the reviewer
		}
		kept := slices.ContainsFunc(byComment[s.c.ID], func(c moderation.Case) bool { return c.State == moderation.CaseKept })
		if hide && !kept {
			r.add(&r.Stalled, "stalled: %s is flagged %s and still visible on the platform", id, strings.Join(v.Verdict.Categories, ", "))
		}
	}

	stats, err := st.Stats(ctx)
	if err != nil {
		return r, err
	}
	for _, s := range []struct {
		n    int
		what string
	}{
		{stats.Pending, "work items not done"}, {stats.Dead, "work items set aside"},
		{stats.ActionsPending, "platform actions pending"}, {stats.ActionsFailed, "platform actions failed"},
		{stats.WebhooksPending, "webhook deliveries not processed"}, {stats.Disconnected, "accounts disconnected"},
	} {
		if s.n > 0 {
			r.Stalled += s.n
			r.Details = append(r.Details, fmt.Sprintf("stalled: %d %s", s.n, s.what))
		}
	}
	return r, nil
}
