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
// The layout is drawn with fpdf in fonts embedded in the binary, so the
// output does not depend on the fonts of the host: DejaVu Sans (see
// fonts/LICENSE-DejaVu.txt), as single-byte fonts in Windows-1252 for what
// that encoding holds and as a UTF-8 font for the rest of the Basic
// Multilingual Plane, and Symbola's emoji and symbols (fonts/Symbola-
// uppsikt.ttf, made by fonts/subset-symbola.py from Debian's fonts-symbola,
// "free for any use", see fonts/LICENSE-Symbola.txt). Text (text.go)
// switches between them run by run, so that the comment's text is in the
// PDF exactly as written, emoji, zero-width and direction characters
// included, and pdftotext gives it back; see Text for what is drawn how
// (Arabic in isolated forms, fpdf does not shape). Output writes each
// UTF-8 font's /ToUnicode map with only the codes the document uses (the
// symbol font's giving the emoji back), which Ghostscript keeps and reads
// about three times faster than fpdf's map of all 65,536 codes.
//
// Ghostscript 10.00 discards the document info of a PDF/A file when a
// string in it is not ASCII: ConvertFiles gives it the info transliterated
// and then appends an incremental update with the exact title, author,
// subject and creator in the document info and the XMP metadata (info.go),
// and writes the catalog's /Lang and the outline (Metadata.Outline) as
// pdfmarks. A document of several files (the parts of a yearly snapshot)
// is converted part by part, each in its own Ghostscript run, so that
// Ghostscript's memory is bounded by a part, and the converted parts are
// joined with qpdf (join.go): the first part carries the document info,
// output intent, /Lang and attachments in its catalog, which qpdf keeps,
// and the outline is added to the joined file with a qpdf JSON update whose
// bookmarks point at the joined file's pages.
//
// The PDF is then converted by Ghostscript to PDF/A-3b, the archival part of
// PDF/A that allows attachments: the raw platform answer (JSON) is attached
// inside the file as an associated file of the document
// (/AFRelationship /Source), and the title is carried in the XMP metadata.
// Ghostscript runs in a temporary directory under a time limit (a run, a
// part) and may read only that directory, its input and the sRGB ICC
// profile.
package pdf
