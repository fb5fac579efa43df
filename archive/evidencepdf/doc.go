// Package evidencepdf documents one comment before uppsikt hides or deletes
// it: it renders the evidence view (the post, the thread around the comment
// with the comment highlighted, every version of its text and the
// classifier's hits marked), captures that view and the comment's live page
// on its platform with the warm browser of archive/capture, lays out the
// evidence PDF of archive/pdf with the register number, the hits and their
// guideline citations, the hashes and the raw platform answer attached,
// converts it to PDF/A-3b, and stores every file content-addressed with
// archive/evidence before recording it in the store.
//
// The evidence is bounded whatever the thread: the view shows the post, the
// comment's parent and Options.Neighbours comments before and after it in
// thread order (read in one query from a moderation.ThreadStore), and counts
// the rest; the live page is captured in a window around the comment
// (archive/capture). Every file records the comment version it documents,
// the latest one stored when it was made.
//
// The evidence PDF's row in the store (kind "pdf") is written last, after
// its file is synced and renamed into place: that row is what the action
// executor waits for before it may hide or delete the comment.
//
// Removing sensitive data is never blocked by a broken tool: when the
// browser fails, the PDF is made without screenshots and says why; when
// Ghostscript fails, the plain PDF (not PDF/A) is stored and the failure is
// recorded in the audit log, so that `uppsikt verify` and an auditor can
// find it.
//
// The evidence PDF is made when a comment is flagged, before anyone has
// decided, so it says "no decision yet". Once a case is decided and has
// its register entry (a removal, a registration, and a comment kept whose
// case was registered when it was hidden), the decision addendum completes
// it: a small PDF/A in the municipality's language (Options.Language)
// with the register number, the decision in words, who made it, when and
// why, the categories, and the SHA-256 of the evidence PDF it completes
// and of the comment's previous addendum, so that the records chain. It is
// an evidence file of its own kind ("decision", tied to its case and to the
// decision that settled it, one per such decision: a case reopened after
// the platform refused the removal, and decided again, gets another),
// content-addressed, audited, and delivered to the registrar after the
// entry (archive/register). A decision never waits for its addendum:
// Addenda, a follower of decisions, finds the settling decisions without
// one in the store and makes them, retrying with backoff what fails (no
// evidence PDF yet, Ghostscript, the evidence folder), so a crash loses
// none and the store's record of a decision's addendum stops a second. The removal gate
// takes only the evidence PDF as its receipt: the addendum is not evidence
// of the comment's text.
package evidencepdf
