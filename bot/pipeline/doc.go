// Package pipeline carries each new comment version from the store's queue
// through uppsikt's steps: classify it against the rule packs, keep the
// verdict, open a review case when it is flagged, document it (evidence PDF)
// when it is flagged or to be registered, and queue the hiding of comments
// in hide_then_review categories once their evidence is committed.
//
// The account's own comments and replies — the municipality answering on
// its Facebook page (the comment's from.id is the page id) or Instagram
// account (from.id is its user id, or the author's username is the
// account's own) — are classified for personal data only: an identity
// number or sensitive personal data in an official's answer opens a review
// case, a swear word or party politics does not, and the verdict is marked
// own. They come the same way by polling and by webhook (which carries the
// author in from). A page cannot hide its own comments on Facebook, so
// there the case waits for the reviewer instead of a hide.
//
// The queue is in the store, written in the same transaction as the
// version, so a version is never lost between being stored and being
// classified. Each step is idempotent (a verdict per version, one open case
// per comment), so an item replayed after a crash gives the same outcome and
// never acts twice; an item is removed from the queue only after every step
// succeeded.
//
// A failed item does not block the queue. It waits before its next attempt
// (10 s, doubling up to 30 minutes, with a little jitter so that items that
// failed together are not retried together), and the queue returns only
// items that are due, so an outage — an evidence folder that cannot be
// written, a browser that will not start — costs a few attempts, and the
// queue flows again as soon as the cause is gone. After 20 attempts (about
// seven hours) the item is set aside: it leaves the queue, is listed on the
// web page's overview under "needs attention" and counted by /healthz, and
// an administrator retries it there once the cause is fixed.
//
// Up to two items are processed at once (Options.Parallel, the browser's
// two tabs), so that a burst of flagged comments does not wait behind one
// slow capture; two versions of the same comment never run at once, but in
// queue order, so a comment's evidence is made once for each version that
// needs it.
package pipeline
