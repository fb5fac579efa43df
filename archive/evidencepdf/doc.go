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
package evidencepdf
