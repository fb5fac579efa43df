package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vals map[string]string) func(string) string {
	return func(k string) string { return vals[k] }
}

func allSet(string) string { return "s3cret-value" }

func TestExampleIsValid(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "examples", "uppsikt.yaml"), unitCredentials(t, "s3cret-value"))
	if err != nil {
		t.Fatalf("examples/uppsikt.yaml with the credentials of examples/uppsikt.service: %v", err)
	}
	if got, want := len(cfg.Accounts), 3; got != want {
		t.Errorf("accounts: got %d, want %d", got, want)
	}
	if got := cfg.Accounts[0].Token.Value(); got != "s3cret-value" {
		t.Errorf("token not resolved from the unit's credential: got %q", got)
	}
	if got, want := fmt.Sprint(cfg.Web.Proxies()), "[127.0.0.1/32 ::1/128]"; got != want {
		t.Errorf("trusted proxies: got %s, want %s", got, want)
	}
	if got := cfg.Register.FormatRegisterNumber(2026, 42); got != "KS 2026/0042" {
		t.Errorf("register number: got %q, want %q", got, "KS 2026/0042")
	}
}

func TestExampleCoversEveryKey(t *testing.T) {
	// Every yaml key of every configuration type must appear in the example,
	// so the example stays the complete reference users are promised.
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "uppsikt.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, key := range allKeys() {
		if !strings.Contains(text, key+":") {
			t.Errorf("examples/uppsikt.yaml does not mention the key %q", key)
		}
	}
}

const minimal = `
meta:
  app_secret: ${APP_SECRET}
accounts:
  - key: fb
    platform: facebook
    id: "42"
    name: Kommunen
    owners: [anna]
    token: ${PAGE_TOKEN}
`

func TestMinimalGetsDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal), "min.yaml", "/etc/uppsikt", env(map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Paths.Database, "/etc/uppsikt/data/uppsikt.db"; got != want {
		t.Errorf("database: got %q, want %q", got, want)
	}
	if got, want := cfg.Meta.GraphURL, DefaultGraphURL; got != want {
		t.Errorf("graph url: got %q, want %q", got, want)
	}
	if got := cfg.Schedules["default"].Interval.D().String(); got != "15m0s" {
		t.Errorf("default interval: got %s", got)
	}
	if got, want := cfg.Review.UndoGrace.D(), time.Minute; got != want {
		t.Errorf("undo grace: got %s, want %s", got, want)
	}
	if got := cfg.Accounts[0].Language; got != "sv" {
		t.Errorf("account language: got %q, want sv", got)
	}
	if s := cfg.Accounts[0].Token.String(); strings.Contains(s, "t") && s != "[redacted]" {
		t.Errorf("a secret printed itself: %q", s)
	}
}

