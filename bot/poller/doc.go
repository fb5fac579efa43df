// Package poller runs the duty of supervision: it reads every account on
// its schedule and stores what it saw.
//
// The schedule lives in the store (moderation.Schedule), not in memory: a
// ticker asks the store which accounts are due, so a restart loses nothing
// and never polls early. Hours decides the next poll: a short interval in
// office hours on working days, a longer one on evenings, weekends and
// public holidays (bot/calendar), and crisis mode (SetCrisis, "uppsikt
// crisis on") overriding both until it ends. Jitter spreads the polls.
//
// Due accounts go to a bounded pool of workers; every poll and reconcile
// pass runs under its own timeout, so an account whose platform is slow or
// failing occupies one worker for a bounded time, never the whole poller.
// Each cycle stores posts first, then every comment observation (the store
// keeps each new text as a new version and queues it for the pipeline
// exactly once), then state changes, then moves the cursor and the next
// poll time. When an account's reconcile pass is due (and its connector is
// a moderation.Reconciler) the cycle adds it: every post of the reconcile
// window with all comments, which finds edits, hides and deletions the
// cheap poll cannot see; with a store that lists posts (PostsBetween, as
// archive/sqlite does) it also finds posts deleted as a whole. Backfill loads history the same way.
//
// A token the platform rejects marks the account disconnected, with a note
// for the alert in the web page and on Slack (moderation/slack); it is not
// polled again until the token is replaced in the configuration or the
// platform accepts it again. For the latter the poller probes a
// disconnected account once every ProbeEvery (15 minutes) with one cheap
// request, when its connector is a moderation.Prober (Facebook and
// Instagram are); when the token is accepted, the account is set active,
// the audit log records account.reconnected, and the account is polled in
// the same cycle. A rate limit, or a platform answering with errors, moves
// the next poll to when the limit or the pause has passed.
package poller
