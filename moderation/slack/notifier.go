package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// Surface is the name of this surface in notices and decisions.
const Surface = decide.SurfaceSlack

// Options configure the Slack surface.
type Options struct {
	Client *slack.Client // with the bot token (xoxb-)
	Store  moderation.Store
	Users  moderation.UserStore
	Decide *decide.Service
	// Channel returns the Slack channel of an account's cases; "" leaves
	// the account's cases off Slack.
	Channel func(accountKey string) string
	// SlackUsers maps Slack user ids to uppsikt user names.
	SlackUsers    map[string]string
	SigningSecret string // for the HTTP endpoint
	BaseURL       string // the web page, for links
	Language      string
	RetryEvery    time.Duration // how often missing and stale messages are retried, default 1 minute
	Logger        *slog.Logger
	Now           func() time.Time
}

// Notifier posts cases to Slack and carries out the clicks on them.
type Notifier struct {
	opts   Options
	wake   chan struct{}
	alerts alerts
}

// New returns the Slack surface.
func New(opts Options) *Notifier {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = time.Minute
	}
	return &Notifier{opts: opts, wake: make(chan struct{}, 1)}
}

// Wake asks for a pass soon (a case was opened or decided). It never blocks.
func (n *Notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Decided is the decision service's hook.
func (n *Notifier) Decided(moderation.Case) { n.Wake() }

// Run posts and updates messages until ctx ends: at once, when woken, and
// every RetryEvery.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.opts.RetryEvery)
	defer t.Stop()
	for {
		if err := n.Sync(ctx); err != nil && ctx.Err() == nil {
			n.opts.Logger.Warn("slack pass", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-n.wake:
		}
	}
}

// Sync posts every undecided case not yet on Slack and updates every
// message whose case changed since it was posted, and alerts the channels
// of accounts that were disconnected (AlertDisconnected) and of accounts
// with an action that failed for good (AlertFailedActions). A failure is
// recorded on the notice and retried on the next pass.
func (n *Notifier) Sync(ctx context.Context) error {
	return errors.Join(n.syncCases(ctx), n.AlertDisconnected(ctx), n.AlertFailedActions(ctx))
}

func (n *Notifier) syncCases(ctx context.Context) error {
	cases, err := n.opts.Store.ListCases(ctx, moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseOpen, moderation.CaseEscalated}})
	if err != nil {
		return err
	}
	var errs []error
	tried := map[int64]bool{}
	for _, c := range cases {
		_, err := n.opts.Users.Notice(ctx, c.ID, Surface)
		if err == nil {
			continue
		}
		if !errors.Is(err, moderation.ErrNotFound) {
			return err
		}
		ch := n.channel(c.AccountKey)
		if ch == "" {
			continue
		}
		tried[c.ID] = true
		errs = append(errs, n.show(ctx, c, moderation.Notice{CaseID: c.ID, Surface: Surface, Channel: ch}))
	}
	notices, err := n.opts.Users.UnsettledNotices(ctx, Surface, 200)
	if err != nil {
		return err
	}
	for _, no := range notices {
		if tried[no.CaseID] {
			continue // once per pass
		}
		c, err := n.opts.Store.Case(ctx, no.CaseID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if no.Ref != "" && no.Shown == c.State {
			continue
		}
		errs = append(errs, n.show(ctx, c, no))
	}
	return errors.Join(errs...)
}

func (n *Notifier) channel(account string) string {
	if n.opts.Channel == nil {
		return ""
	}
	return n.opts.Channel(account)
}

// show posts the case's message, or updates it in place when it was posted.
func (n *Notifier) show(ctx context.Context, c moderation.Case, no moderation.Notice) error {
	info, err := n.info(ctx, c)
	if err != nil {
		return err
	}
	blocks, fallback := Blocks(info, n.opts.Language)
	opts := []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(fallback, false)}
	var ts string
	if no.Ref == "" {
		_, ts, err = n.opts.Client.PostMessageContext(ctx, no.Channel, opts...)
	} else {
		_, ts, _, err = n.opts.Client.UpdateMessageContext(ctx, no.Channel, no.Ref, opts...)
	}
	no.Attempts++
	no.UpdatedAt = n.opts.Now()
	if err != nil {
		no.LastError = err.Error()
		n.opts.Logger.Warn("slack message", "case", c.ID, "channel", no.Channel, "attempt", no.Attempts, "error", err)
		return errors.Join(fmt.Errorf("case %d to slack: %w", c.ID, err), n.opts.Users.SaveNotice(ctx, no))
	}
	if ts != "" {
		no.Ref = ts
	}
	no.Shown, no.LastError, no.Attempts = c.State, "", 0
	return n.opts.Users.SaveNotice(ctx, no)
}

