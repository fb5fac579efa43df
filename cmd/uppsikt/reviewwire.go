package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/review"
	"github.com/uppsikt/uppsikt/moderation/slack"
	"github.com/uppsikt/uppsikt/rules"
)

// reviewParts are the review surfaces: the web page, the Slack endpoint
// (nil without Slack) and what runs in the background for them.
type reviewParts struct {
	web    http.Handler
	slack  http.Handler
	decide *decide.Service
	run    func(ctx context.Context) error
	// slackApp is the Slack wiring, for the health alerts (health.go).
	slackApp *slackWiring
	// health reports the accounts' health for the web page (health.go
	// sets it once the checker exists); nil until then.
	health func(ctx context.Context) (moderation.HealthReport, error)
	// notifier is the Slack surface, nil without Slack; the answer clock
	// reminds through it.
	notifier *slack.Notifier
}

// healthReport is the web page's view of the health report.
func (p *reviewParts) healthReport(ctx context.Context) (moderation.HealthReport, error) {
	if p.health == nil {
		return moderation.HealthReport{}, nil
	}
	return p.health(ctx)
}

// openReview builds the decision service and the surfaces that call it.
// replies writes the reply to a removed comment's author (the action
// executor's), for the confirmation of a removal; nil leaves it out.
func openReview(cfg *config.Config, st store, loc *time.Location, log *slog.Logger, explain func(id, lang string) string,
	replies func(ctx context.Context, commentID int64) (string, error), answersPage *review.Answers) (*reviewParts, error) {
	p := &reviewParts{run: func(ctx context.Context) error { <-ctx.Done(); return nil }}
	slackApp, err := openSlack(cfg, st, log.With("part", "slack"))
	if err != nil {
		return nil, err
	}
	p.decide = decide.New(decide.Options{
		Store: st, FourEyes: cfg.Review.FourEyes, RegisterNumber: cfg.Register.FormatRegisterNumber,
		Decided: slackApp.decided, Logger: log.With("part", "decide"), Grace: cfg.Review.UndoGrace.D(),
		Language: cfg.Municipality.Language,
	})
	// Evidence in a bucket is read from there (a client of its own: it
	// reaches the bucket only when a reader opens a file).
	var openEvidence func(ctx context.Context, rel string) (io.ReadCloser, error)
	if cfg.Evidence.Backend == "s3" {
		b, err := newBucket(cfg)
		if err != nil {
			return nil, err
		}
		openEvidence = b.Get
	}
	web, err := review.New(review.Options{
		Store: st, Users: st, Decide: p.decide, Search: st.SearchComments, EvidenceDir: cfg.Paths.Evidence, OpenEvidence: openEvidence,
		Municipality: cfg.Municipality.Name, Language: cfg.Municipality.Language, Location: loc, Logger: log.With("part", "web"),
		SecureCookies: cfg.Review.Sessions.SecureCookies, SessionIdle: cfg.Review.Sessions.Idle.D(),
		SessionMax: cfg.Review.Sessions.MaxAge.D(), LoginAttempts: cfg.Review.Sessions.LoginAttempts,
		TrustedProxies: cfg.Web.Proxies(), ClientAddrHeader: cfg.Web.ClientAddressHeader,
		// The rule packs' identity number detectors, beside the page's own
		// finder: they also read numbers written to get past a filter.
		IdentityNumbers: func(text string) [][2]int { return rules.IdentityNumbers(text, time.Now()) },
		ReplyPreview:    replies,
		AnswerClock:     reportAnswerClock(cfg, st), ReportPDF: renderReport(cfg, st, loc),
		Health:   p.healthReport,
		Answers:  answersPage,
		HitWords: hitWords(cfg, explain),
	})
	if err != nil {
		return nil, err
	}
	p.web = web
	p.slackApp = slackApp
	if slackApp.enabled() {
		p.slack = slackApp.handler(p.decide)
		p.run = slackApp.runner(p.decide)
		p.notifier = slackApp.build(p.decide)
	}
	return p, nil
}
