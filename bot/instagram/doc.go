// Package instagram reads Instagram professional accounts through the Graph
// API for uppsikt's duty of supervision, on the same client as the
// Facebook connector (bot/facebook.Client: usage headers, rate limits,
// retries, rejected tokens).
//
// Poll is the cheap pass: one request per account reads the newest media
// with their comments and each comment's replies expanded in the same
// answer, following paging only when there is more. Reconcile walks every
// media item since a time (the reconcile window or a backfill date), and
// reports comments that the platform no longer lists and that answer "does
// not exist" when asked for, as deleted. Instagram comments carry text in
// "text" (not "message"), the author's "username", and "hidden".
package instagram
