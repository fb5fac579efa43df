package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// slackWiring connects the Slack review surface when a review channel of
// kind slack is configured.
type slackWiring struct {
	cfg *config.Config
	st  *sqlite.Store
	log *slog.Logger
}

func openSlack(cfg *config.Config, st *sqlite.Store, log *slog.Logger) (*slackWiring, error) {
	return &slackWiring{cfg: cfg, st: st, log: log}, nil
}

func (w *slackWiring) enabled() bool { return false }

// decided is the decision service's hook; without Slack it does nothing.
func (w *slackWiring) decided(moderation.Case) {}

func (w *slackWiring) handler(*decide.Service) http.Handler { return http.NotFoundHandler() }

func (w *slackWiring) runner(*decide.Service) func(ctx context.Context) error {
	return func(ctx context.Context) error { <-ctx.Done(); return nil }
}
