// Package facebook reads Facebook pages through the Graph API, using
// github.com/huandu/facebook/v2, for uppsikt's duty of supervision.
//
// Client is the Graph client shared by the Facebook and Instagram
// connectors. It sends appsecret_proof with every call, reads
// X-App-Usage and X-Business-Use-Case-Usage on every answer and spaces its
// calls before Meta's limits are reached, waits out rate limits (codes 4,
// 17, 32, 613, 80001–80014) for estimated_time_to_regain_access or with
// exponential backoff, retries transient failures (codes 1 and 2, 5xx,
// timeouts) and, when a call still fails, pauses that account with a
// growing backoff (an *UnavailableError with RetryAt, one attempt per call
// until the platform answers again), and turns a rejected token (code 190)
// into a *TokenError so
// that the account is marked disconnected and not called again until a
// human replaces the token. Tokens are never logged; a TokenFingerprint
// tells a new token from the rejected one.
//
// Connector.Poll is the cheap pass the scheduler runs every few minutes: one
// feed request per page with every post's comment stream expanded in the
// same answer (comments.filter(stream).limit(100)), following paging only
// when a post has more comments than fit, or the window more posts than a
// feed page holds. Connector.Reconcile walks every post of a longer window
// (or since a date, for backfill) and finds what the cheap poll cannot:
// edits, comments hidden or unhidden, comments deleted by their authors or
// other admins (confirmed by asking for the comment, which answers error
// 100/33), comments on old posts, and posts deleted as a whole: a stored
// post of the window the feed no longer lists, and that answers 100/33 when
// asked for, has every stored comment recorded as deleted (GonePosts, which
// the Instagram connector shares). The Graph base URL and version are
// configurable, so the same code runs against Meta in production and
// against uppsikt's emulator in the demo and in tests.
package facebook
