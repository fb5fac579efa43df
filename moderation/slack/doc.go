// Package slack is uppsikt's Slack review surface. Every new review case is
// posted to its account's channel as a Block Kit message — the comment's
// text, its author, a link to the post, the rule hits with the guideline
// passages they cite, a link to the evidence — with the buttons Approve
// removal, Keep, Register only and Open in uppsikt. A click is carried out
// by the same decision service as the web page (moderation/decide), and the
// message is then updated in place to say who decided what, when. Slack
// asks before it sends a click on Approve removal (a confirmation dialog),
// and an approved removal waits out the same grace as one approved on the
// web page: until it ends the message offers Undo (a click after it is
// told it is too late; the button is not taken away when the grace ends).
//
// Clicks arrive by Socket Mode (the default: the service connects out to
// Slack, so no public address is needed, which suits municipal networks) or
// by an HTTP endpoint whose requests are verified with the app's signing
// secret; forged and stale (over five minutes) requests are refused. Slack
// users are mapped to uppsikt users in the configuration; a click by
// anyone else is refused with an explanation only they see.
//
// Nothing is lost when Slack is unreachable: the case is in the store
// before it is announced, the store remembers which cases were posted
// (moderation.Notice), and a pass every minute posts what is missing and
// updates messages whose case has been decided since.
//
// When the platform rejects an account's token and the account is
// disconnected, the account's channel gets an alert saying which account,
// why, and what to do (replace the token in the configuration and restart).
// It is posted once per disconnection, retried on the next pass when Slack
// fails, and recorded in the audit log so a restart does not repeat it. A
// platform action uppsikt gave up on (a hide or delete refused for good,
// or still failing after days) gets an alert the same way, naming the
// comment, the reason and the account's owners.
//
// Everything taken from a comment (text, author name, links) is escaped
// for Slack's mrkdwn, so a comment cannot add links, mentions or
// formatting to the message.
package slack
