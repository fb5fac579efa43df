package retention

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// AuditedStore is a Store that also keeps the audit log.
type AuditedStore interface {
	Store
	AppendAudit(ctx context.Context, e moderation.AuditEntry) (moderation.AuditEntry, error)
}

// Apply is Run with every disposal that disposed of something written to
// the audit log as "disposal" by actor (nothing with dryRun).
func Apply(ctx context.Context, st AuditedStore, plan Plan, now time.Time, accountKey string, dryRun bool, actor string) ([]moderation.Disposal, error) {
	ds, err := Run(ctx, st, plan, now, accountKey, dryRun, actor)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if dryRun || d.Items == 0 {
			continue
		}
		detail, _ := json.Marshal(map[string]any{"disposal": d.ID, "kind": d.Kind, "rule": d.Rule, "items": d.Items, "cutoff": d.Cutoff})
		if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: actor, Action: "disposal", Subject: d.AccountKey, Detail: detail}); err != nil {
			return ds, err
		}
	}
	return ds, nil
}

// CarryOutRetention carries out the pending deletions of own posts past
// their age, including those a crash left behind. Deletions for objections
// are left pending and returned: the objection workflow holds their guard.
func (d *Deleter) CarryOutRetention(ctx context.Context) (done, objections []moderation.PostDeletion, err error) {
	pend, err := d.Store.PendingPostDeletions(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for _, p := range pend {
		if p.Reason != moderation.DeletionRetention {
			objections = append(objections, p)
			continue
		}
		del, err := d.Execute(ctx, p.ID)
		done = append(done, del)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return done, objections, errors.Join(errs...)
}

// PlanAgent is who decides a disposal of the service's daily run: the
// municipality's retention plan itself (the decided rule), recorded as the
// disposal's By and its audit entry's actor. A manual run names the person
// who decided it instead ("uppsikt retention run -by NAME").
func PlanAgent(p Plan) string {
	return "retention plan: " + p.withDefaults().Rule
}

// Daily is the service's daily retention run. Each run disposes of comment
// text past its age under the plan (legal holds respected, every disposal
// logged and audited as decided by the plan, PlanAgent) and carries out approved deletions
// of own posts left pending, confirming those removed by hand. Disposal is
// by cut-off date, so a run after a restart repeats nothing.
type Daily struct {
	Store   AuditedStore
	Plan    Plan
	Deleter *Deleter
	// FirstWake is how long Run waits before the first run, so that
	// starting the service is not slowed by one.
	FirstWake time.Duration
	Now       func() time.Time
	Logger    *slog.Logger
}

// Run runs once a day, the first time after FirstWake, until ctx is
// cancelled.
func (d *Daily) Run(ctx context.Context) {
	timer := time.NewTimer(d.FirstWake)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		d.Once(ctx, now())
		timer.Reset(24 * time.Hour)
	}
}

// Once is one daily run at now; failures are logged and tried again the
// next day.
func (d *Daily) Once(ctx context.Context, now time.Time) {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ds, err := Apply(ctx, d.Store, d.Plan, now, "", false, PlanAgent(d.Plan))
	if err != nil {
		log.Error("retention run failed", "error", err)
	}
	items := 0
	for _, x := range ds {
		items += x.Items
	}
	log.Info("retention run", "accounts", len(ds), "disposed", items)
	if _, err := d.Deleter.ConfirmManual(ctx, ""); err != nil {
		log.Warn("manual removals of own posts not confirmed", "error", err)
	}
	done, objections, err := d.Deleter.CarryOutRetention(ctx)
	if err != nil {
		log.Warn("deletions of own posts left pending", "error", err)
	}
	if len(done) > 0 || len(objections) > 0 {
		log.Info("deletions of own posts", "carried_out", len(done), "waiting_for_objection_approval", len(objections))
	}
}
