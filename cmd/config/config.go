package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	Municipality Municipality        `yaml:"municipality"`
	Paths        Paths               `yaml:"paths"`
	Evidence     Evidence            `yaml:"evidence"`
	Web          Web                 `yaml:"web"`
	Log          Log                 `yaml:"log"`
	Meta         Meta                `yaml:"meta"`
	Secrets      Secrets             `yaml:"secrets"`
	Schedules    map[string]Schedule `yaml:"schedules"`
	Rules        Rules               `yaml:"rules"`
	Review       Review              `yaml:"review"`
	Register     Register            `yaml:"register"`
	Actions      Actions             `yaml:"actions"`
	Capture      Capture             `yaml:"capture"`
	Accounts     []Account           `yaml:"accounts"`
	Archive      Archive             `yaml:"archive"`
	Health       Health              `yaml:"health"`
	Metrics      Metrics             `yaml:"metrics"`
	Answers      Answers             `yaml:"answers"`
	Store        Store               `yaml:"store"`
	Workers      Workers             `yaml:"workers"`

	// dir is the directory of the file, against which relative paths resolve.
	dir string
	// warnings are what is allowed but unwise (Warnings).
	warnings []Problem
}

// Warnings lists what the file allows but should not: a secret written in
// it in plain text, a secret file others may read. They do not stop the
// service; "uppsikt config check" prints them, and fails on them with -strict.
func (c *Config) Warnings() []Problem { return c.warnings }

// Municipality says whose accounts these are.
type Municipality struct {
	Name     string `yaml:"name"`
	Country  string `yaml:"country"`  // se or dk: which public holidays apply
	Timezone string `yaml:"timezone"` // IANA name, e.g. Europe/Stockholm
	Language string `yaml:"language"` // sv, da or en: the default for replies and the web page
	// Guideline is the citation of the municipality's guideline for social
	// media (name and diary number) that evidence cites; see Citation.
	Guideline string `yaml:"guideline"`
	// OrgID is the municipality's organisation number: the Swedish
	// organisationsnummer (NNNNNN-NNNN) or the Danish CVR number (8
	// digits). Archive packages give it as the identification code of the
	// submitting agent; optional.
	OrgID string `yaml:"org_id"`
}

// Paths are where uppsikt keeps its files.
type Paths struct {
	Data     string `yaml:"data"`     // folder for everything below, default ./data
	Database string `yaml:"database"` // SQLite file, default <data>/uppsikt.db
	Evidence string `yaml:"evidence"` // evidence files, default <data>/evidence
	// Schemas holds the official XML schemas archive packages carry
	// (scripts/fetch-schemas.sh fills it; without internet access the
	// files can be copied from an E-ARK reference package), default
	// <data>/schemas. Export writes a package with those it finds and
	// names the others.
	Schemas string `yaml:"schemas"`
}

// Web is the built-in web page.
type Web struct {
	Listen    string `yaml:"listen"`     // address, default 127.0.0.1:8080
	PublicURL string `yaml:"public_url"` // how users reach it, for links in messages
	// TrustedProxies are the reverse proxies in front of the page, as CIDR
	// ranges or addresses. Requests from them are counted (for the sign-in
	// rate limit, and in the audit log) against the client address the proxy
	// writes in ClientAddressHeader; from anyone else that header is ignored.
	TrustedProxies      []string `yaml:"trusted_proxies"`
	ClientAddressHeader string   `yaml:"client_address_header"` // default X-Forwarded-For
}

// Proxies returns TrustedProxies parsed; an address stands for itself alone.
// Entries that do not parse are left out (validation reports them).
func (w Web) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range w.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func parseProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither a CIDR range nor an address", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Meta is the Meta (Facebook/Instagram) app uppsikt uses.
type Meta struct {
	GraphURL        string `yaml:"graph_url"` // default https://graph.facebook.com/
	Version         string `yaml:"version"`   // Graph API version, e.g. v23.0
	AppID           string `yaml:"app_id"`
	AppSecret       Secret `yaml:"app_secret"`
	AppSecretFile   string `yaml:"app_secret_file"`
	VerifyToken     Secret `yaml:"webhook_verify_token"`
	VerifyTokenFile string `yaml:"webhook_verify_token_file"`
	Webhooks        bool   `yaml:"webhooks"` // accept webhooks at /webhooks/meta
	// TokenProbeEvery is how often the token of a disconnected account is
	// tried again, so that a token Meta accepts again reconnects the
	// account by itself (default 15m).
	TokenProbeEvery Duration `yaml:"token_probe_every"`
}

