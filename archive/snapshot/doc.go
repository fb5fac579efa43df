// Package snapshot writes the yearly and closing snapshot of a supervised
// account: the PDF/A document an archivist keeps to document the medium
// ("ögonblicksbild" in the municipal guidelines), once a year and before an
// account is closed.
//
// A snapshot has, in this order:
//
//  1. a cover with the account's metadata and the period, and a table of
//     contents by month with page numbers;
//  2. the layout: the account's page as it looks when the snapshot is
//     taken, asked for the period, scrolled through band by band (see
//     below), each band one page-sized screenshot on a PDF page of its own
//     with its address, time and SHA-256;
//  3. the content of the period: every post with its comments and replies
//     in order. A comment's text comes from the platform when it still has
//     the comment, and from uppsikt's store when it does not (marked "ur
//     uppsikts arkiv"). A comment removed after review is shown by its
//     register number, never its text; a text disposed under the retention
//     plan is shown as disposed;
//  4. a manifest: the SHA-256 of each screenshot and of each post's content
//     as printed, so a copy can be checked against the store.
//
// The layout is taken with capture.Browser.Scroll: the browser's window is
// one band tall (1700 CSS px at 1280 wide, about an A4 page) and goes down
// the page band by band, so the browser holds what the page holds and the
// writer one band at a time, drawn into parts of BandsPerPart bands. The
// page is asked for the period (uppsikt adds ?since= and ?until= in Unix
// seconds); a page split into pages, like the platform emulator's (25 posts
// a page), is followed page after page by its rel="next" link, and a page
// that loads older posts when scrolled to its end, like a Facebook page, is
// given time to load them. The scroll stops after the first band that shows
// a post dated before the period (read from time[datetime] or
// [data-utime]), at the end of the last page, or at ScrollOptions.MaxBands
// (3000 by default), which the cover then says. A platform's own page does
// not understand ?since= and ?until=: it shows its newest posts first, so a
// yearly snapshot taken in January begins with the new year's posts, and
// when its dates cannot be read the scroll goes on to the page's end or the
// limit. The browser is stopped (Options.AfterLayout) before the content is
// written, so its memory and Ghostscript's are never needed at once.
//
// A snapshot must show the layout: when the page cannot be captured (no
// browser, no page address, the capture fails or shows nothing) Write
// returns ErrNoLayout, writes and records nothing, "uppsikt snapshot" and
// "uppsikt account close" exit non-zero (the account stays open), and the
// yearly job returns the error, logs it and tries again at the next wake.
// Only the operator's choice leaves it out (Request.ContentOnly: the
// -content-only flag, archive.snapshots_content_only for the yearly
// snapshots, or capture.disabled), and the cover says so.
//
// Every text is drawn as it was written (pdf.Text): what Windows-1252
// holds in single-byte fonts, which Ghostscript converts fastest, the rest
// of a text in DejaVu Sans as a UTF-8 font (Łódź, the Sámi Ŋ Đ Ŧ, Cyrillic,
// Arabic in isolated forms drawn right to left, zero-width and direction
// marks) and emoji in the embedded symbol font, so that pdftotext and a
// reader's search find "Petrović" and "👍" as written. A part gets the UTF-8
// fonts only when one of its texts needs them.
//
// They cost: Ghostscript converts text in fpdf's UTF-8 (CID) fonts more
// slowly than in the single-byte fonts and holds memory for them on every
// page to the end of the document. pdf.Text.Output keeps that down by
// writing each UTF-8 font's /ToUnicode map with only the codes the part
// draws and cutting its /CIDToGIDMap after the last of them (fpdf writes
// both for all 65,536 codes, which Ghostscript's PDF interpreter expands).
// Measured with TestYearScale (-year-posts 400, 8,000 comments, 336 pages)
// on a loaded 2-core machine: Ghostscript 24 s of CPU and 72 MB when every
// text fits Windows-1252; when one comment in six has emoji or letters
// outside it (-year-unicode) 23 s and 215 MB, where fpdf's own maps took
// 95 s and 459 MB. Ghostscript still holds about 0.5 MB a page with the
// UTF-8 fonts to the end of its output, so pdf.ConvertFiles converts each
// part in its own Ghostscript run and joins the converted parts with qpdf:
// the memory is then bounded by the largest part (PostsPerPart posts).
// Measured the same way with one comment in six outside Windows-1252, the
// largest child process (Ghostscript or qpdf) peaks at 125 MB with
// -year-posts 400 (27 s of CPU; 214 MB and 26 s when Ghostscript joined
// the parts itself), 125 MB with -year-posts 1000 (20,000 comments, 831
// pages; 63 s, where joining in Ghostscript took 468 MB and 65 s) and
// 127 MB with -year-posts 5000 (100,000 comments, 4,188 pages, 28 parts;
// 4 min 58 s of CPU, 5 min 35 s of wall time); qpdf's own peak, sampled
// from /proc during that run, was 76 MB.
//
// The document has an outline (bookmarks): the cover, the table of
// contents, the layout, the content with a bookmark per month and, below
// it, per post, and the manifest, which pdf.ConvertFiles adds to the
// joined document, so they point at its right pages. Its document info
// and XMP metadata name the municipality (municipality.name) as author and
// uppsikt with its version as creator, and its language
// (municipality.language: sv-SE, da-DK or en) is the catalog's /Lang and
// the XMP dc:language; pdf.ConvertFiles writes them exactly.
//
// Memory stays bounded however large the year is: the store is read a page
// of posts at a time, the document is written in parts of a bounded number
// of posts to temporary files, Ghostscript converts the parts to PDF/A one
// at a time and qpdf joins them into one PDF/A-2b file (PDF/A-3b when files
// are attached), both reading them from disk.
// The front matter is written last, when the page numbers are known, and is
// always two pages long.
//
// Schedule says when the yearly snapshot of the year before is due (by
// default on 15 January). Yearly runs in the service and takes it on that
// day for every account that is not closed, as <account>-<year>.pdf in the
// snapshot folder, once per account and year: a year counts as done when
// the store has a yearly snapshot record of it, so a restart takes nothing
// twice, and a failed snapshot is tried again at the next hourly wake. An
// operator can take one at any time with "uppsikt snapshot".
package snapshot
