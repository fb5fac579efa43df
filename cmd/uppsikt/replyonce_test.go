package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/moderation"
)

// lossyPlatform makes the platform call and then loses its answer, the
// way a timeout after Meta created the reply, or a crash before uppsikt
// recorded it, does.
type lossyPlatform struct {
	act.Platform
	lose int // answers still to lose
}

var errLostAnswer = errors.New("read tcp 10.0.0.2:443: connection reset by peer")

func (p *lossyPlatform) Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	id, err := p.Platform.Reply(ctx, a, commentID, message)
	if err == nil && p.lose > 0 {
		p.lose--
		return "", errLostAnswer
	}
	return id, err
}

func (p *lossyPlatform) PrivateReply(ctx context.Context, a moderation.Account, commentID, message string) (string, error) {
	id, err := p.Platform.PrivateReply(ctx, a, commentID, message)
	if err == nil && p.lose > 0 {
		p.lose--
		return "", errLostAnswer
	}
	return id, err
}

const replyScenario = `name: Svarsby kommun
language: sv
seed: 5
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094840000000001", name: Svarsby kommun, token: EMU-reply-1, posts: 1, comments_per_post: [2, 2], reply_percent: 50}
  - {key: ig, platform: instagram, id: "17841400000000401", name: svarsbykommun, page: fb, posts: 1, comments_per_post: [2, 2], reply_percent: 0}
authors: ["Anna Ek", "Bo Ek"]
posts:
  - "Vägarbetet på Storgatan börjar på måndag."
  - {account: ig, text: "Sommarbild från badplatsen."}
comments: ["När blir det klart?"]
replies: ["Håller med"]
`

// TestRepliesAreSentOnce loses the platform's answer to a reply and to a
// private reply, as a timeout or a crash after the call would, and checks
// that the retry records the reply the platform already has instead of
// sending the author a second one — on Facebook (top-level comment and a
// reply in a thread) and on Instagram.
func TestRepliesAreSentOnce(t *testing.T) {
	sc, err := emulator.ParseScenario("reply", []byte(replyScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	emu := r.emu
	fbAcc, igAcc := emu.Accounts()[0], emu.Accounts()[1]
	fbKey, igKey := "facebook-0", "instagram-1"
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
	for _, key := range []string{fbKey, igKey} {
		if _, err := sup.poller.PollAccount(ctx, key, false); err != nil {
			t.Fatal(err)
		}
	}
	fbPlat := &lossyPlatform{Platform: facebook.New(facebook.Options{Client: sup.client})}
	igPlat := &lossyPlatform{Platform: instagram.New(instagram.Options{Client: sup.client})}
	exec := act.New(act.Options{Store: st, Platforms: map[moderation.Platform]act.Platform{moderation.Facebook: fbPlat, moderation.Instagram: igPlat},
		Now: r.clock.Now, Logger: discardLogger()})

	// One top-level comment and one reply in a thread on Facebook, one
	// top-level comment on Instagram.
	var fbTop, fbInThread, igTop, igCrash string
	for _, a := range emu.State("").Accounts {
		for _, p := range a.Posts {
			for _, c := range p.Comments {
				switch {
				case a.ID == fbAcc.ID && c.ParentID == "" && fbTop == "":
					fbTop = c.ID
				case a.ID == fbAcc.ID && c.ParentID != "" && fbInThread == "":
					fbInThread = c.ID
				case a.ID == igAcc.ID && c.ParentID == "" && igTop == "":
					igTop = c.ID
				case a.ID == igAcc.ID && c.ParentID == "" && igCrash == "":
					igCrash = c.ID
				}
			}
		}
	}
	if fbTop == "" || fbInThread == "" || igTop == "" || igCrash == "" {
		t.Fatalf("scenario lacks comments: fb top %q, fb reply %q, ig top %q and %q", fbTop, fbInThread, igTop, igCrash)
	}
	type want struct {
		key, platformID, kind string
	}
	cases := []want{
		{fbKey, fbTop, moderation.ActReply},
		{fbKey, fbInThread, moderation.ActReply},
		{fbKey, fbTop, moderation.ActPrivateReply},
		{igKey, igTop, moderation.ActReply},
		{igKey, igCrash, moderation.ActReply},
	}
	ids := map[int64]want{}
	for _, w := range cases {
		c, err := st.CommentByPlatformID(ctx, w.key, w.platformID)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: c.ID, Kind: w.kind, Payload: "Tack, vi har tagit emot din fråga.", CreatedAt: r.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ids[a.ID] = w
	}
	fbPlat.lose, igPlat.lose = 3, 1

	// A crash: the executor counted the try and sent the reply, and the
	// process died before it recorded the answer.
	crashed, err := st.CommentByPlatformID(ctx, igKey, igCrash)
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range ids {
		if w.platformID != igCrash {
			continue
		}
		if err := st.FinishAction(ctx, id, moderation.ActionPending, "", act.ReplyUnderWay); err != nil {
			t.Fatal(err)
		}
		igAccount, err := st.Account(ctx, igKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := igPlat.Platform.Reply(ctx, igAccount, crashed.PlatformID, "Tack, vi har tagit emot din fråga."); err != nil {
			t.Fatal(err)
		}
	}

	for round := 0; round < 4; round++ {
		if _, err := exec.Drain(ctx, nil); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(time.Minute) // past the backoff of a failed try
	}
	if fbPlat.lose != 0 || igPlat.lose != 0 {
		t.Fatalf("answers still to lose: facebook %d, instagram %d; the test did not exercise a lost answer", fbPlat.lose, igPlat.lose)
	}
	for id, w := range ids {
		c, err := st.CommentByPlatformID(ctx, w.key, w.platformID)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := st.Actions(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acts {
			if a.ID != id {
				continue
			}
			if a.State != moderation.ActionDone {
				t.Errorf("%s of %s: state %s (%s), want done", w.kind, w.platformID, a.State, a.LastError)
			}
			if w.kind == moderation.ActReply && a.PlatformRef == "" {
				t.Errorf("%s of %s: no platform reference recorded for the reply found on the platform", w.kind, w.platformID)
			}
		}
		sent := 0
		for _, a := range emu.State("").Actions {
			if a.ObjectID == w.platformID && a.Kind == map[string]string{moderation.ActReply: "reply", moderation.ActPrivateReply: "private_reply"}[w.kind] {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("%s to %s reached the platform %d times, want 1", w.kind, w.platformID, sent)
		}
	}
}