// Schedule says how often accounts are polled.
type Schedule struct {
	OfficeHours      string   `yaml:"office_hours"`       // e.g. "08:00-17:00", on working days
	Interval         Duration `yaml:"interval"`           // poll interval in office hours
	OffHoursInterval Duration `yaml:"off_hours_interval"` // poll interval outside them
	ReconcileEvery   Duration `yaml:"reconcile_every"`    // how often the full reconcile pass runs
	ReconcileWindow  Duration `yaml:"reconcile_window"`   // how far back it looks
	Jitter           Duration `yaml:"jitter"`             // random spread added to each poll
}

// Rules chooses the rule packs.
type Rules struct {
	Packs    []string `yaml:"packs"`     // embedded packs to use: sv, da, en (default all)
	PacksDir string   `yaml:"packs_dir"` // a folder of the municipality's own packs
	Model    Model    `yaml:"model"`     // the learned model beside the rules
}

// Model configures the learned model that gives a second opinion beside
// the rule packs.
type Model struct {
	// Mode: on (the default; its categories join the rules'), shadow (its
	// scores are recorded with each verdict and decide nothing) or off.
	Mode string `yaml:"mode"`
	// Thresholds replace the model's decision thresholds, by category (or
	// question, register); each between 0 and 1.
	Thresholds map[string]float64 `yaml:"thresholds"`
}

// Review configures where flagged comments are reviewed.
type Review struct {
	Channels []Channel `yaml:"channels"`
	// FourEyes lists categories whose removal needs two reviewers' approval.
	FourEyes []string    `yaml:"four_eyes"`
	Slack    SlackApp    `yaml:"slack"`
	Sessions WebSessions `yaml:"sessions"`
	// UndoGrace is how long an approved removal can be undone, on the web
	// page or in Slack, before uppsikt replies to the author and deletes
	// the comment; default 1m, at most 15m. It cannot be switched off.
	UndoGrace Duration `yaml:"undo_grace"`
}

// DefaultUndoGrace is review.undo_grace when the configuration sets none.
const DefaultUndoGrace = Duration(time.Minute)

// SlackApp is the Slack app that posts cases and receives button clicks.
type SlackApp struct {
	Mode              string `yaml:"mode"`      // socket (default: no public URL needed) or http
	AppToken          Secret `yaml:"app_token"` // xapp- token, for Socket Mode
	AppTokenFile      string `yaml:"app_token_file"`
	SigningSecret     Secret `yaml:"signing_secret"` // verifies requests to /slack/interactions
	SigningSecretFile string `yaml:"signing_secret_file"`
	// Users maps Slack user ids (U…) to uppsikt user names; clicks by
	// anyone else are refused.
	Users map[string]string `yaml:"users"`
}

// WebSessions configures sign-in to the web page.
type WebSessions struct {
	Idle          Duration `yaml:"idle"`           // signed out after this long unused, default 30m
	MaxAge        Duration `yaml:"max_age"`        // signed out after this long in any case, default 12h
	SecureCookies bool     `yaml:"secure_cookies"` // set when the page is served over https by a proxy
	// LoginAttempts failed sign-ins for one name within 15 minutes refuse
	// that name for a while (default 5); four times as many from one client
	// address refuse only the names that failed from it.
	LoginAttempts int `yaml:"login_attempts"`
}

// Channel is one review surface for some accounts.
type Channel struct {
	Name         string `yaml:"name"`
	Kind         string `yaml:"kind"` // web or slack
	SlackChannel string `yaml:"slack_channel"`
	BotToken     Secret `yaml:"bot_token"`
	BotTokenFile string `yaml:"bot_token_file"`
}

