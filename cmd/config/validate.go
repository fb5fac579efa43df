package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// Defaults that apply when a key is left out.
const (
	DefaultGraphURL   = "https://graph.facebook.com/"
	DefaultVersion    = "v23.0"
	DefaultListen     = "127.0.0.1:8080"
	DefaultSeries     = "SOC {year}/{seq:04}"
	DefaultSchedule   = "default"
	defaultDataFolder = "data"
)

func (c *Config) applyDefaults() {
	if c.Municipality.Country == "" {
		c.Municipality.Country = "se"
	}
	if c.Municipality.Timezone == "" {
		if c.Municipality.Country == "dk" {
			c.Municipality.Timezone = "Europe/Copenhagen"
		} else {
			c.Municipality.Timezone = "Europe/Stockholm"
		}
	}
	if c.Municipality.Language == "" {
		if c.Municipality.Country == "dk" {
			c.Municipality.Language = "da"
		} else {
			c.Municipality.Language = "sv"
		}
	}
	if c.Paths.Data == "" {
		c.Paths.Data = defaultDataFolder
	}
	c.Paths.Data = c.abs(c.Paths.Data)
	if c.Paths.Database == "" {
		c.Paths.Database = filepath.Join(c.Paths.Data, "uppsikt.db")
	} else {
		c.Paths.Database = c.abs(c.Paths.Database)
	}
	if c.Paths.Evidence == "" {
		c.Paths.Evidence = filepath.Join(c.Paths.Data, "evidence")
	} else {
		c.Paths.Evidence = c.abs(c.Paths.Evidence)
	}
	if c.Paths.Schemas == "" {
		c.Paths.Schemas = filepath.Join(c.Paths.Data, "schemas")
	} else {
		c.Paths.Schemas = c.abs(c.Paths.Schemas)
	}
	if c.Web.Listen == "" {
		c.Web.Listen = DefaultListen
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	if c.Meta.GraphURL == "" {
		c.Meta.GraphURL = DefaultGraphURL
	}
	if !strings.HasSuffix(c.Meta.GraphURL, "/") {
		c.Meta.GraphURL += "/"
	}
	if c.Meta.Version == "" {
		c.Meta.Version = DefaultVersion
	}
	if c.Schedules == nil {
		c.Schedules = map[string]Schedule{}
	}
	if _, ok := c.Schedules[DefaultSchedule]; !ok {
		c.Schedules[DefaultSchedule] = Schedule{}
	}
	for name, s := range c.Schedules {
		if s.OfficeHours == "" {
			s.OfficeHours = "08:00-17:00"
		}
		if s.Interval == 0 {
			s.Interval = Duration(15 * time.Minute)
		}
		if s.OffHoursInterval == 0 {
			s.OffHoursInterval = Duration(2 * time.Hour)
		}
		if s.ReconcileEvery == 0 {
			s.ReconcileEvery = Duration(24 * time.Hour)
		}
		if s.ReconcileWindow == 0 {
			s.ReconcileWindow = Duration(30 * 24 * time.Hour)
		}
		c.Schedules[name] = s
	}
	if c.Rules.Model.Mode == "" {
		c.Rules.Model.Mode = "on"
	}
	if len(c.Rules.Packs) == 0 {
		c.Rules.Packs = []string{"sv", "da", "en"}
	}
	if c.Rules.PacksDir != "" {
		c.Rules.PacksDir = c.abs(c.Rules.PacksDir)
	}
	if c.Register.Series == "" {
		c.Register.Series = DefaultSeries
	}
	if c.Review.UndoGrace == 0 {
		c.Review.UndoGrace = DefaultUndoGrace
	}
	if c.Actions.HideThenReview == nil {
		c.Actions.HideThenReview = []string{"personal_id", "sensitive_data"}
	}
	if c.Capture.Timeout == 0 {
		c.Capture.Timeout = Duration(30 * time.Second)
	}
	c.archiveDefaults()
	c.evidenceDefaults()
	c.healthDefaults()
	c.answersDefaults()
	c.workersDefaults()
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if a.Schedule == "" {
			a.Schedule = DefaultSchedule
		}
		if a.Language == "" {
			a.Language = c.Municipality.Language
		}
	}
}

