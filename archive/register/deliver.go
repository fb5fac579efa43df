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
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/wake"
)

// Options configure a Deliverer.
type Options struct {
	Store    moderation.Store
	Evidence evidence.Store
	Outlets  []Outlet
	// Idle is the wait between rounds (default 30 s); an entry that failed
	// is tried again the next round.
	Idle   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
	// Language is the municipality's language (sv, da, en; sv when
	// empty): the sidecar names it and gives categories and the decision
	// in its words beside their codes.
	Language string
}

// Deliverer hands undelivered register entries to the outlets until each
// entry is acknowledged by all of them.
type Deliverer struct {
	opts Options
	wake wake.Signal
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
	return &Deliverer{opts: opts, wake: wake.New()}
}

// Wake asks for a round now. It never blocks.
func (d *Deliverer) Wake() {
	d.wake.Notify()
}

// Run delivers until ctx is cancelled.
func (d *Deliverer) Run(ctx context.Context) error {
	d.wake.Loop(ctx, d.opts.Idle, func() {
		if n, err := d.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			d.opts.Logger.Warn("register delivery incomplete", "delivered", n, "error", err)
		}
	})
	return nil
}

// DeliverPending hands every entry that an outlet has not acknowledged to
// that outlet, and returns how many deliveries were acknowledged. With a
// store that keeps the delivery queue (moderation.DeliveryStore) each outlet
// gets each entry once; otherwise the undelivered entries of this year and
// the last go to every outlet until all acknowledged. Entries without an
// evidence PDF yet wait. Failures are left for the next round; the error
// joins them.
func (d *Deliverer) DeliverPending(ctx context.Context) (int, error) {
	if len(d.opts.Outlets) == 0 {
		return 0, nil
	}
	q, ok := d.opts.Store.(moderation.DeliveryStore)
	if !ok {
		return d.deliverAll(ctx)
	}
	names := make([]string, len(d.opts.Outlets))
	for i, o := range d.opts.Outlets {
		names[i] = o.Name()
	}
	var errs []error
	n := 0
	loaded := map[int64]*Delivery{}
	for i, o := range d.opts.Outlets {
		entries, err := q.UndeliveredEntries(ctx, names[i], 0)
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			del, ok := loaded[e.ID]
			if !ok {
				del, err = d.delivery(ctx, e)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", e.Number, err))
					continue
				}
				loaded[e.ID] = del
			}
			if del == nil {
				continue // no evidence PDF yet
			}
			now := d.opts.Now()
			if err := o.Deliver(ctx, *del); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", e.Number, o.Name(), err))
				if ferr := q.FailOutletDelivery(ctx, e.ID, names[i], err.Error(), now); ferr != nil {
					return n, errors.Join(append(errs, ferr)...)
				}
				continue
			}
			if err := q.MarkOutletDelivered(ctx, e.ID, names[i], names, now); err != nil {
				return n, errors.Join(append(errs, err)...)
			}
			n++
			d.audit(ctx, e, o.Name(), now)
		}
	}
	if a, ok := d.opts.Store.(moderation.AddendumStore); ok {
		m, err := d.deliverAddenda(ctx, a)
		n += m
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// deliverAddenda hands each outlet the decision addenda it has not
// acknowledged, once it has their entry's evidence PDF, and returns how
// many deliveries were acknowledged.
func (d *Deliverer) deliverAddenda(ctx context.Context, q moderation.AddendumStore) (int, error) {
	var errs []error
	n := 0
	loaded := map[int64]*Delivery{}
	for _, o := range d.opts.Outlets {
		name := o.Name()
		due, err := q.UndeliveredAddenda(ctx, name, 0)
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		for _, a := range due {
			del, ok := loaded[a.File.ID]
			if !ok {
				if del, err = d.addendumDelivery(ctx, a); err != nil {
					errs = append(errs, fmt.Errorf("%s: decision: %w", a.Entry.Number, err))
					continue
				}
				loaded[a.File.ID] = del
			}
			now := d.opts.Now()
			if err := o.Deliver(ctx, *del); err != nil {
				errs = append(errs, fmt.Errorf("%s: decision: %s: %w", a.Entry.Number, name, err))
				if ferr := q.FailAddendumDelivery(ctx, a.File.ID, name, err.Error(), now); ferr != nil {
					return n, errors.Join(append(errs, ferr)...)
				}
				continue
			}
			if err := q.MarkAddendumDelivered(ctx, a.File.ID, name, now); err != nil {
				return n, errors.Join(append(errs, err)...)
			}
			n++
			detail, _ := json.Marshal(map[string]any{"number": a.Entry.Number, "outlet": name, "document": DocumentDecision,
				"sha256": a.File.SHA256, "case_id": a.File.CaseID})
			if _, err := d.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: now, Actor: "uppsikt", Action: "register.delivered",
				Subject: "register " + strconv.FormatInt(a.Entry.ID, 10), Detail: detail}); err != nil {
				d.opts.Logger.Error("audit append failed", "error", err)
			}
			d.opts.Logger.Info("decision addendum delivered", "number", a.Entry.Number, "outlet", name)
		}
	}
	return n, errors.Join(errs...)
}

