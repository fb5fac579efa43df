// Package review is uppsikt's built-in web page, where a municipality's
// administrators review what the classifier flagged: the review queue with
// filters and counts, each case with the comment's hits highlighted, its
// thread, versions, evidence and history, and the decision buttons (approve
// removal, keep, register only, escalate), which call the same decision
// service (moderation/decide) as Slack. There are also the accounts
// overview, full-text search and the register list.
//
// Removing a comment cannot be taken back on its platform, so "Approve
// removal" leads to a confirmation page showing the comment, the reason,
// the categories and the reply its author will get; only its form records
// the decision. The case page then offers Undo until the decision
// service's grace ends (review.undo_grace), before anything is done on the
// platform. Keeping a comment uppsikt hid for personal data asks first
// too, showing what becomes visible to everyone.
//
// Identity numbers are masked wherever comment text is shown
// ("850101-••••"), for every role, and the whole text of a comment hidden
// or deleted on its platform after being flagged for personal data is
// replaced by a note naming the category. Moderators, administrators and
// archivists may reveal one comment's full text with a form on its case or
// comment page; the reveal is written to the audit log (comment.revealed)
// and holds for that one page. Viewers see neither the full text nor
// links to evidence.
//
// The overview's "needs attention" panel lists what uppsikt gave up on:
// comments the pipeline set aside after using up their attempts and
// platform actions that failed for good, each with its last error and, for
// administrators, a Retry button (audited as work.retried and
// action.retried). GET /healthz answers JSON for monitoring, without signing
// in: {"status":"ok"|"degraded"|"unavailable","work_pending","work_dead",
// "actions_pending","actions_failed","webhooks_pending",
// "accounts_disconnected","problems":[{"code","account"}]}; 200 when ok,
// 503 when degraded (something needs a human: an account's operational
// health warning, capture degraded, work stalled; Options.Health) or when
// the store does not answer. The overview's accounts table shows each
// account's health warnings in the reader's language (docs/health.md).
//
// Everyone signs in at /login with a local user (uppsikt user add); every
// route is limited to roles (admin, moderator, archivist, viewer), every
// form carries a CSRF token, session cookies are HttpOnly, SameSite=Lax and
// Secure over https, and sessions expire when idle and after a maximum age.
// Passwords are stored as PBKDF2-HMAC-SHA256 hashes (600,000 iterations).
//
// Failed sign-ins are counted per name and per client address within 15
// minutes. A name's own failures, from any address, refuse that name after
// LoginAttempts (5). An address's failures, at a higher limit
// (AddressAttempts, 4 × LoginAttempts), refuse only further tries of the
// names that have themselves failed from that address: a password sprayer
// gets a few tries per name, and a colleague behind the same proxy who has
// not failed is never refused for someone else's mistakes. A refusal is
// 429 with Retry-After (seconds until the failure that blocks leaves the
// window). The client address is the direct peer, or, when the peer is one
// of TrustedProxies, the right-most address in X-Forwarded-For (or the
// configured header) that is not a trusted proxy; from any other peer the
// header is ignored.
//
// Each role sees only what it may use: decision buttons only for the
// decisions decide.Kinds allows the reviewer on that case now, evidence
// links from archivist up, search and register in the menu from archivist
// up, Retry buttons for administrators. Errors (400, 401, 403, 404, 405,
// 409, 429, 500, and the router's and file server's own) are pages of the
// site with a title, the reader's language and a link back, with their
// status codes unchanged.
//
// Pages are rendered on the server with html/template (every value is
// escaped; comment text is personal data and is shown, never executed) and
// the stylesheet is embedded, so there is no front-end build step and no
// script at all: the Content-Security-Policy allows the page's own
// stylesheet and images only. An HTML evidence file (the evidence view) is
// served under its own policy: a sandbox that runs nothing and loads
// nothing, allowing only the file's inline style. The page speaks Swedish,
// Danish or English after the user's setting, else the browser's
// Accept-Language, with counts in singular or plural, every code
// (categories, states, sources, platforms) in words, accounts by name, and
// times in the municipality's time zone with its name ("14:03 CET"). On a
// narrow screen tables become one block per row, each cell named by its
// column, so no page scrolls sideways.
package review