func (c *Config) abs(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// resolveSecrets fills every Secret from ${ENV} or its *_file sibling.
func (c *Config) resolveSecrets(getenv func(string) string, loc *locator, cerr *Error) {
	resolve := func(field string, s *Secret, file string, required bool) {
		switch {
		case s.raw != "" && file != "":
			cerr.add(loc, field, "give the secret either inline/${ENV} or as "+lastName(field)+"_file, not both")
		case file != "":
			file, err := credentialPath(file, getenv)
			if err != nil {
				cerr.add(loc, field+"_file", err.Error())
				return
			}
			data, err := os.ReadFile(c.abs(file))
			if err != nil {
				cerr.add(loc, field+"_file", fmt.Sprintf("cannot read the secret file: %v", err))
				return
			}
			s.value = strings.TrimSpace(string(data))
			if s.value == "" {
				cerr.add(loc, field+"_file", "the secret file is empty")
			}
			c.warnOpenFile(loc, cerr, field+"_file", file)
		case s.raw != "":
			if m := envRef.FindStringSubmatch(s.raw); m != nil {
				s.value = getenv(m[1])
				if s.value == "" {
					cerr.add(loc, field, fmt.Sprintf("environment variable %s is not set", m[1]))
				}
				return
			}
			if strings.Contains(s.raw, "${") {
				cerr.add(loc, field, "write an environment reference as the whole value, e.g. ${PAGE_TOKEN}")
				return
			}
			s.value = s.raw
			c.warnPlainSecret(loc, cerr, field)
		case s.value != "":
			// set in code
		case required:
			cerr.add(loc, field, "missing: give it as ${ENV_NAME} or "+lastName(field)+"_file")
		}
	}
	needMeta := false
	for _, a := range c.Accounts {
		if a.Platform == "facebook" || a.Platform == "instagram" {
			needMeta = true
		}
	}
	resolve("meta.app_secret", &c.Meta.AppSecret, c.Meta.AppSecretFile, needMeta)
	resolve("meta.webhook_verify_token", &c.Meta.VerifyToken, c.Meta.VerifyTokenFile, c.Meta.Webhooks)
	resolve("secrets.token_key", &c.Secrets.TokenKey, c.Secrets.TokenKeyFile, false)
	resolve("store.dsn", &c.Store.DSN, c.Store.DSNFile, false)
	storedTokens := c.Secrets.TokenKey.Value() != "" // tokens may be set in the store instead
	for i := range c.Accounts {
		a := &c.Accounts[i]
		resolve(fmt.Sprintf("accounts[%d].token", i), &a.Token, a.TokenFile, (a.Platform == "facebook" || a.Platform == "instagram") && !storedTokens)
	}
	for i := range c.Review.Channels {
		ch := &c.Review.Channels[i]
		resolve(fmt.Sprintf("review.channels[%d].bot_token", i), &ch.BotToken, ch.BotTokenFile, ch.Kind == "slack")
	}
	slackUsed := false
	for _, ch := range c.Review.Channels {
		slackUsed = slackUsed || ch.Kind == "slack"
	}
	resolve("review.slack.app_token", &c.Review.Slack.AppToken, c.Review.Slack.AppTokenFile, slackUsed && c.Review.Slack.Mode != "http")
	resolve("review.slack.signing_secret", &c.Review.Slack.SigningSecret, c.Review.Slack.SigningSecretFile, slackUsed && c.Review.Slack.Mode == "http")
	for i := range c.Register.Outlets {
		o := &c.Register.Outlets[i]
		resolve(fmt.Sprintf("register.outlets[%d].password", i), &o.Password, o.PasswordFile, o.Kind == "smtp" && o.Username != "")
		resolve(fmt.Sprintf("register.outlets[%d].token", i), &o.Token, o.TokenFile, false)
		resolve(fmt.Sprintf("register.outlets[%d].signing_secret", i), &o.SigningSecret, o.SigningSecretFile, false)
	}
	resolve("metrics.token", &c.Metrics.Token, c.Metrics.TokenFile, false)
	c.resolveEvidenceSecrets(resolve)
}

func lastName(field string) string {
	if i := strings.LastIndex(field, "."); i >= 0 {
		return field[i+1:]
	}
	return field
}

var (
	keyRE         = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	officeHoursRE = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$`)
	seqRE         = regexp.MustCompile(`\{seq(:0?(\d))?\}`)
	versionRE     = regexp.MustCompile(`^v\d+\.\d+$`)
	numericRE     = regexp.MustCompile(`^\d+$`)
	headerRE      = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

func (c *Config) validate(loc *locator, cerr *Error) {
	c.validateArchive(loc, cerr)
	c.validateEvidence(loc, cerr)
	c.validateHealth(loc, cerr)
	c.validateAnswers(loc, cerr)
	c.validateWorkers(loc, cerr)
	c.validateSecrets(loc, cerr)
	c.validateMetrics(loc, cerr)
	c.validateOutlets(loc, cerr)
	c.warnOpenFiles(loc, cerr)
	c.validateGuideline(loc, cerr)
	if c.Municipality.Country != "se" && c.Municipality.Country != "dk" {
		cerr.add(loc, "municipality.country", fmt.Sprintf("%q: write se or dk", c.Municipality.Country))
	}
	if _, err := time.LoadLocation(c.Municipality.Timezone); err != nil {
		cerr.add(loc, "municipality.timezone", fmt.Sprintf("%q is not a time zone (e.g. Europe/Stockholm)", c.Municipality.Timezone))
	}
	if id := c.Municipality.OrgID; id != "" && !ValidOrgID(c.Municipality.Country, id) {
		what := "a Swedish organisationsnummer, NNNNNN-NNNN with its check digit"
		if c.Municipality.Country == "dk" {
			what = "a Danish CVR number, 8 digits with its check"
		}
		cerr.add(loc, "municipality.org_id", fmt.Sprintf("%q is not %s", id, what))
	}
	if !validLanguage(c.Municipality.Language) {
		cerr.add(loc, "municipality.language", fmt.Sprintf("%q: write sv, da or en", c.Municipality.Language))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		cerr.add(loc, "log.level", fmt.Sprintf("%q: write debug, info, warn or error", c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		cerr.add(loc, "log.format", fmt.Sprintf("%q: write text or json", c.Log.Format))
	}
	if u, err := url.Parse(c.Meta.GraphURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		cerr.add(loc, "meta.graph_url", fmt.Sprintf("%q is not an http(s) URL", c.Meta.GraphURL))
	}
	if !versionRE.MatchString(c.Meta.Version) {
		cerr.add(loc, "meta.version", fmt.Sprintf("%q: write a Graph API version such as v23.0", c.Meta.Version))
	}
	if p := c.Meta.TokenProbeEvery.D(); p != 0 && p < 10*time.Second {
		cerr.add(loc, "meta.token_probe_every", fmt.Sprintf("%s: must be at least 10s (0: the default 15m)", p))
	}
	if m := c.Capture.MaxHeight; m != 0 && (m < 900 || m > 30000) {
		cerr.add(loc, "capture.max_height", fmt.Sprintf("%d: write a height in CSS pixels from 900 to 30000 (0: the default 3000)", m))
	}
	if c.Web.PublicURL != "" {
		if u, err := url.Parse(c.Web.PublicURL); err != nil || u.Host == "" {
			cerr.add(loc, "web.public_url", fmt.Sprintf("%q is not a URL", c.Web.PublicURL))
		}
	}
	for i, p := range c.Web.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			cerr.add(loc, fmt.Sprintf("web.trusted_proxies[%d]", i), err.Error()+", e.g. 127.0.0.1/32")
		}
	}
	if h := c.Web.ClientAddressHeader; h != "" && !headerRE.MatchString(h) {
		cerr.add(loc, "web.client_address_header", fmt.Sprintf("%q is not a header name, e.g. X-Forwarded-For", h))
	}
	for name, s := range c.Schedules {
		field := "schedules." + name
		if !officeHoursRE.MatchString(s.OfficeHours) {
			cerr.add(loc, field+".office_hours", fmt.Sprintf("%q: write HH:MM-HH:MM, e.g. 08:00-17:00", s.OfficeHours))
		} else if start, end, _ := ParseOfficeHours(s.OfficeHours); end <= start {
			cerr.add(loc, field+".office_hours", "the end must be after the start")
		}
		if s.Interval.D() < 10*time.Second {
			cerr.add(loc, field+".interval", "must be at least 10s")
		}
		if s.OffHoursInterval.D() < s.Interval.D() {
			cerr.add(loc, field+".off_hours_interval", "must not be shorter than interval")
		}
		if s.Jitter < 0 || s.Jitter.D() > s.Interval.D() {
			cerr.add(loc, field+".jitter", "must be between 0 and interval")
		}
	}
	for i, p := range c.Rules.Packs {
		if !validLanguage(p) {
			cerr.add(loc, fmt.Sprintf("rules.packs[%d]", i), fmt.Sprintf("%q: the embedded packs are sv, da and en", p))
		}
	}
	if !validModelMode(c.Rules.Model.Mode) {
		cerr.add(loc, "rules.model.mode", fmt.Sprintf("%q: write on, shadow or off", c.Rules.Model.Mode))
	}
	heads := rules.ModelHeads()
	for _, k := range sortedKeys(c.Rules.Model.Thresholds) {
		field := "rules.model.thresholds." + k
		if !slices.Contains(heads, k) {
			cerr.add(loc, field, fmt.Sprintf("%q is not a category the model scores (%s)", k, strings.Join(heads, ", ")))
		} else if t := c.Rules.Model.Thresholds[k]; !(t > 0 && t < 1) {
			cerr.add(loc, field, fmt.Sprintf("%v: write a probability between 0 and 1, e.g. 0.6", t))
		}
	}
	if c.Rules.PacksDir != "" {
		if st, err := os.Stat(c.Rules.PacksDir); err != nil || !st.IsDir() {
			cerr.add(loc, "rules.packs_dir", fmt.Sprintf("%q is not a folder", c.Rules.PacksDir))
		}
	}
	if !strings.Contains(c.Register.Series, "{year}") || !seqRE.MatchString(c.Register.Series) {
		cerr.add(loc, "register.series", fmt.Sprintf("%q must contain {year} and {seq} (or {seq:04})", c.Register.Series))
	}
	channels := map[string]bool{}
	for i, ch := range c.Review.Channels {
		field := fmt.Sprintf("review.channels[%d]", i)
		if ch.Name == "" {
			cerr.add(loc, field+".name", "missing")
		} else if channels[ch.Name] {
			cerr.add(loc, field+".name", fmt.Sprintf("%q is used twice", ch.Name))
		}
		channels[ch.Name] = true
		switch ch.Kind {
		case "web":
		case "slack":
			if ch.SlackChannel == "" {
				cerr.add(loc, field+".slack_channel", "missing for a slack channel")
			}
		default:
			cerr.add(loc, field+".kind", fmt.Sprintf("%q: write web or slack", ch.Kind))
		}
	}
	switch c.Review.Slack.Mode {
	case "", "socket", "http":
	default:
		cerr.add(loc, "review.slack.mode", fmt.Sprintf("%q: write socket or http", c.Review.Slack.Mode))
	}
	if g := c.Review.UndoGrace.D(); g < time.Second || g > 15*time.Minute {
		cerr.add(loc, "review.undo_grace", fmt.Sprintf("%s: write a duration between 1s and 15m", g))
	}
	for i, cat := range c.Review.FourEyes {
		if !slices.Contains(moderation.Categories(), cat) {
			cerr.add(loc, fmt.Sprintf("review.four_eyes[%d]", i), fmt.Sprintf("%q is not a category: %s", cat, strings.Join(moderation.Categories(), ", ")))
		}
	}
	for i, o := range c.Register.Outlets {
		field := fmt.Sprintf("register.outlets[%d]", i)
		switch o.Kind {
		case "folder":
			if o.Path == "" {
				cerr.add(loc, field+".path", "missing for a folder outlet")
			}
		case "smtp":
			if o.Host == "" {
				cerr.add(loc, field+".host", "missing for an smtp outlet")
			}
			if o.Port <= 0 || o.Port > 65535 {
				cerr.add(loc, field+".port", "write the SMTP port, e.g. 587")
			}
			if !strings.Contains(o.From, "@") {
				cerr.add(loc, field+".from", "write the sender's e-mail address")
			}
			if !strings.Contains(o.To, "@") {
				cerr.add(loc, field+".to", "write the registrar's e-mail address")
			}
		case "webhook":
			if u, err := url.Parse(o.URL); err != nil || u.Scheme != "https" || u.Host == "" {
				cerr.add(loc, field+".url", "write the receiving https:// URL")
			}
		default:
			cerr.add(loc, field+".kind", fmt.Sprintf("%q: write folder, smtp or webhook", o.Kind))
		}
	}
	for lang, text := range c.Actions.Replies {
		if lang != "sv" && lang != "da" && lang != "en" {
			cerr.add(loc, "actions.replies."+lang, "write sv, da or en")
		} else if strings.TrimSpace(text) == "" {
			cerr.add(loc, "actions.replies."+lang, "empty reply text")
		}
	}
	if len(c.Accounts) == 0 {
		cerr.add(loc, "accounts", "no accounts to supervise")
	}
	keys := map[string]bool{}
	ids := map[string]bool{}
	for i, a := range c.Accounts {
		field := fmt.Sprintf("accounts[%d]", i)
		if !keyRE.MatchString(a.Key) {
			cerr.add(loc, field+".key", fmt.Sprintf("%q: use lower-case letters, digits, - and _", a.Key))
		} else if keys[a.Key] {
			cerr.add(loc, field+".key", fmt.Sprintf("%q is used twice", a.Key))
		}
		keys[a.Key] = true
		switch a.Platform {
		case "facebook", "instagram":
			if !numericRE.MatchString(a.ID) {
				cerr.add(loc, field+".id", fmt.Sprintf("%q: write the numeric page or Instagram user id", a.ID))
			}
			if a.Site != nil {
				cerr.add(loc, field+".site", "only for platform webpage")
			}
		case "webpage":
			if a.Site == nil {
				cerr.add(loc, field+".site", "missing: a webpage account needs site selectors")
			} else {
				if u, err := url.Parse(a.Site.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					cerr.add(loc, field+".site.url", fmt.Sprintf("%q is not an http(s) URL", a.Site.URL))
				}
				for _, s := range []struct{ name, v string }{{"comment", a.Site.Comment}, {"text", a.Site.Text}} {
					if s.v == "" {
						cerr.add(loc, field+".site."+s.name, "missing CSS selector")
					}
				}
			}
			if a.ID == "" {
				a.ID = a.Site.URLOrEmpty()
				c.Accounts[i].ID = a.ID
			}
		default:
			cerr.add(loc, field+".platform", fmt.Sprintf("%q: write facebook, instagram or webpage", a.Platform))
		}
		if a.ID != "" {
			if ids[a.Platform+"/"+a.ID] {
				cerr.add(loc, field+".id", fmt.Sprintf("%q is configured twice", a.ID))
			}
			ids[a.Platform+"/"+a.ID] = true
		}
		if a.Name == "" {
			cerr.add(loc, field+".name", "missing")
		}
		if len(a.Owners) == 0 {
			cerr.add(loc, field+".owners", "name the responsible administrator (the guideline requires one)")
		}
		if !validLanguage(a.Language) {
			cerr.add(loc, field+".language", fmt.Sprintf("%q: write sv, da or en", a.Language))
		}
		if _, ok := c.Schedules[a.Schedule]; !ok {
			cerr.add(loc, field+".schedule", fmt.Sprintf("%q is not a schedule under schedules", a.Schedule))
		}
		for j, p := range a.Packs {
			if !validLanguage(p) {
				cerr.add(loc, fmt.Sprintf("%s.packs[%d]", field, j), fmt.Sprintf("%q: the embedded packs are sv, da and en", p))
			}
		}
		if a.Model != "" && !validModelMode(a.Model) {
			cerr.add(loc, field+".model", fmt.Sprintf("%q: write on, shadow or off", a.Model))
		}
		if a.ReviewChannel != "" && !channels[a.ReviewChannel] {
			cerr.add(loc, field+".review_channel", fmt.Sprintf("%q is not a channel under review.channels", a.ReviewChannel))
		}
	}
}

// URLOrEmpty returns the site's URL, or "" for a nil site.
func (s *Site) URLOrEmpty() string {
	if s == nil {
		return ""
	}
	return s.URL
}

func validLanguage(l string) bool { return l == "sv" || l == "da" || l == "en" }

func validModelMode(m string) bool { return m == "on" || m == "shadow" || m == "off" }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParseOfficeHours returns the start and end of "HH:MM-HH:MM" as offsets from midnight.
func ParseOfficeHours(s string) (start, end time.Duration, err error) {
	m := officeHoursRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("office hours %q: write HH:MM-HH:MM", s)
	}
	n := func(i int) time.Duration { v, _ := strconv.Atoi(m[i]); return time.Duration(v) }
	return n(1)*time.Hour + n(2)*time.Minute, n(3)*time.Hour + n(4)*time.Minute, nil
}

// FormatRegisterNumber formats a register number in the configured series,
// e.g. "KS {year}/{seq:04}" with 2026 and 42 gives "KS 2026/0042".
func (r Register) FormatRegisterNumber(year, seq int) string {
	out := strings.ReplaceAll(r.Series, "{year}", strconv.Itoa(year))
	return seqRE.ReplaceAllStringFunc(out, func(m string) string {
		sub := seqRE.FindStringSubmatch(m)
		if sub[2] == "" {
			return strconv.Itoa(seq)
		}
		w, _ := strconv.Atoi(sub[2])
		return fmt.Sprintf("%0*d", w, seq)
	})
}

func (e *Error) add(loc *locator, field, msg string) {
	e.Problems = append(e.Problems, Problem{Field: field, Line: loc.line(field), Message: msg})
}

// locator finds the line of a field path such as "accounts[1].site.url" in
// the parsed YAML, falling back to the nearest parent that is present.
type locator struct{ root *yaml.Node }

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

func (l *locator) line(field string) int {
	if l.root == nil || len(l.root.Content) == 0 {
		return 0
	}
	n := l.root.Content[0]
	best := 0
	for _, m := range pathPart.FindAllStringSubmatch(field, -1) {
		var next *yaml.Node
		switch {
		case m[1] != "" && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == m[1] {
					next = n.Content[i+1]
					best = n.Content[i].Line
				}
			}
		case m[2] != "" && n.Kind == yaml.SequenceNode:
			idx, _ := strconv.Atoi(m[2])
			if idx < len(n.Content) {
				next = n.Content[idx]
				best = next.Line
			}
		}
		if next == nil {
			return best
		}
		n = next
	}
	return best
}

// ValidOrgID says whether id is an organisation number of the country: a
// Swedish organisationsnummer (10 digits, a hyphen before the last four
// allowed, Luhn check digit) or a Danish CVR number (8 digits, modulus 11).
func ValidOrgID(country, id string) bool {
	digits := strings.ReplaceAll(id, " ", "")
	if country == "dk" {
		if len(digits) != 8 || strings.Trim(digits, "0123456789") != "" {
			return false
		}
		sum := 0
		for i, w := range []int{2, 7, 6, 5, 4, 3, 2, 1} {
			sum += int(digits[i]-'0') * w
		}
		return sum%11 == 0
	}
	if len(digits) == 11 && digits[6] == '-' {
		digits = digits[:6] + digits[7:]
	}
	if len(digits) != 10 || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
