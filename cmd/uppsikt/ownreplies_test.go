package main

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/moderation"
)

const ownScenario = `name: Egenby kommun
language: sv
seed: 7
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094850000000001", name: Egenby kommun, token: EMU-own-1, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
  - {key: ig, platform: instagram, id: "17841400000000501", name: egenbykommun, page: fb, posts: 1, comments_per_post: [1, 1], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts:
  - "Vägarbetet på Storgatan börjar på måndag."
  - {account: ig, text: "Sommarbild från badplatsen."}
comments: ["När blir det klart?"]
`

// TestOwnRepliesOnlyForPersonalData has the municipality answer on its own
// Facebook page and Instagram account, through the Graph API of the
// emulator, and reads the answers both by polling and by webhook: an
// answer with a swear word or party politics opens no review case, an
// answer with a personnummer does. The same texts from a citizen open
// cases, so it is the author that makes the difference.
func TestOwnRepliesOnlyForPersonalData(t *testing.T) {
	sc, err := emulator.ParseScenario("own", []byte(ownScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	cfg := r.config(t)
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sup, err := openSupervision(ctx, cfg, st, discardLogger(), supervisionOptions{Sleep: r.clock.Sleep, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	classifier, err := newClassifier(cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Evidence is not what is tested here: it is recorded as made at once.
	ev := &slowEvidence{perCom: map[int64]int{}, documents: map[int64][]time.Time{}}
	pipe := pipeline.New(pipeline.Options{Store: st, Classifier: classifier, Evidence: ev, Now: r.clock.Now, Logger: discardLogger(),
		HideThenReview: moderation.PersonalDataCategories()})
	keys := map[string]string{"facebook": "facebook-0", "instagram": "instagram-1"}
	replier := map[string]interface {
		Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error)
	}{
		"facebook":  facebook.New(facebook.Options{Client: sup.client}),
		"instagram": instagram.New(instagram.Options{Client: sup.client}),
	}
	// The citizen's comment each account answers, and its post.
	citizen, post := map[string]string{}, map[string]string{}
	for _, a := range r.emu.State("").Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				if c.ParentID == "" && citizen[a.Platform] == "" {
					citizen[a.Platform], post[a.Platform] = c.ID, p.ID
				}
			}
		}
	}
	if citizen["facebook"] == "" || citizen["instagram"] == "" {
		t.Fatalf("the scenario has no citizen's comment to answer: %v", citizen)
	}

	texts := []struct {
		name     string
		text     string
		wantCase bool
	}{
		{"swear word", "Ja, det är ett jävla elände med vägarbetet, vi beklagar.", false},
		{"party politics", "Rösta på Moderaterna så blir det lägre skatt!", false},
		{"personnummer", "Vi har hittat ditt ärende med personnummer 811218-9876 och återkommer.", true},
	}
	type written struct {
		platform, path, name, id string
		own, wantCase            bool
	}
	write := func(path, suffix string) []written {
		t.Helper()
		var out []written
		for _, platform := range []string{"facebook", "instagram"} {
			acct, err := st.Account(ctx, keys[platform])
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range texts {
				id, err := replier[platform].Reply(ctx, acct, citizen[platform], tc.text+suffix)
				if err != nil {
					t.Fatalf("%s: the account's reply: %v", platform, err)
				}
				out = append(out, written{platform, path, tc.name, id, true, tc.wantCase})
				// The same words from a citizen.
				cid, err := r.emu.AddComment(post[platform], "Kalle Svensson", tc.text+suffix+" /Kalle")
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, written{platform, path, tc.name, cid, false, true})
			}
		}
		return out
	}
	check := func(all []written) {
		t.Helper()
		cases, err := st.ListCases(ctx, moderation.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range all {
			c, err := st.CommentByPlatformID(ctx, keys[w.platform], w.id)
			if err != nil {
				t.Errorf("%s %s %s (own %v): not stored: %v", w.path, w.platform, w.name, w.own, err)
				continue
			}
			v, err := st.LatestVerdict(ctx, c.ID)
			if err != nil {
				t.Errorf("%s %s %s (own %v): no verdict: %v", w.path, w.platform, w.name, w.own, err)
				continue
			}
			hasCase := slices.ContainsFunc(cases, func(k moderation.Case) bool { return k.CommentID == c.ID })
			if got, want := hasCase, w.wantCase; got != want {
				t.Errorf("%s %s %s (own %v): review case %v, want %v (categories %v)", w.path, w.platform, w.name, w.own, got, want, v.Verdict.Categories)
			}
			if got, want := v.Verdict.Own, w.own; got != want {
				t.Errorf("%s %s %s: verdict own = %v, want %v", w.path, w.platform, w.name, got, want)
			}
			// A personnummer is hidden at once, except in a Facebook
			// page's own comment, which the platform does not let the
			// page hide: it waits for the reviewer.
			acts, err := st.Actions(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			hidden := slices.ContainsFunc(acts, func(a moderation.Action) bool { return a.Kind == moderation.ActHide })
			wantHide := w.name == "personnummer" && !(w.own && w.platform == "facebook")
			if hidden != wantHide {
				t.Errorf("%s %s %s (own %v): hide queued %v, want %v", w.path, w.platform, w.name, w.own, hidden, wantHide)
			}
		}
	}

	// Polling.
	for _, key := range keys {
		if _, err := sup.poller.PollAccount(ctx, key, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pipe.Drain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	polled := write("poll", "")
	for _, key := range keys {
		if _, err := sup.poller.PollAccount(ctx, key, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pipe.Drain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check(polled)

	// Webhooks, without a poll: the comments arrive as Meta's deliveries.
	hooks := httptest.NewServer(sup.webhook)
	t.Cleanup(hooks.Close)
	if err := r.emu.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: hooks.URL, VerifyToken: rigVerify, SubscribeAll: true}); err != nil {
		t.Fatal(err)
	}
	pushed := write("webhook", " (igen)")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := sup.hooks.ProcessPending(ctx); err != nil {
			t.Fatal(err)
		}
		missing := 0
		for _, w := range pushed {
			if _, err := st.CommentByPlatformID(ctx, keys[w.platform], w.id); err != nil {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d comments did not arrive by webhook", missing, len(pushed))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := pipe.Drain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check(pushed)
}
