package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// YearlyStore is what the yearly scheduler reads and records: the accounts,
// their snapshots, and the audit log.
type YearlyStore interface {
	Store
	Accounts(ctx context.Context) ([]moderation.Account, error)
	AppendAudit(ctx context.Context, e moderation.AuditEntry) (moderation.AuditEntry, error)
}

// YearlyOptions configure a Yearly.
type YearlyOptions struct {
	Store    YearlyStore
	Schedule Schedule
	// Folder is where the snapshots are written, as <account>-<year>.pdf.
	Folder string
	// Every is how often the scheduler wakes to look for a due snapshot;
	// an hour when zero. A failed snapshot is tried again at the next wake.
	Every time.Duration
	// FirstWake is how long after Run starts the first check is made; at
	// once when zero.
	FirstWake time.Duration
	// Write writes one snapshot and records it in the store (Writer.Write
	// does both). The request has the account, kind, period and output file
	// set; Write may add the pages to capture. Write returns an error when
	// the layout could not be captured (ErrNoLayout), which Check returns
	// and Run logs and tries again at the next wake. Nil: a Writer of the
	// content only (no browser, no platform), with the schedule's location.
	Write  func(ctx context.Context, a moderation.Account, req Request) (Result, error)
	Now    func() time.Time
	Logger *slog.Logger
}

// Yearly takes the yearly snapshot of every account that is not closed, on
// the scheduled day, once per account and year: whether a year is done is
// read from the store's snapshot records, so a restart takes nothing twice.
type Yearly struct {
	o YearlyOptions
}

// NewYearly returns a Yearly.
func NewYearly(o YearlyOptions) *Yearly {
	if o.Every <= 0 {
		o.Every = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Schedule = o.Schedule.withDefaults()
	if o.Write == nil {
		w := New(Options{Store: o.Store, Location: o.Schedule.Location, Logger: o.Logger, Now: o.Now})
		o.Write = func(ctx context.Context, _ moderation.Account, req Request) (Result, error) {
			req.ContentOnly, req.ContentOnlyReason = true, "no browser"
			return w.Write(ctx, req)
		}
	}
	return &Yearly{o: o}
}

// Run checks after FirstWake and then at every wake until ctx ends. A snapshot in
// progress when ctx ends is abandoned: nothing is recorded and no partial
// file is left in the folder. Failures are logged, never returned.
func (y *Yearly) Run(ctx context.Context) {
	y.o.Logger.Info("yearly snapshots scheduled", "folder", y.o.Folder,
		"next", y.o.Schedule.Next(y.o.Now()).Format(time.DateOnly))
	if y.o.FirstWake > 0 {
		first := time.NewTimer(y.o.FirstWake)
		select {
		case <-ctx.Done():
			first.Stop()
			return
		case <-first.C:
		}
	}
	t := time.NewTicker(y.o.Every)
	defer t.Stop()
	for {
		if _, err := y.Check(ctx); err != nil && ctx.Err() == nil {
			y.o.Logger.Warn("yearly snapshots: trying again at the next wake", "error", err, "retry_in", y.o.Every)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check writes every yearly snapshot due now and returns how many it wrote.
// It goes on with the other accounts when one fails, and returns the
// failures joined.
func (y *Yearly) Check(ctx context.Context) (int, error) {
	now := y.o.Now()
	accounts, err := y.o.Store.Accounts(ctx)
	if err != nil {
		return 0, fmt.Errorf("yearly snapshots: %w", err)
	}
	var errs []error
	written := 0
	for _, a := range accounts {
		if ctx.Err() != nil {
			return written, errors.Join(append(errs, ctx.Err())...)
		}
		if a.Status == moderation.AccountClosed {
			continue
		}
		taken, err := y.o.Store.Snapshots(ctx, a.Key)
		if err != nil {
			errs = append(errs, fmt.Errorf("yearly snapshot of %s: %w", a.Key, err))
			continue
		}
		year, due := y.o.Schedule.Due(now, taken)
		if !due {
			continue
		}
		if err := y.take(ctx, a, year); err != nil {
			errs = append(errs, fmt.Errorf("yearly snapshot of %s %d: %w", a.Key, year, err))
			continue
		}
		written++
	}
	return written, errors.Join(errs...)
}

func (y *Yearly) take(ctx context.Context, a moderation.Account, year int) error {
	if a.Key == "" || strings.ContainsAny(a.Key, `/\`) || a.Key == "." || a.Key == ".." {
		return fmt.Errorf("the account key %q cannot name a file", a.Key)
	}
	if err := os.MkdirAll(y.o.Folder, 0o750); err != nil {
		return fmt.Errorf("snapshot folder: %w", err)
	}
	from, to := Year(year, y.o.Schedule.Location)
	out := filepath.Join(y.o.Folder, fmt.Sprintf("%s-%d.pdf", a.Key, year))
	y.o.Logger.Info("yearly snapshot started", "account", a.Key, "year", year, "path", out)
	res, err := y.o.Write(ctx, a, Request{AccountKey: a.Key, Kind: moderation.SnapshotYearly, From: from, To: to, Out: out})
	if err != nil {
		return err
	}
	detail, err := json.Marshal(map[string]any{"kind": moderation.SnapshotYearly, "from": from, "to": to, "path": res.Record.Path,
		"sha256": res.Record.SHA256, "pages": res.Pages, "scheduled": true})
	if err != nil {
		return err
	}
	// The snapshot is recorded already: the audit entry is written even
	// when shutdown has begun, and a failure is logged rather than retried,
	// which would write the year again.
	if _, err := y.o.Store.AppendAudit(context.WithoutCancel(ctx), moderation.AuditEntry{Actor: "uppsikt", Action: "snapshot", Subject: a.Key, Detail: detail}); err != nil {
		y.o.Logger.Error("yearly snapshot written but not in the audit log", "account", a.Key, "year", year, "path", res.Record.Path, "error", err)
	}
	return nil
}
