package main

import (
	"fmt"

	"github.com/uppsikt/uppsikt/archive/register"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// registerOutlets builds the configured outlets to the registrar, with
// their TLS files read and their secrets resolved.
func registerOutlets(cfg *config.Config) ([]register.Outlet, error) {
	var outlets []register.Outlet
	for i, o := range cfg.Register.Outlets {
		tlsCfg, err := o.TLSFiles().Config()
		if err != nil {
			return nil, fmt.Errorf("register.outlets[%d]: %w", i, err)
		}
		switch o.Kind {
		case "folder":
			outlets = append(outlets, register.Folder{Dir: o.Path})
		case "smtp":
			outlets = append(outlets, register.SMTP{Host: o.Host, Port: o.Port, Security: o.TLS, TLS: tlsCfg,
				Username: o.Username, Password: o.Password.Value(), From: o.From, To: o.To, Language: cfg.Municipality.Language})
		case "webhook":
			w := register.Webhook{URL: o.URL, Token: o.Token.Value(), TLS: tlsCfg}
			if s := o.SigningSecret.Value(); s != "" {
				w.SigningSecret = []byte(s)
			}
			outlets = append(outlets, w)
		default:
			return nil, fmt.Errorf("register.outlets[%d]: unknown kind %s", i, o.Kind)
		}
	}
	return outlets, nil
}
