// Package register delivers uppsikt's entries in the municipality's records
// register (diarium) to the registrar. An entry is numbered per year in the
// configured series (e.g. "KS 2026/0042") by the store when a comment is
// removed or marked for registration, or when a person objects to a photo
// in one of the account's own posts; this package hands the entry, with
// the evidence PDF (of the comment, or of the post the objection is about)
// and a JSON sidecar describing it, to every configured outlet:
//
//   - Folder writes NUMBER.pdf and NUMBER.json into a drop folder that the
//     registrar's system picks up, each written to a temporary file, synced
//     and renamed, the PDF first, so a reader never sees half a file;
//   - SMTP mails them to the registrar's mailbox, always over STARTTLS and
//     with authentication when a user name is configured;
//   - Webhook posts them as JSON to an HTTPS endpoint, with the register
//     number as Idempotency-Key.
//
// When the case is decided, its decision addendum (archive/evidencepdf:
// the decision, who, when and why, and the SHA-256 of the evidence PDF it
// completes) follows under the same number, to each outlet once that
// outlet has the entry: NUMBER-decision-ID.pdf and NUMBER-decision-ID.json
// in the folder (ID is the decision's: a case reopened and decided again
// has two), a mail of its own, a post with "document": "decision" and the
// Idempotency-Key NUMBER/decision/ID. The store keeps a delivery queue of
// addenda per outlet as it does for entries (moderation.AddendumStore).
//
// Delivery is retried until every outlet acknowledged the entry (the store
// then records it as delivered), so an entry is never lost to a mail server
// or an endpoint that is down. Outlets are safe to repeat: the folder
// overwrites the same names with the same bytes, the webhook carries an
// idempotency key, and mail carries a Message-ID derived from the number.
package register
