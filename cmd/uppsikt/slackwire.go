package main

import (
	"context"
	"log/slog"
	"net/http"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/slack"
)

// slackWiring connects the Slack review surface when an account's
// review_channel is a channel of kind slack.
type slackWiring struct {
	cfg      *config.Config
	st       store
	log      *slog.Logger
	token    string            // the bot token of the first slack channel
	channels map[string]string // account key → Slack channel
	notifier *slack.Notifier
}

func openSlack(cfg *config.Config, st store, log *slog.Logger) (*slackWiring, error) {
	w := &slackWiring{cfg: cfg, st: st, log: log, channels: map[string]string{}}
	byName := map[string]config.Channel{}
	for _, ch := range cfg.Review.Channels {
		if ch.Kind == "slack" {
			byName[ch.Name] = ch
			if w.token == "" {
				w.token = ch.BotToken.Value()
			}
		}
	}
	for _, a := range cfg.Accounts {
		if ch, ok := byName[a.ReviewChannel]; ok {
			w.channels[a.Key] = ch.SlackChannel
		}
	}
	return w, nil
}

func (w *slackWiring) enabled() bool { return w.token != "" && len(w.channels) > 0 }

// decided is the decision service's hook: the Slack message is updated.
func (w *slackWiring) decided(c moderation.Case) {
	if w.notifier != nil {
		w.notifier.Decided(c)
	}
}

func (w *slackWiring) build(d *decide.Service) *slack.Notifier {
	if w.notifier != nil {
		return w.notifier
	}
	s := w.cfg.Review.Slack
	w.notifier = slack.New(slack.Options{
		Client: slackapi.New(w.token, slackapi.OptionAppLevelToken(s.AppToken.Value())),
		Store:  w.st, Users: w.st, Decide: d, SlackUsers: s.Users, SigningSecret: s.SigningSecret.Value(),
		Channel: func(key string) string { return w.channels[key] }, BaseURL: w.cfg.Web.PublicURL,
		Language: w.cfg.Municipality.Language, Logger: w.log,
	})
	return w.notifier
}

// handler is the HTTP interactivity endpoint; in Socket Mode it answers
// 404, as nothing should call it.
func (w *slackWiring) handler(d *decide.Service) http.Handler {
	n := w.build(d)
	if w.cfg.Review.Slack.Mode != "http" {
		return http.NotFoundHandler()
	}
	return n
}

// runner posts and updates case messages and, in Socket Mode, receives the
// clicks, until ctx ends.
func (w *slackWiring) runner(d *decide.Service) func(ctx context.Context) error {
	n := w.build(d)
	return func(ctx context.Context) error {
		if w.cfg.Review.Slack.Mode == "http" {
			return n.Run(ctx)
		}
		sm := socketmode.New(slackapi.New(w.token, slackapi.OptionAppLevelToken(w.cfg.Review.Slack.AppToken.Value())))
		errs := make(chan error, 1)
		go func() { errs <- n.RunSocketMode(ctx, sm) }()
		err := n.Run(ctx)
		if serr := <-errs; serr != nil {
			w.log.Error("slack socket mode stopped", "error", serr)
		}
		return err
	}
}
