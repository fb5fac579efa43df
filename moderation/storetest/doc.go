// Package storetest is the contract every moderation.Store must keep: one
// suite of tests, run against each backend (archive/sqlite and
// archive/postgres), so that both are shown to behave the same.
//
// A backend's test calls Run with a function that opens a new, empty store;
// Run closes every store it opens. The suite imports only moderation and the
// standard library.
//
// Where moderation.Store leaves a choice open, the suite fixes it:
//
//   - Cursor and Schedule of an existing account with nothing stored return
//     the zero value (AccountKey set) and a nil error; an unknown account
//     gives an error wrapping moderation.ErrNotFound, as does every lookup of
//     a missing record.
//   - RecordComment on an account never upserted fails with ErrNotFound; a
//     post not stored yet is created as a stub that SavePost fills in
//     (SavePost then reports created=true). Post returns such a stub.
//   - A new comment's IngestResult has StateChanged false. A hidden/visible
//     observation older than the stored state does not change it; a deleted
//     comment stays deleted.
//   - CompleteWork of a completed item and FinishAction of a done action do
//     nothing; an unknown id gives ErrNotFound.
//   - Lists are oldest first, except ListComments, which is newest (highest
//     id) first for paging with BeforeID.
//   - Times come back Equal to what went in (any location, nanoseconds kept).
//   - PendingWork, PendingActions and PendingWebhookEvents with a zero now
//     ignore retry times: they list everything waiting (PendingActions still
//     only on active accounts). A retry time equal to now is due.
//   - DeadLetterWork, RetryWork, DeferAction and RetryWebhookEvent of
//     something already done do nothing; RetryAction of a done action gives
//     an error wrapping moderation.ErrNotRetryable.
//
// RunQuestions is the contract of the optional moderation.QuestionStore
// (the answer clock): SyncQuestions opens a question once per comment,
// answers it by the account's comment in its thread, sets hidden and
// deleted ones gone and back; the two marks are audited in their
// transaction and happen once; a reminder is recorded once per threshold.
//
// RunRecords is the contract of what the web page and the data protection
// officer's commands read and change beside moderation.Store: the thread
// around a comment, SearchComments (whole words, every word, any version,
// plain words never syntax, a disposed text not found), sealed account
// tokens, a commenter's records and their erasure (public records kept,
// audited, the person never named in the audit log), and concurrent audit
// appends forming one chain without gaps.
//
// BenchPipeline measures a backend under the pipeline's writes and reports
// comments/s, so that the backends' BenchmarkPipelineStore compare.
//
// RunLeases is the contract of moderation.LeaseStore and
// moderation.ClaimStore (several serve workers on one store): heartbeats
// live for their TTL; BalanceLeases gives each worker at most
// ceil(names / live workers), never one name to two workers, changes
// nothing when balanced again, and lets a dead worker's leases be taken
// only after they expire; Leave frees everything at once; a job's lease has
// one holder; two workers claiming at once get disjoint items, a dead
// worker's claims are taken over after its TTL, a heartbeat keeps them, and
// a comment's items stay with one worker. Every time is given to the call,
// so no case sleeps.
package storetest
