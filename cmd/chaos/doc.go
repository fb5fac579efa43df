// Package chaos checks what uppsikt holds against what the platform did,
// after a chaos run of cmd/uppsikt-chaos: serve killed and restarted at
// random moments while the Graph API emulator fails in every way Meta's API
// does. Check reads the emulator's State (its comments with every text they
// had, its log of actions and of webhook deliveries) and the store, and
// counts:
//
//   - lost: comments on the platform missing from the store or in another
//     state there (text, hidden, deleted), and flagged comments without
//     exactly one review case;
//   - versions lost: texts a webhook delivered with a 2xx answer that are
//     not a stored version of their comment;
//   - duplicate actions: a reply, private reply or delete sent twice for the
//     same comment, a hide sent to a comment already hidden;
//   - actions before evidence: a hide or delete the platform received
//     before the store held the comment's evidence PDF of the version then
//     latest;
//   - stalled: work not done (pending or set aside), actions pending or
//     failed, webhook deliveries not processed, accounts still
//     disconnected, and comments flagged for hiding before review that the
//     platform still shows.
//
// Every counter must be zero after a run.
package chaos