// addendumDelivery loads what an outlet is handed for a decision addendum:
// the addendum (checked against its hash) and its sidecar.
func (d *Deliverer) addendumDelivery(ctx context.Context, a moderation.Addendum) (*Delivery, error) {
	f := evidence.File{SHA256: a.File.SHA256, Path: a.File.Path, Size: a.File.Size}
	if err := d.opts.Evidence.Verify(ctx, f); err != nil {
		return nil, err
	}
	data, err := d.opts.Evidence.ReadFile(ctx, a.File.Path)
	if err != nil {
		return nil, err
	}
	side, err := d.sidecar(ctx, a.Entry, a.File)
	if err != nil {
		return nil, err
	}
	side.Document = DocumentDecision
	ds, err := d.opts.Store.Decisions(ctx, a.File.CaseID)
	if err != nil {
		return nil, err
	}
	for _, dec := range ds {
		if dec.ID == a.File.DecisionID {
			side.Decision, side.DecidedBy, side.DecidedAt, side.DecisionReason = dec.Kind, dec.By, dec.At.UTC(), dec.Reason
			side.DecisionText = decide.KindName(d.lang(), dec.Kind)
		}
	}
	if c, err := d.opts.Store.Case(ctx, a.File.CaseID); err == nil {
		side.Categories = c.Categories
		side.CategoryNames = categoryNames(d.lang(), c.Categories)
	}
	// The evidence PDF the addendum completes, and the comment's earlier
	// addendum: the latest of each recorded before it.
	files, err := d.opts.Store.Evidence(ctx, a.Entry.CommentID)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.ID >= a.File.ID {
			break
		}
		switch f.Kind {
		case moderation.EvidencePDF:
			side.Completes = f.SHA256
		case moderation.EvidenceDecision:
			side.Previous = f.SHA256
		}
	}
	sidecar, err := json.MarshalIndent(side, "", "  ")
	if err != nil {
		return nil, err
	}
	return &Delivery{Entry: a.Entry, Document: DocumentDecision, DecisionID: a.File.DecisionID, PDF: data, Sidecar: sidecar}, nil
}

// deliverAll is DeliverPending for a store without a delivery queue.
func (d *Deliverer) deliverAll(ctx context.Context) (int, error) {
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
			del, err := d.delivery(ctx, e)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Number, err))
				continue
			}
			if del == nil {
				continue
			}
			var failed []error
			for _, o := range d.opts.Outlets {
				if err := o.Deliver(ctx, *del); err != nil {
					failed = append(failed, fmt.Errorf("%s: %s: %w", e.Number, o.Name(), err))
				}
			}
			if len(failed) > 0 {
				errs = append(errs, failed...)
				continue
			}
			now := d.opts.Now()
			if err := d.opts.Store.MarkRegisterDelivered(ctx, e.ID, now); err != nil {
				return n, err
			}
			n++
			d.audit(ctx, e, "all", now)
		}
	}
	return n, errors.Join(errs...)
}

// delivery loads what an outlet is handed for an entry: the latest
// evidence PDF of its comment (checked against its hash) and the sidecar.
// It returns nil without an error when there is no PDF yet.
func (d *Deliverer) delivery(ctx context.Context, e moderation.RegisterEntry) (*Delivery, error) {
	if e.ObjectionID != 0 {
		return d.objectionDelivery(ctx, e)
	}
	files, err := d.opts.Store.Evidence(ctx, e.CommentID)
	if err != nil {
		return nil, err
	}
	var pdfFile *moderation.EvidenceFile
	for i := range files {
		if files[i].Kind == "pdf" {
			pdfFile = &files[i]
		}
	}
	if pdfFile == nil {
		return nil, nil
	}
	pdf, err := d.opts.Evidence.ReadFile(ctx, pdfFile.Path)
	if err != nil {
		return nil, err
	}
	sidecar, err := d.Sidecar(ctx, e, *pdfFile)
	if err != nil {
		return nil, err
	}
	return &Delivery{Entry: e, PDF: pdf, Sidecar: sidecar}, nil
}

