package config

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"unicode"
)

// EmulatorConfig describes an uppsikt configuration pointed at the Graph
// API emulator (bot/emulator), as "uppsikt emulator -print-config", the demo
// and the chaos harness (cmd/uppsikt-chaos) write it. Secrets are
// references (${ENV} or *_file lines), never inline.
type EmulatorConfig struct {
	Municipality string
	Country      string
	Language     string
	GraphURL     string
	AppID        string
	AppSecretRef string // e.g. "app_secret_file: secrets/meta_app_secret"
	DataDir      string
	Listen       string
	Interval     string // poll interval, e.g. "30s"
	OfficeHours  string
	Accounts     []EmulatorAccount
	// Webhooks, when set, accepts the emulator's webhooks; VerifyTokenRef
	// references the verify token ("webhook_verify_token_file: ...").
	Webhooks       bool
	VerifyTokenRef string
	// TokenProbeEvery, when set, is meta.token_probe_every.
	TokenProbeEvery string
	// Log, when set, is the log level and format: "info json".
	Log string
	// UndoGrace, when set, is review.undo_grace (e.g. "2s").
	UndoGrace string
}

// EmulatorAccount is an emulated account as the configuration names it.
type EmulatorAccount struct {
	Key      string
	Platform string
	ID       string
	Name     string
	Language string
	TokenRef string // "token: ${ENV}" or "token_file: ..."
}

var emulatorTemplate = template.Must(template.New("cfg").Parse(`# uppsikt configuration for the platform emulator at {{.GraphURL}}
# Written by uppsikt for the emulator. Check it with
#   uppsikt config check -config THIS_FILE
municipality:
  name: {{printf "%q" .Municipality}}
  country: {{.Country}}
  language: {{.Language}}
paths:
  data: {{printf "%q" .DataDir}}
web:
  listen: {{printf "%q" .Listen}}
{{- if .Log}}
log:
  level: {{index .LogParts 0}}
  format: {{index .LogParts 1}}
{{- end}}
meta:
  graph_url: {{printf "%q" .GraphURL}}
  version: v23.0
  app_id: {{printf "%q" .AppID}}
  {{.AppSecretRef}}
{{- if .Webhooks}}
  webhooks: true
  {{.VerifyTokenRef}}
{{- end}}
{{- if .TokenProbeEvery}}
  token_probe_every: {{.TokenProbeEvery}}
{{- end}}
schedules:
  default:
    office_hours: {{printf "%q" .OfficeHours}}
    interval: {{.Interval}}
    off_hours_interval: {{.Interval}}
    reconcile_every: 1h
    reconcile_window: 720h
    jitter: 0s
{{- if .UndoGrace}}
review:
  undo_grace: {{.UndoGrace}}
{{- end}}
accounts:
{{- range .Accounts}}
  - key: {{.Key}}
    platform: {{.Platform}}
    id: {{printf "%q" .ID}}
    name: {{printf "%q" .Name}}
    owners: [demo.admin]
    substitutes: [demo.moderator]
    language: {{.Language}}
    {{.TokenRef}}
    purpose: {{if eq .Language "da"}}"Kommunens nyheder og dialog med borgerne"{{else}}"Kommunens nyheter och dialog med invånarna"{{end}}
{{- end}}
`))

// YAML writes the configuration.
func (ec EmulatorConfig) YAML() ([]byte, error) {
	data := struct {
		EmulatorConfig
		LogParts []string
	}{ec, nil}
	if ec.Log != "" {
		data.LogParts = strings.Fields(ec.Log)
		if len(data.LogParts) != 2 {
			return nil, fmt.Errorf("emulator configuration: log %q: want level and format", ec.Log)
		}
	}
	var buf bytes.Buffer
	if err := emulatorTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("write configuration: %w", err)
	}
	return buf.Bytes(), nil
}

// EmulatorAccountKey derives a configuration key from an emulated account's
// name and platform: "Gruvbergs kommun" on facebook is "gruvbergs-kommun-fb".
func EmulatorAccountKey(name, platform string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r == 'å' || r == 'ä' || r == 'æ':
			r = 'a'
		case r == 'ö' || r == 'ø':
			r = 'o'
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	key := strings.Trim(b.String(), "-")
	if len(key) > 40 {
		key = strings.Trim(key[:40], "-")
	}
	suffix := map[string]string{"facebook": "fb", "instagram": "ig"}[platform]
	if suffix == "" {
		suffix = platform
	}
	return fmt.Sprintf("%s-%s", key, suffix)
}
