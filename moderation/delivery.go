package moderation

import (
	"context"
	"time"
)

// DeliveryStore is the delivery queue of the records register: each
// register entry is handed to each outlet (drop folder, mail, webhook) until
// that outlet acknowledged it, and never again after, so the registrar gets
// every entry once per outlet. archive/sqlite implements it;
// moderation/storetest.RunDelivery is its contract.
type DeliveryStore interface {
	// UndeliveredEntries returns the register entries, of any year, that
	// outlet has not acknowledged, oldest first, at most limit (0: all).
	UndeliveredEntries(ctx context.Context, outlet string, limit int) ([]RegisterEntry, error)
	// MarkOutletDelivered records that outlet acknowledged the entry; the
	// first acknowledgement is kept. When every outlet in all has
	// acknowledged the entry, the entry itself is marked delivered
	// (RegisterEntry.Delivered) in the same transaction.
	MarkOutletDelivered(ctx context.Context, entryID int64, outlet string, all []string, at time.Time) error
	// FailOutletDelivery counts a failed attempt of outlet at the entry.
	FailOutletDelivery(ctx context.Context, entryID int64, outlet, reason string, at time.Time) error
	// OutletDeliveries returns the delivery state of an entry per outlet.
	OutletDeliveries(ctx context.Context, entryID int64) ([]OutletDelivery, error)
}

// OutletDelivery is where the delivery of one register entry to one outlet
// stands.
type OutletDelivery struct {
	EntryID     int64
	Outlet      string
	Attempts    int
	LastError   string
	LastAttempt time.Time
	DeliveredAt time.Time // zero until acknowledged
}
