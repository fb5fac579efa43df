// Package webhook receives Meta's webhooks for uppsikt: changes to the
// feeds of Facebook pages (object "page", field "feed") and comments on
// Instagram accounts (object "instagram", field "comments"), so that a new
// comment is seen within a second instead of at the next poll.
//
// GET /webhooks/meta answers Meta's verification handshake when the verify
// token matches. POST /webhooks/meta verifies X-Hub-Signature-256 (HMAC-SHA256
// of the raw body with the app secret, compared in constant time) before
// anything else, refuses bodies over 1 MB, persists the raw delivery in the
// store and only then answers 200: a delivery that was answered is never
// lost, even if uppsikt stops at once. Unsigned, wrongly signed or malformed
// deliveries are refused and nothing is stored.
//
// Processor works through stored deliveries in its own goroutine, batch
// after batch while any is due, so a backlog after a burst drains at once. A
// comment added or edited is recorded as a version (source "webhook") from
// the delivery's own text first — so an edit is kept even when the Graph API
// cannot be read at that moment and the comment changes again before it can
// — and then fetched for its current text, state and permalink; removed,
// hidden and unhidden comments are recorded as state changes at the time of
// the event. A delivery whose text is older than the newest version stored
// (a late or reordered delivery) adds no version, so that the latest version
// stays the newest text.
//
// A delivery that fails waits in the store: until the end of a rate limit
// or pause the error names, without counting an attempt, else for a backoff
// that doubles from 5 s up to 15 minutes. Attempts and retry times are kept
// in the store, so a restart neither forgets nor repeats them. A delivery
// still failing a day after it arrived is set aside with its error.
//
// The store makes duplicates harmless (a version is identified by its text,
// a state change older than the stored one is ignored), and Meta's
// deliveries are best effort, so the poller's reconcile pass remains the
// safety net for anything lost.
package webhook