// objectionDelivery loads what an outlet is handed for the entry of an
// objection to a photo in an own post: the evidence PDF of the post
// (checked against its hash) and the sidecar. It returns nil without an
// error while the evidence is not captured yet.
func (d *Deliverer) objectionDelivery(ctx context.Context, e moderation.RegisterEntry) (*Delivery, error) {
	st, ok := d.opts.Store.(moderation.OwnPostStore)
	if !ok {
		return nil, fmt.Errorf("entry of objection %d: the store keeps no objections", e.ObjectionID)
	}
	o, err := st.Objection(ctx, e.ObjectionID)
	if err != nil {
		return nil, err
	}
	if o.EvidencePath == "" {
		return nil, nil
	}
	f := evidence.File{SHA256: o.EvidenceSHA256, Path: o.EvidencePath, Size: o.EvidenceSize}
	if err := d.opts.Evidence.Verify(ctx, f); err != nil {
		return nil, err
	}
	pdf, err := d.opts.Evidence.ReadFile(ctx, o.EvidencePath)
	if err != nil {
		return nil, err
	}
	acct, err := d.opts.Store.Account(ctx, o.AccountKey)
	if err != nil {
		return nil, err
	}
	side := SidecarData{
		Number: e.Number, Year: e.Year, Seq: e.Seq, Reason: e.Reason, CreatedAt: e.CreatedAt.UTC(),
		Account: acct.Name, Platform: string(acct.Platform), PostID: o.PostID, State: string(o.State),
		PDFSHA256: o.EvidenceSHA256, PDFSize: o.EvidenceSize, Objection: o.ID, ObjectionBy: o.Person, Language: d.lang(),
	}
	if p, err := d.opts.Store.Post(ctx, o.AccountKey, o.PostID); err == nil {
		side.Permalink = p.PermalinkURL
	}
	sidecar, err := json.MarshalIndent(side, "", "  ")
	if err != nil {
		return nil, err
	}
	return &Delivery{Entry: e, PDF: pdf, Sidecar: sidecar}, nil
}

func (d *Deliverer) audit(ctx context.Context, e moderation.RegisterEntry, outlet string, at time.Time) {
	detail, _ := json.Marshal(map[string]any{"number": e.Number, "outlet": outlet})
	if _, err := d.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: at, Actor: "uppsikt", Action: "register.delivered",
		Subject: "register " + strconv.FormatInt(e.ID, 10), Detail: detail}); err != nil {
		d.opts.Logger.Error("audit append failed", "error", err)
	}
	d.opts.Logger.Info("register entry delivered", "number", e.Number, "outlet", outlet)
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
	CommentID  string    `json:"comment_id,omitempty"`
	Permalink  string    `json:"permalink"`
	AuthorName string    `json:"author_name,omitempty"`
	AuthorID   string    `json:"author_id,omitempty"`
	CommentAt  time.Time `json:"comment_created_at,omitzero"`
	State      string    `json:"state"`
	PDFSHA256  string    `json:"pdf_sha256"`
	PDFSize    int64     `json:"pdf_size"`
	// For the entry of an objection to a photo in an own post: the
	// objection's number in uppsikt and the person who objects.
	Objection   int64  `json:"objection_id,omitempty"`
	ObjectionBy string `json:"objection_by,omitempty"`
	// For a decision addendum (Document "decision"): the decision, and the
	// SHA-256 of the evidence PDF it completes and of the comment's
	// previous addendum. PDFSHA256 is then the addendum's own.
	Document       string    `json:"document,omitempty"`
	Decision       string    `json:"decision,omitempty"`
	DecidedBy      string    `json:"decided_by,omitempty"`
	DecidedAt      time.Time `json:"decided_at,omitzero"`
	DecisionReason string    `json:"decision_reason,omitempty"`
	Categories     []string  `json:"categories,omitempty"`
	Completes      string    `json:"completes_sha256,omitempty"`
	Previous       string    `json:"previous_sha256,omitempty"`
	// Language is the language of Reason, CategoryNames and DecisionText
	// (the municipality's); Categories and Decision stay codes for
	// machines.
	Language      string   `json:"language,omitempty"`
	CategoryNames []string `json:"category_names,omitempty"`
	DecisionText  string   `json:"decision_text,omitempty"`
}

// Sidecar builds the JSON sidecar of an entry.
func (d *Deliverer) Sidecar(ctx context.Context, e moderation.RegisterEntry, pdf moderation.EvidenceFile) ([]byte, error) {
	side, err := d.sidecar(ctx, e, pdf)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(side, "", "  ")
}

func (d *Deliverer) sidecar(ctx context.Context, e moderation.RegisterEntry, pdf moderation.EvidenceFile) (SidecarData, error) {
	c, err := d.opts.Store.Comment(ctx, e.CommentID)
	if err != nil {
		return SidecarData{}, err
	}
	acct, err := d.opts.Store.Account(ctx, c.AccountKey)
	if err != nil {
		return SidecarData{}, err
	}
	return SidecarData{
		Number: e.Number, Year: e.Year, Seq: e.Seq, Reason: e.Reason, CreatedAt: e.CreatedAt.UTC(),
		Account: acct.Name, Platform: string(acct.Platform), PostID: c.PostID, CommentID: c.PlatformID,
		Permalink: c.PermalinkURL, AuthorName: c.Author.Name, AuthorID: c.Author.ID, CommentAt: c.CreatedAt.UTC(),
		State: string(c.State), PDFSHA256: pdf.SHA256, PDFSize: pdf.Size, Language: d.lang(),
	}, nil
}

// lang is the sidecar's language: Options.Language when it is known, else sv.
func (d *Deliverer) lang() string {
	if _, ok := mailWords[d.opts.Language]; ok {
		return d.opts.Language
	}
	return "sv"
}
