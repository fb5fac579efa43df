package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

const gallringScenario = `
name: Gruvbergs kommun
language: sv
seed: 11
days: 2
accounts:
  - {key: fb, platform: facebook, id: "1094810000000999", name: Gruvbergs kommun, token: EMU-gallring, posts: 1, comments_per_post: [1, 1]}
authors: [Anna Lindqvist, Per Eriksson]
posts: ["Biblioteket har nya öppettider"]
comments: ["Tack för informationen"]
`

// TestDailyRetention runs the service's daily retention on a store holding
// comments first seen over the last 600 days: the text of those seen
// before the plan's 12 months is disposed of, the disposal is logged and
// audited, the newer texts stay, and a second run the same day disposes of
// nothing more. A schedule other than daily or off is a configuration
// error.
func TestDailyRetention(t *testing.T) {
	sc, err := emulator.ParseScenario("gallring.yaml", []byte(gallringScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	var key string
	for k := range r.keys {
		key = k
	}
	cfg := r.config(t)
	if cfg.Archive.Retention.Schedule != "daily" {
		t.Fatalf("retention schedule: got %q, want the default daily", cfg.Archive.Retention.Schedule)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: key, Platform: moderation.Facebook, PlatformID: r.keys[key].ID, Name: "Gruvbergs kommun", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cutoff := now.AddDate(0, -12, 0)
	old := 0
	for i := range 20 {
		seen := now.AddDate(0, 0, -30*i)
		if seen.Before(cutoff) {
			old++
		}
		if _, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: key, PostID: "1_1", PlatformID: fmt.Sprintf("1_1_%d", i),
			Message: fmt.Sprintf("Kommentar %d om biblioteket", i), Author: moderation.Author{ID: "9", Name: "Anna Lindqvist"},
			CreatedAt: seen, Source: moderation.SourcePoll, SeenAt: seen}); err != nil {
			t.Fatal(err)
		}
	}
	work, err := st.PendingWork(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work { // classified: nothing keeps them
		if err := st.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}

	planAgent := retention.PlanAgent(retentionPlan(cfg))
	if !strings.Contains(planAgent, cfg.Archive.Retention.Rule) {
		t.Errorf("the daily run's agent %q does not name the plan's rule %q", planAgent, cfg.Archive.Retention.Rule)
	}
	log := discardLogger()
	dailyRetention(cfg, st, graphClient(cfg, mustTokens(t, cfg, st), log), log, time.Now).Once(ctx, now)
	ds, err := st.Disposals(ctx, key)
	if err != nil || len(ds) != 1 || ds[0].Comments != old || ds[0].By != planAgent || ds[0].Rule != cfg.Archive.Retention.Rule {
		t.Fatalf("disposal log: got %+v, %v; want one disposal of %d comments by %q", ds, err, old, planAgent)
	}
	after, err := st.ListComments(ctx, moderation.CommentFilter{AccountKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 20 {
		t.Fatalf("comments after the run: got %d, want all 20 (only their text is disposed)", len(after))
	}
	for _, c := range after {
		if disposed := c.Message == ""; disposed != c.CreatedAt.Before(cutoff) {
			t.Errorf("comment of %s: text disposed %v, want %v", c.CreatedAt.Format(time.DateOnly), disposed, c.CreatedAt.Before(cutoff))
		}
	}
	audits, err := st.AuditLog(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	disposals := 0
	for _, e := range audits {
		if e.Action == "disposal" && e.Subject == key && e.Actor == planAgent {
			disposals++
		}
	}
	if disposals != 1 {
		t.Errorf("audit entries of the disposal: got %d, want 1", disposals)
	}
	dailyRetention(cfg, st, graphClient(cfg, mustTokens(t, cfg, st), log), log, time.Now).Once(ctx, now)
	if ds, _ := st.Disposals(ctx, key); len(ds) > 1 && ds[len(ds)-1].Items != 0 {
		t.Errorf("a second run the same day disposed of %d more texts, want none", ds[len(ds)-1].Items)
	}

	// A manual run names who decided it: without -by it is refused; with
	// -by the disposal log and its audit entry name that person.
	for i := range 3 {
		seen := now.AddDate(-2, 0, -i)
		if _, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: key, PostID: "1_1", PlatformID: fmt.Sprintf("1_1_old_%d", i),
			Message: "En gammal kommentar", CreatedAt: seen, Source: moderation.SourcePoll, SeenAt: seen}); err != nil {
			t.Fatal(err)
		}
	}
	work, err = st.PendingWork(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if err := st.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := r.run(t, "retention", "run", "-config", r.cfgPath, "-account", key); code != 2 || !strings.Contains(out+errs, "-by") {
		t.Errorf("retention run without -by: exit %d %q; want 2 asking for -by", code, out+errs)
	}
	if code, out, errs := r.run(t, "retention", "run", "-config", r.cfgPath, "-account", key, "-by", "Karin Arkivarie"); code != 0 {
		t.Fatalf("retention run -by: exit %d %s%s", code, out, errs)
	}
	ds, err = st.Disposals(ctx, key)
	if err != nil || len(ds) == 0 || ds[len(ds)-1].By != "Karin Arkivarie" || ds[len(ds)-1].Comments != 3 {
		t.Errorf("disposal log after retention run -by: got %+v, %v; want the last, of 3 comments, by Karin Arkivarie", ds, err)
	}
	audits, err = st.AuditLog(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if last := audits[len(audits)-1]; last.Action != "disposal" || last.Actor != "Karin Arkivarie" {
		t.Errorf("the audit entry of the manual disposal: got %s by %q, want disposal by Karin Arkivarie", last.Action, last.Actor)
	}

	body, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := string(body) + "archive:\n  retention:\n    schedule: weekly\n"
	if err := os.WriteFile(r.cfgPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := r.run(t, "config", "check", "-config", r.cfgPath); code == 0 || !strings.Contains(out+errs, "archive.retention.schedule") {
		t.Errorf("config check with schedule weekly: exit %d %q %q; want an error naming archive.retention.schedule", code, out, errs)
	}
}

// mustTokens are the accounts' tokens as a command reads them.
func mustTokens(t *testing.T, cfg *config.Config, st moderation.Store) map[string]string {
	t.Helper()
	tokens, err := knownTokens(context.Background(), cfg, st, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}
