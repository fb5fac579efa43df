package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// MaxBody is the largest delivery accepted (Meta's are a few kilobytes).
const MaxBody = 1 << 20

// Handler answers GET and POST /webhooks/meta.
type Handler struct {
	Store       moderation.Store
	AppSecret   string // signs deliveries
	VerifyToken string // the token entered in Meta's webhook settings
	Now         func() time.Time
	Logger      *slog.Logger
	// Received is called after a delivery was stored, to wake the
	// Processor (Processor.Wake).
	Received func()
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// ServeHTTP answers the handshake and accepts deliveries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers hub.challenge when hub.mode is subscribe and the verify
// token matches.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" || h.VerifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(h.VerifyToken)) != 1 {
		h.logger().Warn("webhook verification refused", "mode", q.Get("hub.mode"))
		http.Error(w, "verification failed", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

// Sign returns the X-Hub-Signature-256 value of a body.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// CheckSignature verifies an X-Hub-Signature-256 header over body. It
// returns the HTTP status to refuse with: 401 when the header is missing,
// 400 when it is malformed, 403 when it does not match, 0 when it does.
func CheckSignature(appSecret, header string, body []byte) int {
	if header == "" {
		return http.StatusUnauthorized
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return http.StatusBadRequest
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return http.StatusBadRequest
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return http.StatusForbidden
	}
	return 0
}

// delivery is the outer shape of a webhook delivery.
type delivery struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      string   `json:"id"`
	Time    int64    `json:"time"`
	Changes []change `json:"changes"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "delivery too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the delivery", http.StatusBadRequest)
		return
	}
	if h.AppSecret == "" {
		h.logger().Error("webhook delivery refused: no app secret configured")
		http.Error(w, "webhooks are not configured", http.StatusForbidden)
		return
	}
	if status := CheckSignature(h.AppSecret, r.Header.Get("X-Hub-Signature-256"), body); status != 0 {
		h.logger().Warn("webhook delivery refused", "status", status, "reason", "signature")
		http.Error(w, "bad signature", status)
		return
	}
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil || d.Object == "" {
		http.Error(w, "malformed delivery", http.StatusBadRequest)
		return
	}
	if d.Object != "page" && d.Object != "instagram" {
		// Subscribed to something uppsikt does not read: accept, so that Meta
		// does not retry, and keep nothing.
		w.WriteHeader(http.StatusOK)
		return
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	id, err := h.Store.SaveWebhookEvent(r.Context(), moderation.WebhookEvent{Object: d.Object, Body: body, ReceivedAt: now()})
	if err != nil {
		// Not stored: make Meta deliver again.
		h.logger().Error("store webhook delivery", "error", err)
		http.Error(w, "could not store the delivery", http.StatusInternalServerError)
		return
	}
	h.logger().Debug("webhook delivery stored", "event_id", id, "object", d.Object)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "EVENT_RECEIVED")
	if h.Received != nil {
		h.Received()
	}
}
