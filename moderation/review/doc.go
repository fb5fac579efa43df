// Package review is uppsikt's built-in web page: the accounts it supervises,
// the comments arriving from them with what the classifier found, and each
// comment's versions and hits.
//
// Pages are rendered on the server with html/template (every value is
// escaped; comment text is personal data and is shown, never executed) and
// the stylesheet is embedded, so there is no front-end build step. The page
// speaks Swedish, Danish or English after the browser's Accept-Language.
package review
