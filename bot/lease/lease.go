package lease

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Keeper.
type Options struct {
	Store moderation.WorkerStore
	// ID names the worker (workers.id); Instance tells this process apart
	// from an earlier one with the same ID.
	ID       string
	Instance string
	// TTL is how long a heartbeat, a lease and a claim last without being
	// renewed (default 30 s); they are renewed every TTL/3.
	TTL time.Duration
	// Accounts are the keys of the accounts the workers share.
	Accounts []string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Keeper is one worker's membership of the workers sharing a store.
type Keeper struct {
	opts    Options
	started time.Time

	mu     sync.Mutex
	held   map[string]bool // account keys
	until  time.Time       // the held leases are valid until then
	beatAt time.Time       // the last heartbeat the store accepted
}

// New returns a Keeper; Join makes it a member.
func New(opts Options) *Keeper {
	if opts.TTL <= 0 {
		opts.TTL = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Keeper{opts: opts, started: opts.Now(), held: map[string]bool{}}
}

// ID is the worker's ID, with which it claims queued items.
func (k *Keeper) ID() string { return k.opts.ID }

// TTL is how long the worker's heartbeat, leases and claims last.
func (k *Keeper) TTL() time.Duration { return k.opts.TTL }

// Join writes the first heartbeat, gives back claims an earlier process
// with the same ID left behind (this process holds none yet), and takes the
// worker's first share of the accounts.
func (k *Keeper) Join(ctx context.Context) error {
	if err := k.beat(ctx); err != nil {
		return err
	}
	for _, kind := range []moderation.ClaimKind{moderation.ClaimWork, moderation.ClaimActions, moderation.ClaimWebhooks} {
		if err := k.opts.Store.ReleaseClaims(ctx, kind, k.opts.ID); err != nil {
			return err
		}
	}
	return k.balance(ctx)
}

// Run renews the heartbeat and balances the leases every TTL/3 until ctx
// is cancelled. Leave gives everything back once the loops using the
// claims have stopped.
func (k *Keeper) Run(ctx context.Context) {
	t := time.NewTicker(k.opts.TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := k.Renew(ctx); err != nil && ctx.Err() == nil {
			k.opts.Logger.Error("worker heartbeat", "worker", k.opts.ID, "error", err)
		}
	}
}

// Renew is one round of Run: the heartbeat, then the balance.
func (k *Keeper) Renew(ctx context.Context) error {
	if err := k.beat(ctx); err != nil {
		return err
	}
	return k.balance(ctx)
}

func (k *Keeper) beat(ctx context.Context) error {
	now := k.opts.Now()
	clashes, err := k.opts.Store.Heartbeat(ctx, moderation.Worker{ID: k.opts.ID, Instance: k.opts.Instance, StartedAt: k.started},
		now, k.opts.TTL)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.beatAt = now
	k.mu.Unlock()
	if clashes > 0 {
		k.opts.Logger.Warn("another live process uses this worker id; give every worker its own workers.id (after a crash this is the old process, and passes within the TTL)",
			"worker", k.opts.ID, "ttl", k.opts.TTL)
	}
	return nil
}

func (k *Keeper) balance(ctx context.Context) error {
	names := make([]string, len(k.opts.Accounts))
	for i, key := range k.opts.Accounts {
		names[i] = moderation.LeaseAccountPrefix + key
	}
	now := k.opts.Now()
	got, err := k.opts.Store.BalanceLeases(ctx, k.opts.ID, names, now, k.opts.TTL)
	if err != nil {
		return err
	}
	held := make(map[string]bool, len(got))
	for _, name := range got {
		held[strings.TrimPrefix(name, moderation.LeaseAccountPrefix)] = true
	}
	k.mu.Lock()
	before := len(k.held)
	changed := len(held) != before
	for key := range held {
		if !k.held[key] {
			changed = true
		}
	}
	k.held, k.until = held, now.Add(k.opts.TTL)
	k.mu.Unlock()
	if changed {
		k.opts.Logger.Info("accounts of this worker", "worker", k.opts.ID, "accounts", len(held), "before", before)
	}
	return nil
}

// Holds reports whether this worker holds the account's lease now.
func (k *Keeper) Holds(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.held[key] && k.opts.Now().Before(k.until)
}

// Alive reports whether this worker's claims are surely still its own:
// its last heartbeat is younger than two thirds of the TTL (one renewal
// may be late, not two). A worker whose heartbeat has lapsed must not send
// anything it claimed: another worker may have taken the claim over.
func (k *Keeper) Alive() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return !k.beatAt.IsZero() && k.opts.Now().Before(k.beatAt.Add(k.opts.TTL-k.opts.TTL/3))
}

// Held is the number of accounts this worker holds now.
func (k *Keeper) Held() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.opts.Now().Before(k.until) {
		return 0
	}
	return len(k.held)
}

// Leave gives back the worker's leases and claims and removes its
// heartbeat, so that the others take its share at once. Call it after
// every loop using the claims has stopped.
func (k *Keeper) Leave(ctx context.Context) error {
	k.mu.Lock()
	k.held, k.until = map[string]bool{}, time.Time{}
	k.mu.Unlock()
	if err := k.opts.Store.Leave(ctx, k.opts.ID); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	return nil
}

// Once returns a function that runs job while this worker holds the lease
// "job:"+name: it tries to take the lease every TTL/3, runs job with a
// context cancelled when the lease is lost (or not renewed within the TTL)
// or ctx ends, and waits for job before returning. So a job runs on one
// worker at a time, and moves to another within a TTL when its worker
// dies.
func (k *Keeper) Once(name string, job func(ctx context.Context)) func(ctx context.Context) {
	lease := moderation.LeaseJobPrefix + name
	return func(ctx context.Context) {
		t := time.NewTicker(k.opts.TTL / 3)
		defer t.Stop()
		var (
			cancel  context.CancelFunc
			done    chan struct{}
			renewed time.Time
		)
		stop := func() {
			if cancel != nil {
				cancel()
				<-done
				cancel = nil
			}
		}
		defer func() {
			stop()
			if err := k.opts.Store.ReleaseLease(context.WithoutCancel(ctx), lease, k.opts.ID); err != nil {
				k.opts.Logger.Warn("release job lease", "job", name, "error", err)
			}
		}()
		for {
			now := k.opts.Now()
			got, err := k.opts.Store.AcquireLease(ctx, lease, k.opts.ID, now, k.opts.TTL)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				k.opts.Logger.Warn("job lease", "job", name, "error", err)
				if cancel != nil && !now.Before(renewed.Add(k.opts.TTL)) {
					k.opts.Logger.Warn("job stopped: its lease was not renewed within the TTL", "job", name)
					stop()
				}
			case got:
				renewed = now
				if cancel == nil {
					k.opts.Logger.Info("job runs on this worker", "job", name, "worker", k.opts.ID)
					jctx, jcancel := context.WithCancel(ctx)
					cancel, done = jcancel, make(chan struct{})
					go func() {
						defer close(done)
						job(jctx)
					}()
				}
			default:
				if cancel != nil {
					k.opts.Logger.Warn("job lease taken by another worker", "job", name)
					stop()
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}
