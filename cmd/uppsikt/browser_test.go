package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// chromium returns the browser binary, or skips the test when it is absent.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	testenv.Missing(t, "Chromium is not installed: run make deps")
	return ""
}

// axeSource returns axe-core, or skips the test when it is absent.
func axeSource(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UPPSIKT_AXE_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			testenv.Missing(t, "no cache folder for axe-core: run make deps")
		}
		dir = filepath.Join(cache, "uppsikt", "axe")
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		testenv.Missing(t, "axe-core is not installed (%v): run make deps", err)
	}
	return string(b)
}

// newBrowser starts a headless Chromium for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// browse runs browser steps with a time limit.
func browse(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one browser action that answers a value, with a time limit.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func signInBrowser(t *testing.T, ctx context.Context, base, name, password string) {
	t.Helper()
	browse(t, ctx, "sign in",
		chromedp.Navigate(strings.TrimRight(base, "/")+"/cases"),
		chromedp.WaitVisible(`#name`),
		chromedp.SendKeys(`#name`, name),
		chromedp.SendKeys(`#password`, password),
		chromedp.Click(`form.login button[type=submit]`),
		chromedp.WaitVisible(`table.cases`),
	)
}

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessible runs axe-core (WCAG 2.1 A and AA) on the page the
// browser shows and fails on any violation.
func checkAccessible(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if !value(t, ctx, "load axe-core on "+page, chromedp.Evaluate[bool](axe+";\ntypeof axe === 'object'")) {
		t.Fatalf("%s: axe-core did not load", page)
	}
	vs := value(t, ctx, "run axe-core on "+page, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		t.Errorf("%s: accessibility violation %s (%s) at %s", page, v.ID, v.Help, strings.Join(where, "; "))
	}
}

// screenshot saves the page as docs/screens/NAME.png when
// UPPSIKT_SCREENS names that folder (the screenshots in the repository are
// made so).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("UPPSIKT_SCREENS")
	if dir == "" {
		return
	}
	png := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReviewPagesInBrowser signs in to the real web page in Chromium, checks
// every page with axe-core, checks that script payloads in comment text and
// author names stay inert, and approves a removal with the button.
func TestReviewPagesInBrowser(t *testing.T) {
	axe := axeSource(t)
	ctx := newBrowser(t)
	r := newReviewRig(t)
	base := r.srv.URL
	browse(t, ctx, "login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(`#name`))
	checkAccessible(t, ctx, axe, "/login")
	screenshot(t, ctx, "login")
	signInBrowser(t, ctx, base, "moderator", testPassword)

	xssCase := fmt.Sprintf("/cases/%d", r.cases[0].ID)
	for _, p := range []struct{ path, name, ready string }{
		{"/cases", "queue", "table.cases"},
		{"/cases?state=all", "", "table.cases"},
		{xssCase, "case", "form.decide"},
		{"/", "accounts", "table.accounts"},
		{fmt.Sprintf("/comments/%d", r.cases[0].CommentID), "comment", "section.version"},
		{"/search?q=idiot", "search", "table.comments"},
		{"/register", "register", "table.register"},
	} {
		browse(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(p.ready))
		checkAccessible(t, ctx, axe, p.path)
		if p.name != "" {
			screenshot(t, ctx, p.name)
		}
		// The payloads are shown as text: no element from them, no script ran.
		title := value(t, ctx, "title of "+p.path, chromedp.Title())
		injected := value(t, ctx, "elements of "+p.path, chromedp.Evaluate[int](`document.querySelectorAll('main img, main script').length`))
		if strings.Contains(title, "pwned") || injected != 0 {
			t.Errorf("%s: a payload ran or made elements (title %q, %d img/script elements)", p.path, title, injected)
		}
	}
	browse(t, ctx, "open the case", chromedp.Navigate(base+xssCase), chromedp.WaitVisible(`form.decide`))
	shown := value(t, ctx, "comment text", chromedp.Text(`.comment-text`))
	author := value(t, ctx, "author", chromedp.Text(`dd.author`))
	if !strings.Contains(shown, `<script>document.title="pwned"</script>`) || !strings.Contains(author, `<img src=x`) {
		t.Errorf("the payloads are not shown as text: comment %q, author %q", shown, author)
	}
	marked := value(t, ctx, "read the highlight", chromedp.Text(`.comment-text mark`))
	if marked != "19900101••••" {
		t.Errorf("highlighted hit: got %q, want the identity number masked, 19900101••••", marked)
	}

	// Approve a removal with the button, and confirm it.
	target := r.cases[1]
	browse(t, ctx, "approve removal",
		chromedp.Navigate(fmt.Sprintf("%s/cases/%d", base, target.ID)),
		chromedp.WaitVisible(`form.decide`),
		chromedp.SendKeys(`#reason`, "personangrepp"),
		chromedp.Click(`button[value=remove]`),
		chromedp.WaitVisible(`form.confirm`))
	checkAccessible(t, ctx, axe, "confirmation of a removal")
	screenshot(t, ctx, "confirm-removal")
	browse(t, ctx, "confirm removal",
		chromedp.Click(`form.confirm button[type=submit]`),
		chromedp.WaitVisible(`p.ok`))
	msg := value(t, ctx, "message", chromedp.Text(`p.ok`))
	if !strings.Contains(msg, "Removal approved") {
		t.Errorf("after approving: message %q", msg)
	}
	checkAccessible(t, ctx, axe, "case after the decision")
	screenshot(t, ctx, "case-decided")
	bg := context.Background()
	c, _ := r.st.Case(bg, target.ID)
	acts, _ := r.st.Actions(bg, target.CommentID)
	entries, _ := r.st.RegisterEntries(bg, 2026)
	if c.State != moderation.CaseApproved || len(acts) != 2 || len(entries) != 1 {
		t.Errorf("after the click: case %s, %d actions, %d register entries; want approved, 2, 1", c.State, len(acts), len(entries))
	}
	browse(t, ctx, "register page", chromedp.Navigate(base+"/register"), chromedp.WaitVisible(`td.number`))
	checkAccessible(t, ctx, axe, "/register with an entry")
	screenshot(t, ctx, "register")
}

// TestReviewApproveInDemo runs the demo (emulator, poller, pipeline,
// evidence, action executor, web page), signs in as the demo moderator in
// Chromium, approves the removal of a flagged comment and checks that the
// emulator deleted it and replied to its author, and that the register
// holds the entry.
func TestReviewApproveInDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole demo in a browser: not with -short")
	}
	bctx := newBrowser(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	env, out, errb := testEnv(nil)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env, []string{"demo", "-listen", "127.0.0.1:0", "-data", dir, "-live-rate", "0", "-interval", "10s", "-log", "warn"})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the demo did not stop within 30 s")
		}
	})
	var m []string
	for deadline := time.Now().Add(60 * time.Second); m == nil; {
		o := out.String()
		web := regexp.MustCompile(`web page:\s+(http://\S+)`).FindStringSubmatch(o)
		emu := regexp.MustCompile(`emulator:\s+(http://\S+/)\s`).FindStringSubmatch(o)
		pw := regexp.MustCompile(`sign in:\s+demo\.moderator / (\S+)`).FindStringSubmatch(o)
		if web != nil && emu != nil && pw != nil {
			m = []string{"", web[1], emu[1], pw[1]}
		}
		if m == nil {
			if time.Now().After(deadline) {
				t.Fatalf("the demo did not start:\n%s\n%s", out, errb)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	base, emu, password := strings.TrimRight(m[1], "/"), m[2], m[3]
	client := signIn(t, base, "demo.moderator", password)

	// Wait for a case whose evidence is stored.
	caseRE := regexp.MustCompile(`href="/cases/(\d+)"`)
	var caseID string
	for deadline := time.Now().Add(120 * time.Second); caseID == ""; {
		for _, id := range caseRE.FindAllStringSubmatch(get(t, client, base+"/cases"), -1) {
			if strings.Contains(get(t, client, base+"/cases/"+id[1]), `href="/evidence/`) {
				caseID = id[1]
				break
			}
		}
		if caseID == "" {
			if time.Now().After(deadline) {
				t.Fatalf("no case with evidence after 120 s:\n%s", errb)
			}
			time.Sleep(time.Second)
		}
	}
	signInBrowser(t, bctx, base, "demo.moderator", password)
	browse(t, bctx, "approve removal in the demo",
		chromedp.Navigate(base+"/cases/"+caseID),
		chromedp.WaitVisible(`form.decide`),
		chromedp.Click(`button[value=remove]`),
		chromedp.WaitVisible(`form.confirm`),
		chromedp.Click(`form.confirm button[type=submit]`),
		chromedp.WaitVisible(`p.ok`))
	if msg := value(t, bctx, "message", chromedp.Text(`p.ok`)); !strings.Contains(msg, "Removal approved") {
		t.Errorf("after approving in the demo: message %q", msg)
	}
	page := get(t, client, base+"/cases/"+caseID)
	platformID := regexp.MustCompile(`<span class="key platform-id">([^<]+)</span>`).FindStringSubmatch(page)
	if platformID == nil {
		t.Fatalf("the case page names no platform id:\n%s", page)
	}
	// The executor deletes the comment, then tells its author why where the
	// answer stays visible; the emulator shows both.
	var deleted, replied bool
	for deadline := time.Now().Add(60 * time.Second); !(deleted && replied); {
		var st emulator.State
		if err := json.Unmarshal([]byte(get(t, http.DefaultClient, emu+"_emulator/state")), &st); err != nil {
			t.Fatal(err)
		}
		for _, a := range st.Accounts {
			for _, p := range a.Posts {
				for _, c := range p.Comments {
					if c.ID == platformID[1] && c.Deleted {
						deleted = true
					}
				}
			}
		}
		_, made, ok := explanation(st, platformID[1])
		replied = ok && made.ID != "" && !made.Gone
		if !(deleted && replied) {
			if time.Now().After(deadline) {
				t.Fatalf("after 60 s the emulator shows deleted=%v explained=%v for %s\n%s", deleted, replied, platformID[1], errb)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	reg := get(t, client, base+"/register")
	if !regexp.MustCompile(`<a href="/cases/` + caseID + `">`).MatchString(reg) {
		t.Errorf("the register lists no entry for case %s:\n%s", caseID, reg)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
