// Package decide is the one place where uppsikt carries out a reviewer's
// decision on a case, whichever surface it came from (the web page, Slack or
// the command line), so that the surfaces cannot drift apart.
//
// Approving a removal records the decision, queues the deletion and the
// reply to the author as platform actions (sent by the action executor once
// the evidence exists) and creates the register entry. With a grace period
// (Options.Grace, the configuration's review.undo_grace) it only records
// the decision: until the grace ends any reviewer may undo it (DecideUndo,
// a decision of its own that opens the case again), and after it the
// action executor queues the reply and the deletion, and the removal makes
// the register entry. The store lets an undo through only while none of
// the removal's actions is queued, and the executor sends none for a case
// that is no longer approved, so an undone removal never reaches the
// platform. Keeping a comment
// queues its unhiding when it was hidden. Registering only creates the
// register entry. Escalating hands the case to an administrator. Chosen
// categories may require two different reviewers to approve a removal
// (four eyes).
//
// Decisions are idempotent: the store moves a case only from the states a
// decision allows, atomically, so a double click or two reviewers at once
// give one outcome and the second is told who decided first
// (*moderation.ConflictError). Every decision, and every refusal of one, is
// written to the audit log with who, when, which surface and why.
package decide
