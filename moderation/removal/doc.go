// Package removal is the one way anything is removed from a platform:
// hiding and deleting comments, and deleting the account's own posts.
//
// The Gate is the only caller of the platforms' removal calls. A connector
// (bot/facebook, bot/instagram) keeps its hide, delete and post-delete
// calls unexported and hands them over as Calls, whose functions only this
// package can invoke; code outside it that wants to remove something has
// no call to make but the Gate's, so a removal that skips the evidence
// check does not compile.
//
// Every removal needs a Receipt: proof, read from the store, that the
// evidence of exactly what is removed is committed.
//
//   - For a comment (CommentReceipt): the evidence PDF of the comment's
//     latest stored version. A PDF of an earlier version, or one written
//     before uppsikt recorded versions, is stale: it does not document the
//     text that would be removed.
//   - For an own post deleted under the retention plan (PostReceipt): the
//     snapshot that covers the post.
//   - For an own post deleted after an objection: the objection, approved,
//     with its evidence PDF.
//
// A Receipt has unexported fields, so it is made only here; the zero
// Receipt is refused. Hide and Delete read the comment again right before
// the platform call and refuse a receipt that an edit has overtaken
// (ErrStaleEvidence), so no edit can slip between the check and the call.
//
// The Gate writes the audit log — removal.send before the call,
// removal.done, removal.gone or removal.manual after it — records the
// comment's new state (hidden, or deleted), and creates the comment's entry
// in the records register (idempotent per comment and case).
//
// A comment its author deleted before uppsikt acted is recorded as such: a
// hide or delete that the platform answers with "does not exist" leaves the
// comment deleted, reported as Outcome.Gone and audited removal.gone, not
// as hidden.
//
// An approved delete of a comment edited after its evidence was made: new
// evidence first. The Gate refuses the old receipt; the action executor
// (bot/act) documents the latest version and deletes with the new receipt.
// The reviewer's decision stands, the register entry keeps its number, and
// the evidence then shows every version, the one decided on included. The
// same holds for a hide.
package removal