// Register configures the records register (diarium).
type Register struct {
	Series  string   `yaml:"series"` // e.g. "KS {year}/{seq:04}"
	Outlets []Outlet `yaml:"outlets"`
}

// Outlet delivers register entries to the registrar.
type Outlet struct {
	Kind string `yaml:"kind"` // folder, smtp or webhook
	Path string `yaml:"path"` // folder
	// SMTP
	Host         string `yaml:"host"`
	Port         int    `yaml:"port"`
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	From         string `yaml:"from"`
	To           string `yaml:"to"`
	// Webhook
	URL string `yaml:"url"`
	// TLS is how an smtp outlet protects its connection: starttls (the
	// default, except on port 465), implicit (TLS from the first byte, the
	// default on port 465) or none (a relay on the same host; then no
	// username, for uppsikt sends no password over plain text).
	TLS string `yaml:"tls"`
	// CAFile is a PEM bundle of the CAs that may sign the server's
	// certificate (smtp, webhook), in place of the system's roots.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a PEM client certificate and its key, for a
	// webhook (or SMTP server) that requires one; keep the key readable by
	// uppsikt alone.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// Token is sent to a webhook as "Authorization: Bearer TOKEN".
	Token     Secret `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// SigningSecret signs every webhook request with HMAC-SHA256
	// (X-Uppsikt-Timestamp, X-Uppsikt-Signature; docs/register.md).
	SigningSecret     Secret `yaml:"signing_secret"`
	SigningSecretFile string `yaml:"signing_secret_file"`
}

// Actions configures what uppsikt does on the platforms.
type Actions struct {
	// HideThenReview are the categories whose comments are hidden at once
	// (after their evidence is stored) and reviewed afterwards; default
	// personal_id and sensitive_data.
	HideThenReview []string `yaml:"hide_then_review"`
	// Replies are the texts of the reply to the author of a removed comment,
	// per language (sv, da, en); {reason} and {guideline} are filled in.
	Replies map[string]string `yaml:"replies"`
	// PrivateReplies also sends the author a private message where the
	// platform allows it (Facebook).
	PrivateReplies bool `yaml:"private_replies"`
}

// Capture configures the browser that takes evidence screenshots.
type Capture struct {
	Chromium     string   `yaml:"chromium"`      // the browser binary; Debian's chromium when empty
	AllowedHosts []string `yaml:"allowed_hosts"` // hosts the browser may load; default the platforms' (and the Graph URL's when not Meta's)
	Timeout      Duration `yaml:"timeout"`       // per capture, default 30s
	Disabled     bool     `yaml:"disabled"`      // text-only evidence, no browser
	// CookiesFile is a JSON cookie export of a logged-in session, sent to
	// the platform's pages in every capture, for pages behind a login wall;
	// empty for none. It holds a login: keep it readable by uppsikt alone.
	CookiesFile string `yaml:"cookies_file"`
	// MaxHeight bounds the screenshot of a platform page in CSS pixels
	// (default 3000): a taller page is captured in a window of this height
	// around the documented comment.
	MaxHeight int `yaml:"max_height"`
	// FocusSelectors find the documented comment on a platform page, tried
	// in order; {comment_id} stands for the comment's id. Default: by
	// data-comment-id, by the id comment-{comment_id}, the highlighted one.
	FocusSelectors []string `yaml:"focus_selectors"`
}

// Account is one supervised account.
type Account struct {
	Key           string   `yaml:"key"`      // the municipality's short name, stable
	Platform      string   `yaml:"platform"` // facebook, instagram, webpage
	ID            string   `yaml:"id"`       // page id, Instagram user id, or the site's URL
	Name          string   `yaml:"name"`
	Owners        []string `yaml:"owners"`
	Substitutes   []string `yaml:"substitutes"`
	Language      string   `yaml:"language"`
	Token         Secret   `yaml:"token"`
	TokenFile     string   `yaml:"token_file"`
	Schedule      string   `yaml:"schedule"` // a name under schedules, default "default"
	Packs         []string `yaml:"packs"`
	Model         string   `yaml:"model"` // the learned model's mode for this account (on, shadow, off); default rules.model.mode
	ReviewChannel string   `yaml:"review_channel"`
	Site          *Site    `yaml:"site"`
	Purpose       string   `yaml:"purpose"` // why the municipality has the account (the account register)
}

// Site describes a website comment section by CSS selectors.
type Site struct {
	URL       string `yaml:"url"`
	Comment   string `yaml:"comment"`
	Author    string `yaml:"author"`
	Time      string `yaml:"time"`
	Text      string `yaml:"text"`
	Permalink string `yaml:"permalink"`
	ID        string `yaml:"id"` // attribute holding a stable comment id, e.g. "data-id"
}

// Secret is a value that is never printed. In the file it is written as
// "${ENV_NAME}" (resolved from the environment when loaded) or inline.
type Secret struct {
	raw   string
	value string
}

// UnmarshalYAML keeps the written form; Load resolves it.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		// A *yaml.TypeError lets the decoder go on and report every problem.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s into a secret: write a string, ${ENV_NAME}, or use the _file key", n.Line, n.ShortTag())}}
	}
	s.raw = n.Value
	return nil
}

// Value returns the resolved secret.
func (s Secret) Value() string { return s.value }

// Set gives the secret a value (for configurations built in code, such as the demo's).
func (s *Secret) Set(v string) { s.value, s.raw = v, "" }

// String never reveals the secret.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "[redacted]"
}

// Duration is a time.Duration written as "15m", "2h", "1h30m".
type Duration time.Duration

// UnmarshalYAML parses a Go duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		// A *yaml.TypeError lets the decoder go on and report every problem.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration (write e.g. 15m or 2h)", n.Line, n.Value)}}
	}
	*d = Duration(v)
	return nil
}

// D returns the duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Problem is one thing wrong with a configuration, located in the file.
type Problem struct {
	Field   string // e.g. accounts[1].platform
	Line    int    // 0 when the field is absent from the file
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Field, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Field, p.Message)
}

// Error lists every problem found in a configuration file.
type Error struct {
	File     string
	Problems []Problem
	// Warnings are found beside the problems (Config.Warnings); Error()
	// does not list them.
	Warnings []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Load reads, resolves and validates the configuration file at path.
// getenv resolves ${ENV} secrets (os.Getenv in production). The error is a
// *Error listing every problem when the file is readable but wrong.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("configuration path: %w", err)
	}
	return Parse(data, path, filepath.Dir(abs), getenv)
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// Parse is Load on bytes; name is used in messages and dir resolves relative paths.
func Parse(data []byte, name, dir string, getenv func(string) string) (*Config, error) {
	cerr := &Error{File: name}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		cerr.Problems = append(cerr.Problems, yamlProblem(err, nil)...)
		return nil, cerr
	}
	cfg := &Config{dir: dir}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		cerr.Problems = append(cerr.Problems, yamlProblem(err, valueNodes(&root))...)
	}
	loc := locator{root: &root}
	cfg.applyDefaults()
	cfg.resolveSecrets(getenv, &loc, cerr)
	cfg.validate(&loc, cerr)
	if len(cerr.Problems) > 0 {
		return nil, cerr
	}
	cfg.warnings = cerr.Warnings
	return cfg, nil
}

// yamlProblem turns the YAML library's errors ("line 7: field x not found in
// type config.Account", "line 9: cannot unmarshal !!str `soon` into int")
// into problems with lines, and with the key path of the value (values)
// for a type error.
func yamlProblem(err error, values []valueNode) []Problem {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out []Problem
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		p := Problem{Field: "(file)", Message: m}
		if sub := lineRE.FindStringSubmatch(m); sub != nil {
			fmt.Sscanf(sub[1], "%d", &p.Line)
			p.Message = sub[2]
			if f, ok := strings.CutPrefix(p.Message, "field "); ok {
				if name, _, ok := strings.Cut(f, " not found in type "); ok {
					p.Field = name
					p.Message = "unknown key"
				}
			}
			if f := fieldOfLine(values, p.Line, p.Message); p.Field == "(file)" && f != "" {
				p.Field = f
			}
		}
		out = append(out, p)
	}
	return out
}
