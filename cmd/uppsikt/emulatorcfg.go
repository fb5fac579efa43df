package main

import (
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/uppsikt/uppsikt/bot/emulator"
)

// emulatorAccount is an emulated account as it appears in a generated configuration.
type emulatorAccount struct {
	emulator.Account
	Key      string
	TokenRef string // how the configuration names the token: ${ENV} or a token_file line
}

type emulatorConfig struct {
	Municipality string
	Country      string
	Language     string
	GraphURL     string
	AppID        string
	AppSecretRef string
	DataDir      string
	Listen       string
	Interval     string
	OfficeHours  string
	Accounts     []emulatorAccount
}

// emulatorConfigTemplate writes an uppsikt configuration that points at an
// emulator. Secrets are references, never inline.
var emulatorConfigTemplate = template.Must(template.New("cfg").Parse(`# uppsikt configuration for the platform emulator at {{.GraphURL}}
# Written by "uppsikt emulator -print-config". Check it with
#   uppsikt config check -config THIS_FILE
municipality:
  name: {{printf "%q" .Municipality}}
  country: {{.Country}}
  language: {{.Language}}
paths:
  data: {{printf "%q" .DataDir}}
web:
  listen: {{printf "%q" .Listen}}
meta:
  graph_url: {{printf "%q" .GraphURL}}
  version: v23.0
  app_id: {{printf "%q" .AppID}}
  {{.AppSecretRef}}
schedules:
  default:
    office_hours: {{printf "%q" .OfficeHours}}
    interval: {{.Interval}}
    off_hours_interval: {{.Interval}}
    reconcile_every: 1h
    reconcile_window: 720h
    jitter: 0s
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
{{- end}}
`))

// accountKey derives a configuration key from an emulated account's name.
func accountKey(a emulator.Account) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(a.Name) {
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
	suffix := map[string]string{"facebook": "fb", "instagram": "ig"}[a.Platform]
	if suffix == "" {
		suffix = a.Platform
	}
	return fmt.Sprintf("%s-%s", key, suffix)
}
