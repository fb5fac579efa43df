package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// webhookTarget is a verified callback URL.
type webhookTarget struct {
	CallbackURL string    `json:"callback_url"`
	VerifiedAt  time.Time `json:"verified_at"`
}

// hookJob is one delivery: a signed body for one callback.
type hookJob struct {
	url     string
	body    []byte
	account string
	ev      hookEvent
}

// hookEvent says what a webhook event is about, for Delivery.
type hookEvent struct {
	id         int64
	item       string // comment or post
	verb       string // add, edited, remove
	objectID   string
	textSHA256 string
}

// WebhookRegistration is the body of POST /_emulator/webhooks.
type WebhookRegistration struct {
	CallbackURL string `json:"callback_url"`
	VerifyToken string `json:"verify_token"`
	// SubscribeAll subscribes every account to its webhook fields at once,
	// as if each page had called POST /{page-id}/subscribed_apps.
	SubscribeAll bool `json:"subscribe_all,omitempty"`
}

// RegisterWebhook performs Meta's verification handshake against the
// callback (GET with hub.mode, hub.verify_token and hub.challenge; the
// callback must answer 200 with the challenge) and then delivers events to it.
func (e *Emulator) RegisterWebhook(ctx context.Context, reg WebhookRegistration) error {
	u, err := url.Parse(reg.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("emulator: callback_url %q: want an absolute http(s) URL", reg.CallbackURL)
	}
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("emulator: challenge: %w", err)
	}
	challenge := hex.EncodeToString(raw[:])
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.verify_token", reg.VerifyToken)
	q.Set("hub.challenge", challenge)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("emulator: verification request: %w", err)
	}
	resp, err := e.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("emulator: verification of %s: %w", reg.CallbackURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator: verification of %s: status %d", reg.CallbackURL, resp.StatusCode)
	}
	if strings.TrimSpace(string(body)) != challenge {
		return fmt.Errorf("emulator: verification of %s: the callback did not echo hub.challenge", reg.CallbackURL)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hooks = slices.DeleteFunc(e.hooks, func(t webhookTarget) bool { return t.CallbackURL == reg.CallbackURL })
	e.hooks = append(e.hooks, webhookTarget{CallbackURL: reg.CallbackURL, VerifiedAt: e.now()})
	if reg.SubscribeAll {
		for _, a := range e.accounts {
			if a.Platform == "facebook" {
				e.subs[a.ID] = []string{"feed"}
			} else {
				e.subs[a.ID] = []string{"comments"}
			}
		}
	}
	e.log.Info("emulator webhook verified", "callback_url", reg.CallbackURL)
	return nil
}

// subscribed reports whether events of account a go out: a page subscribed
// to feed, an Instagram account (or its page) subscribed to comments.
func (e *Emulator) subscribed(a *account) bool {
	if a.Platform == "facebook" {
		return slices.Contains(e.subs[a.ID], "feed")
	}
	return slices.Contains(e.subs[a.ID], "comments") || slices.Contains(e.subs[a.Page], "comments")
}

// emitComment queues a webhook event for a comment change. The caller holds e.mu.
func (e *Emulator) emitComment(cm *comment, verb string) {
	a := cm.Post.Account
	if len(e.hooks) == 0 || !e.subscribed(a) {
		return
	}
	now := e.now()
	var payload map[string]any
	if a.Platform == "facebook" {
		value := map[string]any{
			"item": "comment", "verb": verb, "comment_id": cm.ID, "post_id": cm.Post.ID,
			"created_time": cm.Created.Unix(),
			"from":         map[string]string{"id": cm.From.ID, "name": cm.From.Name},
			"post": map[string]any{
				"id": cm.Post.ID, "status_type": "mobile_status_update", "is_published": true,
				"updated_time": cm.Post.Updated.UTC().Format("2006-01-02T15:04:05-0700"), "permalink_url": e.permalinkPost(cm.Post),
				"promotion_status": "inactive",
			},
		}
		if cm.Parent != nil {
			value["parent_id"] = cm.Parent.ID
		} else {
			value["parent_id"] = cm.Post.ID
		}
		if verb != "remove" {
			value["message"] = cm.Message
		}
		payload = map[string]any{"object": "page", "entry": []map[string]any{{
			"id": a.ID, "time": now.Unix(),
			"changes": []map[string]any{{"field": "feed", "value": value}},
		}}}
	} else {
		if verb != "add" {
			return // Instagram notifies new comments only
		}
		value := map[string]any{
			"id": cm.ID, "text": cm.Message,
			"from":  map[string]string{"id": cm.From.ID, "username": cm.From.Username},
			"media": map[string]string{"id": cm.Post.ID, "media_product_type": "FEED"},
		}
		if cm.Parent != nil {
			value["parent_id"] = cm.Parent.ID
		}
		payload = map[string]any{"object": "instagram", "entry": []map[string]any{{
			"id": a.ID, "time": now.Unix(),
			"changes": []map[string]any{{"field": "comments", "value": value}},
		}}}
	}
	ev := hookEvent{item: "comment", verb: verb, objectID: cm.ID}
	if verb != "remove" {
		ev.textSHA256 = textSHA256(cm.Message)
	}
	e.sendPayload(a, ev, payload)
}

