// Package snapshot writes the yearly and closing snapshot of a supervised
// account: the PDF/A document an archivist keeps to document the medium
// ("ögonblicksbild" in the municipal guidelines), once a year and before an
// account is closed.
//
// A snapshot has, in this order:
//
//  1. a cover with the account's metadata and the period, and a table of
//     contents by month with page numbers;
//  2. the layout: full-page screenshots of the account's page as it looks
//     when the snapshot is taken, split over pages when tall;
//  3. the content of the period: every post with its comments and replies
//     in order. A comment's text comes from the platform when it still has
//     the comment, and from uppsikt's store when it does not (marked "ur
//     uppsikts arkiv"). A comment removed after review is shown by its
//     register number, never its text; a text disposed under the retention
//     plan is shown as disposed;
//  4. a manifest: the SHA-256 of each screenshot and of each post's content
//     as printed, so a copy can be checked against the store.
//
// Memory stays bounded however large the year is: the store is read a page
// of posts at a time, the document is written in parts of a bounded number
// of posts to temporary files, and Ghostscript joins the parts into one
// PDF/A-2b file (PDF/A-3b when files are attached) reading them from disk.
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
