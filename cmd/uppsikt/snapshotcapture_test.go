package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// snapshotRig is an account backfilled from the emulator, so that its page
// address is known from its posts' permalinks.
func snapshotRig(t *testing.T) (*supRig, string) {
	t.Helper()
	sc, err := emulator.ParseScenario("archive.yaml", []byte(archiveScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	var key string
	for k := range r.keys {
		key = k
	}
	since := time.Now().AddDate(0, 0, -60).Format(time.DateOnly)
	if code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", since); code != 0 {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errs)
	}
	return r, key
}

// withCapture writes the rig's configuration with a capture section.
func withCapture(t *testing.T, r *supRig, base []byte, capture string) {
	t.Helper()
	if err := os.WriteFile(r.cfgPath, append(append([]byte{}, base...), []byte("capture: "+capture+"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPageCaptureFollowsConfiguration checks the browser of a snapshot's
// screenshots, which "uppsikt snapshot", "account close" and the service's
// yearly snapshots all take from pageCapture: capture.chromium,
// capture.cookies_file and capture.disabled are honoured, and only the
// page's host is allowed.
func TestPageCaptureFollowsConfiguration(t *testing.T) {
	r, key := snapshotRig(t)
	base, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cookies := filepath.Join(r.dir, "cookies.json")
	if err := os.WriteFile(cookies, []byte(`[{"name": "c_user", "value": "1", "domain": ".facebook.com"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	st := r.store(t)
	defer st.Close()
	a, err := st.Account(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		capture     string
		wantOK      bool
		wantExec    string
		wantCookies int
		wantErr     string
	}{
		{name: "defaults", capture: "{}", wantOK: true},
		{name: "chromium", capture: "{chromium: /opt/other/chromium}", wantOK: true, wantExec: "/opt/other/chromium"},
		{name: "cookies file", capture: "{cookies_file: " + strconv.Quote(cookies) + "}", wantOK: true, wantCookies: 1},
		{name: "missing cookies file", capture: "{cookies_file: " + strconv.Quote(filepath.Join(r.dir, "none.json")) + "}", wantErr: "capture.cookies_file"},
		{name: "disabled", capture: "{disabled: true}", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withCapture(t, r, base, tt.capture)
			cfg := r.config(t)
			page, opts, ok, err := pageCapture(context.Background(), cfg, st, a, discardLogger())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error: got %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(page, r.graph.URL) {
				t.Errorf("page: got %q, want the emulator's account page", page)
			}
			if ok != tt.wantOK {
				t.Fatalf("browser: got %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if got, want := opts.ExecPath, tt.wantExec; got != want {
				t.Errorf("ExecPath: got %q, want %q", got, want)
			}
			if got, want := len(opts.Cookies), tt.wantCookies; got != want {
				t.Errorf("cookies: got %d, want %d", got, want)
			}
			if got, want := strings.Join(opts.AllowedHosts, ","), strings.TrimPrefix(r.graph.URL, "http://"); got != want {
				t.Errorf("allowed hosts: got %q, want %q", got, want)
			}
			if opts.Timeout < snapshotTimeout {
				t.Errorf("timeout: got %v, want at least %v", opts.Timeout, snapshotTimeout)
			}
		})
	}
}

// TestSnapshotCommandHonoursCapture runs "uppsikt snapshot" with
// Chromium: by default the account's page is screenshot; with
// capture.disabled or -content-only the layout is left out by choice, and
// with capture.chromium naming a browser that is not there the layout
// cannot be captured (the configured binary is the one started), so the
// command fails and writes nothing.
func TestSnapshotCommandHonoursCapture(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext", "pdfimages")
	chromium(t)
	r, key := snapshotRig(t)
	base, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	year := strconv.Itoa(time.Now().Year())
	tests := []struct {
		name, capture string
		flags         []string
		wantCode      int
		wantLayout    bool
		wantLog       string
	}{
		{"defaults", "{}", nil, 0, true, ""},
		{"disabled", "{disabled: true}", nil, 0, false, "capture is disabled"},
		{"content only", "{}", []string{"-content-only"}, 0, false, ""},
		{"chromium elsewhere", "{chromium: " + strconv.Quote(filepath.Join(r.dir, "no-such-chromium")) + "}", nil, 1, false, "no-such-chromium"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withCapture(t, r, base, tt.capture)
			out := filepath.Join(r.dir, "snap-"+strconv.Itoa(i)+".pdf")
			args := append([]string{"snapshot", "-config", r.cfgPath, "-account", key, "-year", year, "-out", out, "-no-platform"}, tt.flags...)
			code, stdout, stderr := r.run(t, args...)
			if code != tt.wantCode {
				t.Fatalf("snapshot: exit %d, want %d\n%s%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.wantLog != "" && !strings.Contains(stderr, tt.wantLog) {
				t.Errorf("log: got %q, want it to mention %q", stderr, tt.wantLog)
			}
			if code != 0 {
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("a snapshot without its layout was written: %v", err)
				}
				if !strings.Contains(stderr, "layout") {
					t.Errorf("the error does not say the layout is missing: %s", stderr)
				}
				// Nor is the account closed without its closing snapshot.
				if code, stdout, stderr := r.run(t, "account", "close", "-config", r.cfgPath, "-no-platform", key); code != 1 {
					t.Errorf("account close without the layout: exit %d, want 1\n%s%s", code, stdout, stderr)
				}
				return
			}
			images := len(pdfImages(t, out))
			if got := strings.Contains(stdout, " 0 screenshots"); got == tt.wantLayout || (images > 0) != tt.wantLayout {
				t.Errorf("layout: %d images, summary %q; want layout %v", images, stdout, tt.wantLayout)
			}
			if !tt.wantLayout {
				cover, err := exec.Command("pdftotext", "-enc", "UTF-8", "-l", "1", out, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(strings.Join(strings.Fields(string(cover)), " "), "utelämnad efter operatörens val") {
					t.Errorf("the cover does not say the layout was left out by choice:\n%s", cover)
				}
			}
		})
	}
	// The account is still the store's, unchanged by the snapshots.
	st := r.store(t)
	defer st.Close()
	if a, err := st.Account(context.Background(), key); err != nil || a.Status != moderation.AccountActive {
		t.Errorf("account after the snapshots: %+v, %v", a, err)
	}
}

// pdfImages lists the page of every image in the PDF at path (pdfimages
// -list).
func pdfImages(t *testing.T, path string) []int {
	t.Helper()
	raw, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatalf("pdfimages -list: %v", err)
	}
	var pages []int
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n")[2:] {
		f := strings.Fields(l)
		if len(f) < 3 || f[2] != "image" {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("pdfimages -list: %q", l)
		}
		pages = append(pages, n)
	}
	return pages
}

// layoutScenario is an account of 60 posts and some 300 comments: three of
// the emulator's account pages.
const layoutScenario = `
name: Gruvbergs kommun
language: sv
seed: 11
days: 30
user_token: EMU-sv-user-layout
accounts:
  - {key: fb, platform: facebook, id: "1094810000000888", name: Gruvbergs kommun, token: EMU-layout-fb, posts: 60,
     comments_per_post: [4, 6], reply_percent: 20}
authors: [Anna Lindqvist, Per Eriksson, Åsa Öberg]
posts:
  - text: "Biblioteket har nya öppettider – välkomna!"
  - text: "Snöröjningen är igång på alla gator"
comments:
  - "Tack till personalen på biblioteket!"
  - "När öppnar badhuset igen efter renoveringen?"
page_replies: ["Hej! Vi har skickat frågan vidare."]
replies: ["Håller med!"]
`

// TestSnapshotLayoutPages takes the snapshot of an account whose page is
// three of the emulator's pages long: the layout is many page-sized
// screenshots, each on a PDF page of its own, taken page after page of the
// account's feed asked for the year.
func TestSnapshotLayoutPages(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext", "pdfimages")
	chromium(t)
	sc, err := emulator.ParseScenario("layout.yaml", []byte(layoutScenario))
	if err != nil {
		t.Fatal(err)
	}
	r := newSupRig(t, sc)
	var key string
	for k := range r.keys {
		key = k
	}
	if code, out, errs := r.run(t, "backfill", "-config", r.cfgPath, "-account", key, "-since", time.Now().AddDate(0, 0, -40).Format(time.DateOnly)); code != 0 {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errs)
	}
	out := filepath.Join(r.dir, "layout.pdf")
	code, stdout, stderr := r.run(t, "snapshot", "-config", r.cfgPath, "-account", key, "-year", strconv.Itoa(time.Now().Year()), "-out", out, "-no-platform")
	if code != 0 {
		t.Fatalf("snapshot: exit %d\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`(\d+) posts, (\d+) comments .*, (\d+) screenshots`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("snapshot summary: %q", stdout)
	}
	posts, _ := strconv.Atoi(m[1])
	comments, _ := strconv.Atoi(m[2])
	shots, _ := strconv.Atoi(m[3])
	if posts != 60 || comments < 200 {
		t.Errorf("snapshot of %d posts and %d comments, want 60 and a few hundred", posts, comments)
	}
	pages := pdfImages(t, out)
	t.Logf("%d posts, %d comments: %d screenshots, images on pages %v", posts, comments, shots, pages)
	if len(pages) < 6 || len(pages) != shots {
		t.Errorf("layout: %d images for %d screenshots, want the same and at least 6", len(pages), shots)
	}
	for i := 1; i < len(pages); i++ {
		if pages[i] != pages[i-1]+1 {
			t.Errorf("layout images on pages %v, want one a page, page after page", pages)
			break
		}
	}
	cover, err := exec.Command("pdftotext", "-enc", "UTF-8", "-l", "1", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("togs som %d skärmbilder över 3 sidor av flödet", shots); !strings.Contains(strings.Join(strings.Fields(string(cover)), " "), want) {
		t.Errorf("cover lacks %q:\n%s", want, cover)
	}
}