// info gathers what a case message shows.
func (n *Notifier) info(ctx context.Context, c moderation.Case) (CaseInfo, error) {
	st := n.opts.Store
	info := CaseInfo{Case: c, BaseURL: n.opts.BaseURL}
	var err error
	if info.Comment, err = st.Comment(ctx, c.CommentID); err != nil {
		return info, err
	}
	if info.Account, err = st.Account(ctx, c.AccountKey); err != nil {
		return info, err
	}
	if p, err := st.Post(ctx, info.Comment.AccountKey, info.Comment.PostID); err == nil {
		info.Post = p
	}
	vs, err := st.CommentVersions(ctx, c.CommentID)
	if err != nil {
		return info, err
	}
	for _, v := range vs {
		if v.Version == c.Version || info.Text == "" {
			info.Text = v.Message
		}
	}
	if v, err := st.LatestVerdict(ctx, c.CommentID); err == nil && v.Version == c.Version {
		info.Hits = v.Verdict.Hits
	}
	if info.Evidence, err = st.Evidence(ctx, c.CommentID); err != nil {
		return info, err
	}
	ds, err := st.Decisions(ctx, c.ID)
	if err != nil {
		return info, err
	}
	if len(ds) > 0 {
		info.Decision = &ds[len(ds)-1]
	}
	if n.opts.Decide != nil {
		if until, ok := n.opts.Decide.UndoUntil(c, ds); ok && n.opts.Now().Before(until) {
			info.UndoUntil = until
		}
	}
	return info, nil
}

// Interact carries out a click and returns the explanation to show the
// clicker alone ("" when the updated message says it all).
func (n *Notifier) Interact(ctx context.Context, cb slack.InteractionCallback) string {
	t := words(n.opts.Language)
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return ""
	}
	a := cb.ActionCallback.BlockActions[0]
	kind, ok := actionKinds[a.ActionID]
	if !ok {
		return "" // Open in uppsikt is a link
	}
	caseID, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		return t["failed"]
	}
	name, ok := n.opts.SlackUsers[cb.User.ID]
	if !ok {
		n.opts.Logger.Warn("slack click by an unmapped user", "slack_user", cb.User.ID, "case", caseID)
		return t["unmapped"]
	}
	u, err := n.opts.Users.User(ctx, name)
	if err != nil || u.Disabled {
		n.opts.Logger.Warn("slack user mapped to an unknown or disabled user", "slack_user", cb.User.ID, "user", name)
		return t["unmapped"]
	}
	out, err := n.opts.Decide.Decide(ctx, decide.Request{CaseID: caseID, Kind: kind, By: u.Name, Role: u.Role, Surface: Surface, Reason: "Slack"})
	var conflict *moderation.ConflictError
	switch {
	case err == nil:
	case errors.As(err, &conflict):
		e := conflict.Existing
		n.Wake()
		return fmt.Sprintf(t["conflict"], e.By, e.Surface, e.At.UTC().Format(time.DateTime+" UTC"))
	case errors.Is(err, decide.ErrForbidden):
		return t["forbidden"]
	case errors.Is(err, moderation.ErrTooLate):
		return t["too_late"]
	default:
		n.opts.Logger.Error("slack decision", "case", caseID, "error", err)
		return t["failed"]
	}
	// Update the clicked message at once; the notice keeps it right later.
	no, err := n.opts.Users.Notice(ctx, caseID, Surface)
	if errors.Is(err, moderation.ErrNotFound) {
		no = moderation.Notice{CaseID: caseID, Surface: Surface, Channel: cb.Container.ChannelID, Ref: cb.Container.MessageTs}
	}
	if no.Ref == "" && cb.Container.MessageTs != "" {
		no.Channel, no.Ref = cb.Container.ChannelID, cb.Container.MessageTs
	}
	if no.Ref != "" {
		if err := n.show(ctx, out.Case, no); err != nil {
			n.opts.Logger.Warn("slack update after decision", "case", caseID, "error", err)
		}
	}
	if out.AwaitingSecond {
		return t["second"]
	}
	return ""
}

// reply shows the clicker alone an explanation.
func (n *Notifier) reply(ctx context.Context, cb slack.InteractionCallback, text string) {
	if text == "" {
		return
	}
	ch := cb.Container.ChannelID
	if ch == "" {
		ch = cb.Channel.ID
	}
	if _, err := n.opts.Client.PostEphemeralContext(ctx, ch, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		n.opts.Logger.Warn("slack explanation", "error", err)
	}
}

// ServeHTTP is the interactivity endpoint (/slack/interactions): it refuses
// any request not signed with the signing secret within the last five
// minutes, then carries out the click.
func (n *Notifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if n.opts.SigningSecret == "" {
		http.Error(w, "no signing secret configured", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sv, err := slack.NewSecretsVerifier(r.Header, n.opts.SigningSecret)
	if err == nil {
		_, err = sv.Write(body)
	}
	if err == nil {
		err = sv.Ensure()
	}
	if err != nil {
		n.opts.Logger.Warn("slack request refused", "remote", r.RemoteAddr, "error", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	n.reply(r.Context(), cb, n.Interact(r.Context(), cb))
	w.WriteHeader(http.StatusOK)
}

// RunSocketMode receives clicks over Socket Mode until ctx ends. client
// must be made with the app-level token (xapp-) as well as the bot token.
func (n *Notifier) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case ev := <-client.Events:
			if ev.Type != socketmode.EventTypeInteractive || ev.Request == nil {
				continue
			}
			if err := client.AckCtx(ctx, ev.Request.EnvelopeID, nil); err != nil {
				n.opts.Logger.Warn("slack ack", "error", err)
			}
			cb, ok := ev.Data.(slack.InteractionCallback)
			if !ok {
				continue
			}
			n.reply(ctx, cb, n.Interact(ctx, cb))
		}
	}
}
