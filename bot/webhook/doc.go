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
// Processor works through stored deliveries in its own goroutine. A comment
// added or edited is fetched from the Graph API and recorded as a version
// (source "webhook"); removed, hidden and unhidden comments are recorded as
// state changes at the time of the event. The store makes duplicates
// harmless (a version is identified by its text, a state change older than
// the stored one is ignored), and Meta's deliveries are best effort, so the
// poller's reconcile pass remains the safety net for anything lost.
package webhook
