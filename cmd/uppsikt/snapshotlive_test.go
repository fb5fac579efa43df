package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

const igArchiveScenario = `
name: Gruvbergs kommun
language: sv
seed: 9
days: 30
accounts:
  - {key: fb, platform: facebook, id: "1094810000000888", name: Gruvbergs kommun, token: EMU-archive-ig, posts: 1, comments_per_post: [1, 1]}
  - {key: ig, platform: instagram, id: "17841400000000888", name: gruvbergskommun, page: fb, posts: 3, comments_per_post: [3, 4], reply_percent: 40}
authors: [Anna Lindqvist, Per Eriksson]
posts:
  - "Biblioteket har nya öppettider"
  - {account: ig, text: "Vinterbild från Storgatan"}
  - {account: ig, text: "Sommarlovet börjar"}
comments: ["Så fint!", "När öppnar badhuset?"]
replies: ["Håller med!"]
`

// TestSnapshotOfInstagramAsksThePlatform takes the snapshot of an
// Instagram account: the texts the platform still has come from the
// platform (comments and their replies), a comment removed on the platform
// after uppsikt stored it comes from the store and is marked so. A
// disconnected account's snapshot takes every text from the store.
func TestSnapshotOfInstagramAsksThePlatform(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	sc, err := emulator.ParseScenario("ig-archive.yaml", []byte(igArchiveScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	var key string
	var acc emulator.Account
	for k, a := range r.keys {
		if a.Platform == "instagram" {
			key, acc = k, a
		}
	}
	since := time.Now().AddDate(0, 0, -60).Format(time.DateOnly)
	if code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", since); code != 0 {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errs)
	}
	st := r.store(t)
	cs, err := st.ListComments(context.Background(), moderation.CommentFilter{AccountKey: key})
	if err != nil || len(cs) < 4 {
		st.Close()
		t.Fatalf("ListComments: %v, %d comments, want at least 4", err, len(cs))
	}
	replies := 0
	for _, c := range cs {
		if c.ParentID != "" {
			replies++
		}
	}
	st.Close()
	if replies == 0 {
		t.Fatal("the scenario gave the Instagram account no replies")
	}
	gone := cs[0]
	req, _ := http.NewRequest(http.MethodDelete, r.graph.URL+"/v23.0/"+gone.PlatformID+"?access_token="+acc.Token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("delete on the emulator: %v %v", err, resp)
	}
	resp.Body.Close()

	year := strconv.Itoa(time.Now().Year())
	snap := func(name string) (string, string) {
		t.Helper()
		out := filepath.Join(r.dir, name)
		code, stdout, errs := r.run(t, "snapshot", "-config", r.cfgPath, "-account", key, "-year", year, "-out", out, "-no-browser")
		if code != 0 {
			t.Fatalf("snapshot: exit %d\n%s%s", code, stdout, errs)
		}
		text, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return stdout, string(text)
	}
	out, text := snap("ig.pdf")
	want := strconv.Itoa(len(cs)-1) + " from the platform, 1 from uppsikt's store"
	if !strings.Contains(out, want) {
		t.Errorf("snapshot summary: got %q, want %q", out, want)
	}
	if !strings.Contains(text, "ur uppsikts arkiv – finns inte längre på plattformen") {
		t.Errorf("the snapshot does not mark the comment removed on the platform")
	}

	st = r.store(t)
	err = st.SetAccountStatus(context.Background(), key, moderation.AccountDisconnected, "token rejected (190)")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ = snap("ig-disconnected.pdf")
	if want := "0 from the platform, " + strconv.Itoa(len(cs)) + " from uppsikt's store"; !strings.Contains(out, want) {
		t.Errorf("snapshot of a disconnected account: got %q, want %q", out, want)
	}
}

// TestSnapshotOfWebsiteAsksThePage takes the snapshot of a website's
// comment section: the comments the page still shows come from the page,
// one the site removed after uppsikt stored it from the store.
func TestSnapshotOfWebsiteAsksThePage(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	page, err := os.ReadFile(filepath.Join("..", "..", "bot", "webpage", "testdata", "nyheter.html"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "uppsikt.yaml")
	body := fmt.Sprintf(`municipality: {name: Gruvbergs kommun, country: se}
paths: {data: %q}
accounts:
  - key: nyheter
    platform: webpage
    id: %q
    name: Nyheter
    owners: [anna]
    substitutes: [bertil]
    site: {url: %q, comment: article.comment, id: data-comment-id, author: .comment-author, time: "time[datetime]", text: .comment-body, permalink: a.comment-link}
`, dir, srv.URL+"/nyheter/forskola", srv.URL+"/nyheter/forskola")
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd := func(args ...string) string {
		t.Helper()
		env, out, errb := testEnv(nil)
		if code := run(context.Background(), env, args); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errb)
		}
		return out.String()
	}
	runCmd("poll", "-config", cfgPath, "-once")
	mu.Lock()
	i := bytes.Index(page, []byte(`<article class="comment" data-comment-id="c-104">`))
	j := bytes.Index(page[i:], []byte("</article>")) + i + len("</article>")
	page = append(append([]byte{}, page[:i]...), page[j:]...)
	mu.Unlock()
	out := runCmd("snapshot", "-config", cfgPath, "-account", "nyheter", "-year", "2026", "-out", filepath.Join(dir, "web.pdf"), "-no-browser")
	if want := "3 from the platform, 1 from uppsikt's store"; !strings.Contains(out, want) {
		t.Errorf("snapshot summary: got %q, want %q", out, want)
	}
}
