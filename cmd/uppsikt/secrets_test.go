package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
)

// TestNoSecretAtRest runs the service as an installation does — serve with
// webhooks against the emulator, page tokens set with "account token set"
// (so stored in the database), a web user, the Slack and SMTP secrets
// configured, debug logging, a spell of dropped connections — and then
// looks for every secret's bytes in every log line and in every file the
// service wrote: the database with its -wal and -shm, the evidence and the
// register folders. The tokens must be in the database only sealed.
//
// Slack is configured but no account uses its channel, so no call leaves
// the machine: its secrets are read and held, not sent.
func TestNoSecretAtRest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the service for several seconds: not in -short")
	}
	r := newSupRig(t, loadSV(t))
	rawKey := make([]byte, 32)
	rand.Read(rawKey)
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpPort := refused.Addr().(*net.TCPAddr).Port
	refused.Close() // nothing listens there: every delivery is refused
	secrets := map[string]string{
		"APP_SECRET":    rigSecret,
		"VERIFY":        rigVerify,
		"TOKEN_KEY":     base64.StdEncoding.EncodeToString(rawKey),
		"SLACK_BOT":     "xoxb-1234-5678-secretbottoken",
		"SLACK_APP":     "xapp-1-A1-secretapptoken",
		"SLACK_SIGNING": "8f14e45fceea167a5a36dedd4bea2543",
		"SMTP_PASSWORD": "smtp-password-6c1e",
	}
	const userPassword = "reviewer-password-long-enough"
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, `municipality: {name: Testby kommun, country: se}
paths: {data: %q}
web: {listen: "127.0.0.1:0"}
log: {level: debug, format: text}
meta:
  graph_url: %q
  version: v23.0
  app_id: "1000000000000001"
  app_secret: ${APP_SECRET}
  webhooks: true
  webhook_verify_token: ${VERIFY}
secrets:
  token_key: ${TOKEN_KEY}
schedules:
  default: {office_hours: "00:00-23:59", interval: 10s, off_hours_interval: 10s, reconcile_every: 24h, reconcile_window: 9000h, jitter: 0s}
review:
  channels:
    - {name: web, kind: web}
    - {name: slack, kind: slack, slack_channel: C1, bot_token: "${SLACK_BOT}"}
  slack: {mode: http, app_token: "${SLACK_APP}", signing_secret: "${SLACK_SIGNING}"}
register:
  series: "KS {year}/{seq:04}"
  outlets:
    - {kind: folder, path: %q}
    - {kind: smtp, host: 127.0.0.1, port: %d, username: registrator, password: "${SMTP_PASSWORD}", from: uppsikt@testby.se, to: diarium@testby.se}
capture: {disabled: true}
accounts:
`, dir, r.graph.URL+"/", filepath.Join(dir, "register"), smtpPort)
	var keys []string
	for i, a := range r.emu.Accounts() {
		key := fmt.Sprintf("%s-%d", a.Platform, i)
		keys = append(keys, key)
		secrets["TOKEN_"+strings.ToUpper(a.Platform)] = a.Token
		fmt.Fprintf(&b, "  - {key: %s, platform: %s, id: %q, name: %q, owners: [a], review_channel: web}\n", key, a.Platform, a.ID, a.Name)
	}
	cfgPath := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	runWith := func(stdin string, args ...string) int {
		env, out, errb := testEnv(secrets)
		env.stdin = strings.NewReader(stdin)
		code := run(ctx, env, args)
		logs.WriteString(out.String() + errb.String())
		return code
	}
	for i, key := range keys {
		tok := r.emu.Accounts()[i].Token
		if code := runWith(tok+"\n", "account", "token", "set", "-config", cfgPath, "-account", key, "-by", "anna"); code != 0 {
			t.Fatalf("account token set %s: exit %d\n%s", key, code, logs.String())
		}
	}
	if code := runWith(userPassword+"\n", "user", "add", "-config", cfgPath, "-role", "moderator", "anna"); code != 0 {
		t.Fatalf("user add: exit %d\n%s", code, logs.String())
	}
	look := map[string][]byte{"token key (raw)": rawKey, "web user's password": []byte(userPassword)}
	for name, v := range secrets {
		look[name] = []byte(v)
	}
	// search looks for every secret in the log so far and in every file
	// under the data folder but the configuration; it returns how many
	// files it read.
	search := func(stage string) int {
		files := map[string][]byte{"log": logs.Bytes()}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || path == cfgPath {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[path] = data
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := files[filepath.Join(dir, "uppsikt.db")]; !ok {
			t.Fatalf("%s: no database file to search", stage)
		}
		for where, data := range files {
			for name, secret := range look {
				if i := bytes.Index(data, secret); i >= 0 {
					t.Errorf("%s: %s holds the %s at byte %d", stage, where, name, i)
				}
			}
		}
		return len(files) - 1
	}
	search("after account token set and user add")

	// serve, with the emulator delivering webhooks to it.
	env, _, serveLog := testEnv(secrets)
	done := make(chan int, 1)
	go func() { done <- run(ctx, env, []string{"serve", "-config", cfgPath}) }()
	urlRE := regexp.MustCompile(`web=(http://\S+)`)
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == ""; {
		if m := urlRE.FindStringSubmatch(serveLog.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", serveLog.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve stopped at start with exit %d:\n%s", code, serveLog.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := r.emu.RegisterWebhook(ctx, emulator.WebhookRegistration{CallbackURL: base + "webhooks/meta", VerifyToken: rigVerify, SubscribeAll: true}); err != nil {
		t.Fatal(err)
	}
	post := r.emu.State("").Accounts[0].Posts[0].ID
	var added []string
	for i := range 5 {
		id, err := r.emu.AddComment(post, "Test Testsson", fmt.Sprintf("Mitt personnummer är 19811218-9876, ring mig (%d)", i), "personal_id")
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, id)
	}
	// A spell of dropped connections: the errors are logged.
	r.emu.InjectFault(emulator.Fault{Kind: emulator.FaultReset, Count: 4})
	deadline := time.Now().Add(90 * time.Second)
	for stored := 0; stored < len(added); {
		if time.Now().After(deadline) {
			t.Fatalf("serve stored %d of %d comments:\n%s", stored, len(added), serveLog.String())
		}
		time.Sleep(200 * time.Millisecond)
		stored = 0
		if st, err := sqlite.Open(ctx, filepath.Join(dir, "uppsikt.db")); err == nil {
			for _, id := range added {
				if _, err := st.CommentByPlatformID(ctx, keys[0], id); err == nil {
					stored++
				}
			}
			st.Close()
		}
	}
	time.Sleep(2 * time.Second) // let the pipeline and the executor act on them
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve: exit %d", code)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs.WriteString(serveLog.String())

	// The tokens are in the database, sealed.
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		if tok, err := st.AccountToken(context.Background(), key); err != nil || len(tok.Sealed) == 0 {
			t.Errorf("%s: no sealed token stored: %v", key, err)
		}
	}
	if stats, _ := st.Stats(context.Background()); stats.Comments == 0 {
		t.Error("the run stored no comments: nothing was exercised")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	n := search("after serve")
	t.Logf("searched %d files and %d bytes of log for %d secrets", n, logs.Len(), len(look))
	if os.Getenv("SECRETS_TEST_LOG") != "" {
		t.Log(logs.String())
	}
}
