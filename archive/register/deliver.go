package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/moderation"
)

// Options configure a Deliverer.
type Options struct {
	Store    moderation.Store
	Evidence *evidence.Dir
	Outlets  []Outlet
	// Idle is the wait between rounds (default 30 s); an entry that failed
	// is tried again the next round.
	Idle   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Deliverer hands undelivered register entries to the outlets until each
// entry is acknowledged by all of them.
type Deliverer struct {
	opts Options
	wake chan struct{}
}

// New returns a Deliverer.
func New(opts Options) *Deliverer {
	if opts.Idle <= 0 {
		opts.Idle = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{opts: opts, wake: make(chan struct{}, 1)}
}

// Wake asks for a round now. It never blocks.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled.
func (d *Deliverer) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.wake:
		}
		if n, err := d.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			d.opts.Logger.Warn("register delivery incomplete", "delivered", n, "error", err)
		}
		timer.Reset(d.opts.Idle)
	}
}

// DeliverPending delivers every undelivered entry of this year and the
// last that has an evidence PDF, and returns how many were acknowledged.
// Entries whose delivery failed are left for the next round; the error
// joins their failures.
func (d *Deliverer) DeliverPending(ctx context.Context) (int, error) {
	if len(d.opts.Outlets) == 0 {
		return 0, nil
	}
	year := d.opts.Now().UTC().Year()
	var errs []error
	n := 0
	for _, y := range []int{year - 1, year} {
		entries, err := d.opts.Store.RegisterEntries(ctx, y)
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			if !e.Delivered.IsZero() {
				continue
			}
			ok, err := d.Deliver(ctx, e)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Number, err))
				continue
			}
			if ok {
				n++
			}
		}
	}
	return n, errors.Join(errs...)
}

// Deliver hands one entry to every outlet and records it delivered when
// all acknowledged. It reports false without an error when the entry's
// evidence PDF is not there yet.
func (d *Deliverer) Deliver(ctx context.Context, e moderation.RegisterEntry) (bool, error) {
	files, err := d.opts.Store.Evidence(ctx, e.CommentID)
	if err != nil {
		return false, err
	}
	var pdfFile *moderation.EvidenceFile
	for i := range files {
		if files[i].Kind == "pdf" {
			pdfFile = &files[i]
		}
	}
	if pdfFile == nil {
		return false, nil
	}
	pdf, err := d.opts.Evidence.ReadFile(ctx, pdfFile.Path)
	if err != nil {
		return false, err
	}
	sidecar, err := d.Sidecar(ctx, e, *pdfFile)
	if err != nil {
		return false, err
	}
	del := Delivery{Entry: e, PDF: pdf, Sidecar: sidecar}
	var errs []error
	for _, o := range d.opts.Outlets {
		if err := o.Deliver(ctx, del); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.Name(), err))
		}
	}
	if len(errs) > 0 {
		return false, errors.Join(errs...)
	}
	now := d.opts.Now()
	if err := d.opts.Store.MarkRegisterDelivered(ctx, e.ID, now); err != nil {
		return false, err
	}
	detail, _ := json.Marshal(map[string]any{"number": e.Number, "outlets": len(d.opts.Outlets), "pdf_sha256": pdfFile.SHA256})
	if _, err := d.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: now, Actor: "uppsikt", Action: "register.delivered",
		Subject: "register " + strconv.FormatInt(e.ID, 10), Detail: detail}); err != nil {
		return true, err
	}
	d.opts.Logger.Info("register entry delivered", "number", e.Number, "comment_id", e.CommentID)
	return true, nil
}

// SidecarData is the JSON sidecar of an entry.
type SidecarData struct {
	Number     string    `json:"number"`
	Year       int       `json:"year"`
	Seq        int       `json:"seq"`
	Reason     string    `json:"reason"`
	CreatedAt  time.Time `json:"created_at"`
	Account    string    `json:"account"`
	Platform   string    `json:"platform"`
	PostID     string    `json:"post_id"`
	CommentID  string    `json:"comment_id"`
	Permalink  string    `json:"permalink"`
	AuthorName string    `json:"author_name"`
	AuthorID   string    `json:"author_id"`
	CommentAt  time.Time `json:"comment_created_at"`
	State      string    `json:"state"`
	PDFSHA256  string    `json:"pdf_sha256"`
	PDFSize    int64     `json:"pdf_size"`
}

// Sidecar builds the JSON sidecar of an entry.
func (d *Deliverer) Sidecar(ctx context.Context, e moderation.RegisterEntry, pdf moderation.EvidenceFile) ([]byte, error) {
	c, err := d.opts.Store.Comment(ctx, e.CommentID)
	if err != nil {
		return nil, err
	}
	acct, err := d.opts.Store.Account(ctx, c.AccountKey)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(SidecarData{
		Number: e.Number, Year: e.Year, Seq: e.Seq, Reason: e.Reason, CreatedAt: e.CreatedAt.UTC(),
		Account: acct.Name, Platform: string(acct.Platform), PostID: c.PostID, CommentID: c.PlatformID,
		Permalink: c.PermalinkURL, AuthorName: c.Author.Name, AuthorID: c.Author.ID, CommentAt: c.CreatedAt.UTC(),
		State: string(c.State), PDFSHA256: pdf.SHA256, PDFSize: pdf.Size,
	}, "", "  ")
}
