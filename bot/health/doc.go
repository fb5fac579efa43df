// Package health keeps watch over the supervised accounts: the account
// register (purpose, responsible administrators, substitutes) and what
// makes an account or the service unhealthy.
//
// A Checker asks Graph once a day (CheckEvery) for each Meta account
// whether its token is valid and when it expires (debug_token), and for
// each Facebook page whether it is subscribed to the app's webhook (GET
// subscribed_apps), and records the answers in the store; the poller
// records each poll's outcome there itself. Report reads those facts,
// the account's newest own post, its set-aside work and failed actions,
// and turns them into warnings with moderation.AccountWarnings, together
// with the state of evidence capture and of the work queues. Run does the
// checks when due and hands each report to Notify (Slack), which
// announces every new warning once. The web page, /healthz and `uppsikt
// accounts` read the same Report. A token is never logged: only the
// class of a failure is kept.
package health
