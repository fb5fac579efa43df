// Package webpage reads comment sections on a municipality's own web pages
// (news articles, e-services with public comments) for uppsikt's duty of
// supervision, using goquery and CSS selectors written per site in the
// configuration: the comment container, and within it the author, time,
// text and permalink, and the attribute holding a stable comment id.
//
// Each page is one "post" (its URL is the post id), dated by the page's
// article:published_time, or else by its earliest comment, so that it falls
// in the snapshot of the year it was written; each matched container is a
// comment. A poll reads the page once; Reconcile reads it the same way
// and reports stored comments that are no longer on the page as deleted.
// An edited text becomes a new version in the store, like on the platforms.
package webpage