func TestProblemsNameFieldAndLine(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		env   map[string]string
		wants []string // substrings of problems, each must appear
	}{
		{
			name:  "unknown key",
			yaml:  minimal + "    colour: blue\n",
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 11: colour: unknown key"},
		},
		{
			name: "bad platform and missing owner, both reported",
			yaml: `meta:
  app_secret: ${A}
accounts:
  - key: fb
    platform: myspace
    id: "1"
    name: X
`,
			env:   map[string]string{"A": "a"},
			wants: []string{"line 5: accounts[0].platform", "accounts[0].owners: name the responsible"},
		},
		{
			name:  "unset environment variable",
			yaml:  minimal,
			env:   map[string]string{"APP_SECRET": "a"},
			wants: []string{"line 10: accounts[0].token: environment variable PAGE_TOKEN is not set"},
		},
		{
			name: "bad duration",
			yaml: minimal + `schedules:
  default:
    interval: soon
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 13:", `"soon" is not a duration`},
		},
		{
			name: "office hours backwards",
			yaml: minimal + `schedules:
  default:
    office_hours: "17:00-08:00"
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 13: schedules.default.office_hours: the end must be after the start"},
		},
		{
			name: "capture window too low",
			yaml: minimal + `capture:
  max_height: 200
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 12: capture.max_height: 200"},
		},
		{
			name: "trusted proxies and their header",
			yaml: minimal + `web:
  trusted_proxies: [10.0.0.0/8, 127.0.0.1, proxy.example]
  client_address_header: "X Forwarded For"
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{`web.trusted_proxies[2]: "proxy.example" is neither`, `web.client_address_header: "X Forwarded For" is not a header name`},
		},
		{
			name: "undo grace out of range",
			yaml: minimal + `review:
  undo_grace: 1h
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 12: review.undo_grace: 1h0m0s: write a duration between 1s and 15m"},
		},
		{
			name:  "not yaml",
			yaml:  "accounts: [\n",
			wants: []string{"line"},
		},
		{
			name: "webpage without selectors",
			yaml: `accounts:
  - key: web
    platform: webpage
    name: Webb
    owners: [a]
`,
			wants: []string{"line 2: accounts[0].site: missing"},
		},
		{
			name: "learned model mode, thresholds and account mode",
			yaml: minimal + `    model: sometimes
rules:
  model:
    mode: loud
    thresholds:
      hate: 1.5
      personal_id: 0.5
`,
			env: map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 11: accounts[0].model: \"sometimes\"", "line 14: rules.model.mode: \"loud\"",
				"line 16: rules.model.thresholds.hate: 1.5", "line 17: rules.model.thresholds.personal_id: \"personal_id\" is not a category"},
		},
		{
			name: "duplicate keys and unknown review channel",
			yaml: minimal + `  - key: fb
    platform: facebook
    id: "43"
    name: Y
    owners: [b]
    token: ${PAGE_TOKEN}
    review_channel: nowhere
`,
			env:   map[string]string{"APP_SECRET": "a", "PAGE_TOKEN": "t"},
			wants: []string{"line 11: accounts[1].key: \"fb\" is used twice", "line 17: accounts[1].review_channel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "t.yaml", t.TempDir(), env(tt.env))
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			msg := cerr.Error()
			for _, w := range tt.wants {
				if !strings.Contains(msg, w) {
					t.Errorf("problems do not mention %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(minimal, "token: ${PAGE_TOKEN}", "token_file: token", 1)
	cfg, err := Parse([]byte(y), "t.yaml", dir, env(map[string]string{"APP_SECRET": "a"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Accounts[0].Token.Value(); got != "from-file" {
		t.Errorf("token: got %q, want %q", got, "from-file")
	}
}

func TestEmulatorConfigUndoGrace(t *testing.T) {
	for _, tc := range []struct {
		name, grace string
		want        time.Duration
	}{{"default", "", time.Minute}, {"set", "2s", 2 * time.Second}} {
		ec := EmulatorConfig{Municipality: "Kommunen", Country: "se", Language: "sv", GraphURL: "http://127.0.0.1:1/", AppID: "1",
			AppSecretRef: "app_secret: a", DataDir: "data", Listen: "127.0.0.1:0", Interval: "30s", OfficeHours: "00:00-24:00",
			Accounts:  []EmulatorAccount{{Key: "fb", Platform: "facebook", ID: "1", Name: "Kommunen", Language: "sv", TokenRef: "token: t"}},
			UndoGrace: tc.grace}
		b, err := ec.YAML()
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Parse(b, "emulator.yaml", t.TempDir(), env(nil))
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, b)
		}
		if got := cfg.Review.UndoGrace.D(); got != tc.want {
			t.Errorf("%s: undo grace %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestValidOrgID(t *testing.T) {
	tests := []struct {
		country, id string
		want        bool
	}{
		{"se", "212000-2411", true},
		{"se", "2120002411", true},
		{"se", "212000-2412", false},
		{"se", "21200-2411", false},
		{"dk", "29189846", true},
		{"dk", "29189847", false},
		{"dk", "2918984", false},
	}
	for _, tt := range tests {
		if got := ValidOrgID(tt.country, tt.id); got != tt.want {
			t.Errorf("ValidOrgID(%s, %s): got %v, want %v", tt.country, tt.id, got, tt.want)
		}
	}
}
