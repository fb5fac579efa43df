package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// DeliveryBackend is a store with the register delivery queue.
type DeliveryBackend interface {
	moderation.Store
	moderation.DeliveryStore
}

// RunDelivery runs the contract of moderation.DeliveryStore. open must
// return a new, empty store each time; RunDelivery closes it.
func RunDelivery(t *testing.T, open func(t *testing.T) DeliveryBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s DeliveryBackend, entries []moderation.RegisterEntry)
	}{
		{"delivery/every entry is pending for a new outlet, across years", testUndeliveredAll},
		{"delivery/an acknowledged entry is not pending for that outlet only", testAcknowledgedPerOutlet},
		{"delivery/the entry is delivered when every outlet acknowledged it", testEntryDeliveredWhenAll},
		{"delivery/failures count attempts and keep an acknowledgement", testFailures},
		{"delivery/unknown entry is not found", testDeliveryUnknownEntry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			ctx := context.Background()
			if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen", UpdatedAt: t0}); err != nil {
				t.Fatalf("UpsertAccount: %v", err)
			}
			var entries []moderation.RegisterEntry
			for i, when := range []time.Time{t0.AddDate(-1, 0, 0), t0, t0.Add(time.Hour)} {
				r := record(t, s, obs("c"+string(rune('a'+i)), "text", i))
				e, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, Reason: "test", CreatedAt: when}, nil)
				if err != nil {
					t.Fatalf("CreateRegisterEntry: %v", err)
				}
				entries = append(entries, e)
			}
			tc.fn(t, s, entries)
		})
	}
}

func pendingIDs(t *testing.T, s DeliveryBackend, outlet string) []int64 {
	t.Helper()
	es, err := s.UndeliveredEntries(context.Background(), outlet, 0)
	if err != nil {
		t.Fatalf("UndeliveredEntries: %v", err)
	}
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

func sameIDs(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func testUndeliveredAll(t *testing.T, s DeliveryBackend, entries []moderation.RegisterEntry) {
	want := []int64{entries[0].ID, entries[1].ID, entries[2].ID}
	if got := pendingIDs(t, s, "smtp:reg@kommun.se"); !sameIDs(got, want) {
		t.Errorf("pending = %v, want %v (oldest first, every year)", got, want)
	}
	es, err := s.UndeliveredEntries(context.Background(), "smtp:reg@kommun.se", 2)
	if err != nil || len(es) != 2 {
		t.Errorf("limit 2: got %d entries, %v; want 2", len(es), err)
	}
}

func testAcknowledgedPerOutlet(t *testing.T, s DeliveryBackend, entries []moderation.RegisterEntry) {
	ctx := context.Background()
	all := []string{"folder:/srv/d", "webhook:https://d"}
	if err := s.MarkOutletDelivered(ctx, entries[1].ID, "folder:/srv/d", all, t0); err != nil {
		t.Fatal(err)
	}
	if got, want := pendingIDs(t, s, "folder:/srv/d"), []int64{entries[0].ID, entries[2].ID}; !sameIDs(got, want) {
		t.Errorf("folder pending = %v, want %v", got, want)
	}
	if got, want := pendingIDs(t, s, "webhook:https://d"), []int64{entries[0].ID, entries[1].ID, entries[2].ID}; !sameIDs(got, want) {
		t.Errorf("webhook pending = %v, want %v", got, want)
	}
	es, _ := s.RegisterEntries(ctx, entries[1].Year)
	for _, e := range es {
		if e.ID == entries[1].ID && !e.Delivered.IsZero() {
			t.Errorf("entry delivered after one of two outlets")
		}
	}
}

func testEntryDeliveredWhenAll(t *testing.T, s DeliveryBackend, entries []moderation.RegisterEntry) {
	ctx := context.Background()
	all := []string{"a", "b"}
	if err := s.MarkOutletDelivered(ctx, entries[2].ID, "a", all, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutletDelivered(ctx, entries[2].ID, "b", all, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutletDelivered(ctx, entries[2].ID, "b", all, t0.Add(time.Hour)); err != nil { // a repeat keeps the first
		t.Fatal(err)
	}
	es, _ := s.RegisterEntries(ctx, entries[2].Year)
	var got moderation.RegisterEntry
	for _, e := range es {
		if e.ID == entries[2].ID {
			got = e
		}
	}
	sameTime(t, "entry delivered", got.Delivered, t0.Add(time.Minute))
	ds, err := s.OutletDeliveries(ctx, entries[2].ID)
	if err != nil || len(ds) != 2 {
		t.Fatalf("OutletDeliveries = %d, %v; want 2", len(ds), err)
	}
	sameTime(t, "outlet b delivered", ds[1].DeliveredAt, t0.Add(time.Minute))
}

func testFailures(t *testing.T, s DeliveryBackend, entries []moderation.RegisterEntry) {
	ctx := context.Background()
	id := entries[0].ID
	for i := range 2 {
		if err := s.FailOutletDelivery(ctx, id, "smtp", "421 try later", t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkOutletDelivered(ctx, id, "smtp", []string{"smtp"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.FailOutletDelivery(ctx, id, "smtp", "late failure", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ds, err := s.OutletDeliveries(ctx, id)
	if err != nil || len(ds) != 1 {
		t.Fatalf("OutletDeliveries = %v, %v; want one row", ds, err)
	}
	d := ds[0]
	if d.Attempts != 4 || d.LastError != "late failure" {
		t.Errorf("attempts %d, last error %q; want 4, late failure", d.Attempts, d.LastError)
	}
	sameTime(t, "delivered", d.DeliveredAt, t0.Add(time.Hour))
	if got := pendingIDs(t, s, "smtp"); len(got) != 2 {
		t.Errorf("pending after acknowledgement = %v, want the other two", got)
	}
}

func testDeliveryUnknownEntry(t *testing.T, s DeliveryBackend, _ []moderation.RegisterEntry) {
	ctx := context.Background()
	if err := s.MarkOutletDelivered(ctx, 9999, "a", []string{"a"}, t0); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("MarkOutletDelivered(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.FailOutletDelivery(ctx, 9999, "a", "x", t0); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("FailOutletDelivery(unknown) = %v, want ErrNotFound", err)
	}
}
