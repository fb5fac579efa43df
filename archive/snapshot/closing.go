package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// ErrClosed is returned when closing an account that is already closed.
var ErrClosed = errors.New("the account is already closed")

// CloseStore is what closing an account reads and changes.
type CloseStore interface {
	Store
	SetAccountStatus(ctx context.Context, key string, status moderation.AccountStatus, note string) error
	AppendAudit(ctx context.Context, e moderation.AuditEntry) (moderation.AuditEntry, error)
}

// Closing is the closing of an account: the closing snapshot first, then
// the account marked closed and the closing audited.
type Closing struct {
	Store    CloseStore
	Location *time.Location
	// Take writes the closing snapshot of the account for the period and
	// records it (the caller wires the browser and the platform).
	Take func(ctx context.Context, a moderation.Account, from, to time.Time) (Result, error)
}

// Close closes the account key at now for actor ("cli" when empty). The
// closing snapshot covers what no yearly snapshot covers yet: this year,
// and last year too when its yearly snapshot is still to be taken. When
// the snapshot fails the account stays open. An account already closed is
// refused with ErrClosed.
func (c Closing) Close(ctx context.Context, key, actor string, now time.Time) (Result, error) {
	a, err := c.Store.Account(ctx, key)
	if err != nil {
		return Result{}, err
	}
	if a.Status == moderation.AccountClosed {
		return Result{}, fmt.Errorf("account %s: %w", key, ErrClosed)
	}
	snaps, err := c.Store.Snapshots(ctx, key)
	if err != nil {
		return Result{}, err
	}
	loc := c.Location
	from, _ := Year(now.In(loc).Year(), loc)
	if last, ok := lastYearly(snaps, now.In(loc).Year()-1, loc); !ok {
		from = last
	}
	res, err := c.Take(ctx, a, from, now)
	if err != nil {
		return res, fmt.Errorf("closing snapshot of %s: %w (the account stays open)", key, err)
	}
	note := fmt.Sprintf("closed %s after the closing snapshot %s (sha256 %s)", now.UTC().Format(time.DateOnly), res.Record.Path, res.Record.SHA256)
	if err := c.Store.SetAccountStatus(ctx, key, moderation.AccountClosed, note); err != nil {
		return res, err
	}
	if actor == "" {
		actor = "cli"
	}
	detail, _ := json.Marshal(map[string]any{"snapshot": res.Record.ID, "sha256": res.Record.SHA256})
	if _, err := c.Store.AppendAudit(ctx, moderation.AuditEntry{Actor: actor, Action: "account_closed", Subject: key, Detail: detail}); err != nil {
		return res, err
	}
	return res, nil
}

// lastYearly returns the start of year when a yearly snapshot of it exists
// (ok true), else the start of that year to cover it in the closing
// snapshot (ok false).
func lastYearly(snaps []moderation.SnapshotRecord, year int, loc *time.Location) (time.Time, bool) {
	from, to := Year(year, loc)
	for _, s := range snaps {
		if s.Kind == moderation.SnapshotYearly && !s.From.After(from) && !s.To.Before(to) {
			return from, true
		}
	}
	return from, false
}