// textSHA256 is the hex SHA-256 of a comment text, which is how uppsikt's
// store names a comment version (moderation.VersionHash).
func textSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sendPayload sends a webhook payload about account a to every subscriber,
// with the configured webhook faults. The caller holds e.mu.
func (e *Emulator) sendPayload(a *account, ev hookEvent, payload map[string]any) {
	body := jsonBytes(payload)
	kind := e.matchWebhookFault(a)
	e.events++
	ev.id = e.events
	for _, t := range e.hooks {
		job := hookJob{url: t.CallbackURL, body: body, account: a.ID, ev: ev}
		switch kind {
		case FaultWebhookDrop:
			continue
		case FaultWebhookReorder:
			e.held = append(e.held, job)
			continue
		case FaultWebhookDuplicate:
			e.enqueue(job)
		}
		e.enqueue(job)
		// A held event goes out after the one that followed it.
		for _, h := range e.held {
			e.enqueue(h)
		}
		e.held = nil
	}
}

func (e *Emulator) enqueue(j hookJob) {
	select {
	case e.hookq <- j:
	default:
		e.log.Warn("emulator webhook queue full; event dropped", "account", j.account)
	}
}

// deliverLoop sends queued events in order, retrying each with backoff,
// until Close.
func (e *Emulator) deliverLoop() {
	defer e.wg.Done()
	for {
		select {
		case <-e.ctx.Done():
			return
		case j := <-e.hookq:
			e.deliver(e.ctx, j)
		}
	}
}

func (e *Emulator) deliver(ctx context.Context, j hookJob) {
	wait := e.opts.WebhookBackoff
	for attempt := 0; attempt <= e.opts.WebhookRetries; attempt++ {
		if attempt > 0 {
			if !e.sleep(ctx, wait) {
				return
			}
			wait *= 2
		}
		err := e.post(ctx, j)
		e.mu.Lock()
		e.deliveries = append(e.deliveries, Delivery{Time: e.now(), URL: j.url, Attempt: attempt + 1, OK: err == nil, Error: errString(err),
			Event: j.ev.id, Account: j.account, Item: j.ev.item, Verb: j.ev.verb, ObjectID: j.ev.objectID, TextSHA256: j.ev.textSHA256})
		if n := e.opts.DeliveryLog; len(e.deliveries) > n {
			e.deliveries = e.deliveries[len(e.deliveries)-n:]
		}
		e.mu.Unlock()
		if err == nil {
			return
		}
		e.log.Warn("emulator webhook delivery failed", "callback_url", j.url, "attempt", attempt+1, "err", err)
	}
}

// Delivery is one attempt to deliver a webhook event, as State lists it
// (the latest Options.DeliveryLog). OK means the callback answered 2xx:
// Meta counts the event as delivered and never sends it again. An event
// sent twice (a webhook_duplicate fault) shows twice with the same Event.
type Delivery struct {
	Time    time.Time `json:"time"`
	URL     string    `json:"callback_url"`
	Attempt int       `json:"attempt"`
	OK      bool      `json:"ok"`
	Error   string    `json:"error,omitempty"`
	// Event numbers the webhook events in the order they were made.
	Event    int64  `json:"event"`
	Account  string `json:"account"`   // the page or Instagram account id
	Item     string `json:"item"`      // comment or post
	Verb     string `json:"verb"`      // add, edited or remove
	ObjectID string `json:"object_id"` // the comment's (or post's) id
	// TextSHA256 is the hex SHA-256 of the comment text the event carried
	// (moderation.VersionHash of it); empty for a remove.
	TextSHA256 string `json:"text_sha256,omitempty"`
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// SignBody computes Meta's X-Hub-Signature-256 value for a body.
func SignBody(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (e *Emulator) post(ctx context.Context, j hookJob) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(j.body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", SignBody(e.opts.AppSecret, j.body))
	m := hmac.New(sha1.New, []byte(e.opts.AppSecret))
	m.Write(j.body)
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	resp, err := e.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New("status " + resp.Status)
	}
	return nil
}

func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
