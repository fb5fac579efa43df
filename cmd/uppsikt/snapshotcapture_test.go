package main

import (
	"context"
	"os"
	"path/filepath"
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
// capture.disabled it is not, and with capture.chromium naming a browser
// that is not there the screenshot fails (the configured binary is the one
// started) and the snapshot is written without it.
func TestSnapshotCommandHonoursCapture(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	chromium(t)
	r, key := snapshotRig(t)
	base, err := os.ReadFile(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	year := strconv.Itoa(time.Now().Year())
	tests := []struct {
		name, capture   string
		wantScreenshots int
		wantLog         string
	}{
		{"defaults", "{}", 1, ""},
		{"disabled", "{disabled: true}", 0, "capture is disabled"},
		{"chromium elsewhere", "{chromium: " + strconv.Quote(filepath.Join(r.dir, "no-such-chromium")) + "}", 0, "no-such-chromium"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withCapture(t, r, base, tt.capture)
			out := filepath.Join(r.dir, "snap-"+strconv.Itoa(i)+".pdf")
			code, stdout, stderr := r.run(t, "snapshot", "-config", r.cfgPath, "-account", key, "-year", year, "-out", out, "-no-platform")
			if code != 0 {
				t.Fatalf("snapshot: exit %d\n%s%s", code, stdout, stderr)
			}
			if want := strconv.Itoa(tt.wantScreenshots) + " screenshots"; !strings.Contains(stdout, want) {
				t.Errorf("snapshot summary: got %q, want %q", stdout, want)
			}
			if tt.wantLog != "" && !strings.Contains(stderr, tt.wantLog) {
				t.Errorf("log: got %q, want it to mention %q", stderr, tt.wantLog)
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
