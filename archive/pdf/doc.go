// Package pdf renders uppsikt's evidence PDF: the document that proves what a
// comment said, where and when, before uppsikt hides or deletes it, and that
// is handed to the municipality's registrar for the records register.
//
// The evidence PDF has a cover page (register number, account, post, comment
// id and permalink, author, the times it was created, each version seen and
// the capture, in UTC and local time, the classifier's hits with the
// guideline passages they cite, and the review decision when there is one),
// then the screenshots scaled to the page width and split across pages when
// they are tall, then the verbatim text of every version of the comment, then
// the SHA-256 of the raw platform answer and of each screenshot. When the
// browser failed, the PDF has no screenshots and says why on the cover, so
// that removing sensitive data is never blocked by a broken browser.
//
// The decision addendum (addendum.go) completes an evidence PDF once the
// review case is decided: the register number, the decision in words, who
// made it, when and why, the categories, and the SHA-256 of the evidence
// PDF and of the comment's previous addendum, in Swedish, Danish or
// English, converted to PDF/A-3b the same way with the decision attached
// as JSON.
//
// The layout is drawn with fpdf using DejaVu Sans, which is embedded in the
// binary (see fonts/LICENSE-DejaVu.txt), so the output does not depend on the
// fonts of the host and covers å ä ö æ ø.
//
// The PDF is then converted by Ghostscript to PDF/A-3b, the archival part of
// PDF/A that allows attachments: the raw platform answer (JSON) is attached
// inside the file as an associated file of the document
// (/AFRelationship /Source), and the title is carried in the XMP metadata.
// Ghostscript runs in a temporary directory under a time limit and may read
// only that directory and the sRGB ICC profile.
package pdf
