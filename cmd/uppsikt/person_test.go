package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// personRig stores, on a webpage account, the comments of the person "u1"
// (one plain comment with two versions; one flagged, with a review case, a
// decision, evidence, a register entry and a reply to the person) and a
// reply by someone else that quotes the person, and two webhook
// deliveries naming the person, one processed and one not.
func personRig(t *testing.T) (cfgPath string, plain, flagged int64) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "uppsikt.yaml")
	body := "municipality:\n  name: Gruvbergs kommun\npaths:\n  data: data\naccounts:\n  - key: web\n    platform: webpage\n    id: https://kommun.example/nyheter\n    name: Nyheter\n    owners: [anna]\n    site:\n      url: https://kommun.example/nyheter\n      comment: .c\n      author: .a\n      text: .t\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o750); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "data", "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "web", Platform: moderation.Webpage, PlatformID: "https://kommun.example/nyheter", Name: "Nyheter", Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	record := func(id, author, name, parent, text string, seen time.Time) moderation.IngestResult {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "web", PostID: "p1", PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: author, Name: name}, Message: text, CreatedAt: at,
			Raw:    json.RawMessage(fmt.Sprintf(`{"id":%q,"from":{"id":%q,"name":%q},"message":%q}`, id, author, name, text)),
			Source: moderation.SourcePoll, SeenAt: seen})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	p := record("c1", "u1", "Åsa Öberg", "", "Bra att snöröjningen börjar tidigt", at)
	record("c1", "u1", "Åsa Öberg", "", "Bra att snöröjningen börjar tidigt i år", at.Add(time.Hour))
	f := record("c2", "u1", "Åsa Öberg", "", "Mitt personnummer är 811218-9876", at.Add(2*time.Hour))
	record("c3", "u2", "Bo Ek", "c1", "Håller med Åsa Öberg om snöröjningen", at.Add(3*time.Hour))
	for _, v := range []moderation.IngestResult{p, f} {
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: v.CommentID, Version: v.Version, At: at, Verdict: moderation.Verdict{}}); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := st.OpenCase(ctx, moderation.Case{CommentID: f.CommentID, Version: f.Version, AccountKey: "web", State: moderation.CaseOpen,
		Categories: []string{moderation.CatPersonalID}, OpenedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "web", At: at},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved); err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.Open(filepath.Join(dir, "data", "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := ev.Put(ctx, []byte("%PDF-1.7 evidence of c2"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: f.CommentID, Kind: "pdf", SHA256: file.SHA256, Path: file.Path, Size: file.Size, CreatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: f.CommentID, CaseID: c.ID, CreatedAt: at},
		func(year, seq int) string { return fmt.Sprintf("KS %d/%04d", year, seq) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: f.CommentID, CaseID: c.ID, Kind: moderation.ActReply,
		Payload: "Vi har tagit bort din kommentar eftersom den innehöll ett personnummer.", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	// The pipeline has processed every version.
	work, err := st.PendingWork(ctx, at.Add(24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if err := st.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i, done := range []bool{true, false} {
		id, err := st.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", ReceivedAt: at,
			Body: []byte(fmt.Sprintf(`{"object":"page","entry":[{"changes":[{"value":{"comment_id":"c%d","from":{"id":"u1","name":"Åsa Öberg"},"message":"hej"}}]}]}`, 10+i))})
		if err != nil {
			t.Fatal(err)
		}
		if done {
			if err := st.FinishWebhookEvent(ctx, id, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cfgPath, p.CommentID, f.CommentID
}

// TestPersonExportAndErase: the export holds every comment of the person
// with what is attached to it, as JSON and a readable PDF; the erasure
// erases the plain comment, keeps the flagged one as a public record and
// says why, is audited, and leaves the evidence and the audit chain intact.
func TestPersonExportAndErase(t *testing.T) {
	cfgPath, plain, flagged := personRig(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "export")
	cmd := func(want int, args ...string) string {
		t.Helper()
		env, o, e := testEnv(nil)
		if got := run(ctx, env, args); got != want {
			t.Fatalf("uppsikt %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, want, o, e)
		}
		return o.String() + e.String()
	}
	cmd(0, "person", "export", "-config", cfgPath, "-author", "u1", "-out", out, "-lang", "sv")

	data, err := os.ReadFile(filepath.Join(out, "person-u1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AuthorID string   `json:"author_id"`
		Names    []string `json:"names"`
		About    struct {
			Purpose    string   `json:"purpose"`
			Recipients []string `json:"recipients"`
			Source     string   `json:"source"`
		} `json:"about"`
		Comments []struct {
			ID       string `json:"platform_id"`
			Versions []struct {
				Text string          `json:"text"`
				Raw  json.RawMessage `json:"platform_answer"`
			} `json:"versions"`
			Cases []struct {
				Decisions []struct{ By string } `json:"decisions"`
			} `json:"cases"`
			Actions  []struct{ Text string }         `json:"actions"`
			Evidence []struct{ SHA256 string }       `json:"evidence"`
			Register []struct{ Number string }       `json:"register_entries"`
			Keep     []struct{ Kind, Reason string } `json:"kept_on_erasure"`
		} `json:"comments"`
		Deliveries int `json:"webhook_deliveries"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Comments) != 2 || doc.Comments[0].ID != "c1" || doc.Comments[1].ID != "c2" {
		t.Fatalf("exported comments = %+v, want c1 and c2 (not c3, someone else's)", doc.Comments)
	}
	c1, c2 := doc.Comments[0], doc.Comments[1]
	if len(c1.Versions) != 2 || c1.Versions[1].Text != "Bra att snöröjningen börjar tidigt i år" || len(c1.Versions[0].Raw) == 0 || len(c1.Keep) != 0 {
		t.Errorf("c1 = %+v, want both versions with the platform's answer, erasable", c1)
	}
	if len(c2.Cases) != 1 || len(c2.Cases[0].Decisions) != 1 || len(c2.Evidence) != 1 || len(c2.Register) != 1 ||
		len(c2.Actions) != 1 || !strings.Contains(c2.Actions[0].Text, "personnummer") || len(c2.Keep) != 3 {
		t.Errorf("c2 = %+v, want its case, decision, evidence, register entry, the reply to the person, and three reasons to keep it", c2)
	}
	if doc.AuthorID != "u1" || len(doc.Names) != 1 || doc.Names[0] != "Åsa Öberg" || doc.About.Purpose == "" || doc.About.Source == "" ||
		len(doc.About.Recipients) == 0 || doc.Deliveries != 2 {
		t.Errorf("export head = %+v, want the person, their name, purpose, recipients, source and 2 deliveries", doc)
	}
	t.Run("pdf", func(t *testing.T) {
		testenv.NeedTools(t, "pdftotext")
		text, err := exec.Command("pdftotext", filepath.Join(out, "person-u1.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Registerutdrag", "Bra att snöröjningen börjar tidigt i år", "811218-9876", "KS 2026/0001", "Ändamål"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("the export PDF lacks %q", want)
			}
		}
	})

	// A dry run changes nothing.
	got := cmd(0, "person", "erase", "-config", cfgPath, "-author", "u1", "-by", "dso", "-dry-run")
	if !strings.Contains(got, "would erase the text of 1 comments (2 versions)") {
		t.Errorf("dry run output:\n%s", got)
	}
	got = cmd(0, "person", "erase", "-config", cfgPath, "-author", "u1", "-by", "dso")
	for _, want := range []string{"erased the text of 1 comments (2 versions) and 1 webhook deliveries", "c2", "KS 2026/0001", "register",
		"1 webhook deliveries naming the person are not yet processed", "person.erased"} {
		if !strings.Contains(got, want) {
			t.Errorf("erase output lacks %q:\n%s", want, got)
		}
	}

	st, err := sqlite.Open(ctx, filepath.Join(filepath.Dir(cfgPath), "data", "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := st.CommentVersions(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Message != "" || len(v.Raw) != 0 {
			t.Errorf("c1 version %d still holds %q %s", v.Version, v.Message, v.Raw)
		}
	}
	if c, _ := st.Comment(ctx, plain); c.Author.ID != "" || c.Author.Name != "" {
		t.Errorf("c1 author = %+v, want erased", c.Author)
	}
	if hits, err := st.SearchComments(ctx, "snöröjningen", 10); err != nil || len(hits) != 1 {
		t.Errorf("search for the erased text: %d hits (%v), want only the other person's reply", len(hits), err)
	}
	if vs, _ := st.CommentVersions(ctx, flagged); len(vs) != 1 || vs[0].Message != "Mitt personnummer är 811218-9876" {
		t.Errorf("the kept comment's text = %+v, want it unchanged", vs)
	}
	log, err := st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var erased *moderation.AuditEntry
	for i := range log {
		if log[i].Action == moderation.AuditPersonErased {
			erased = &log[i]
		}
		if strings.Contains(string(log[i].Detail), "Åsa") || strings.Contains(log[i].Subject, "u1") {
			t.Errorf("audit entry %d names the person: %s %s", log[i].Seq, log[i].Subject, log[i].Detail)
		}
	}
	if erased == nil || erased.Actor != "dso" || !strings.Contains(string(erased.Detail), `"comments_erased":1`) {
		t.Errorf("audit entry of the erasure = %+v, want one by dso with the counts", erased)
	}
	ds, err := st.Disposals(ctx, "web")
	if err != nil || len(ds) != 1 || ds[0].Kind != moderation.DisposalErasure || ds[0].Items != 2 {
		t.Errorf("disposal log = %+v (%v), want one erasure of 2 versions", ds, err)
	}
	st.Close()
	if got := cmd(0, "verify", "-config", cfgPath); !strings.Contains(got, "ok") {
		t.Errorf("verify after the erasure:\n%s", got)
	}

	// The person is now only in what is kept.
	out2 := filepath.Join(t.TempDir(), "again")
	cmd(0, "person", "export", "-config", cfgPath, "-author", "u1", "-out", out2)
	data, err = os.ReadFile(filepath.Join(out2, "person-u1.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Comments = nil
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Comments) != 1 || doc.Comments[0].ID != "c2" || doc.Deliveries != 1 {
		t.Errorf("export after the erasure: %d comments, %d deliveries; want c2 only and the unprocessed delivery", len(doc.Comments), doc.Deliveries)
	}
}
