// Package act carries out uppsikt's platform actions on comments — hide,
// unhide, delete, a reply to the author in the thread and a private reply —
// from the queue of actions in the store.
//
// Every action is recorded in the store before it is sent (EnqueueAction)
// and each attempt is written to the audit log before the call, so a crash
// never forgets an action and never loses track of one under way. Hiding
// and deleting are safe to repeat: hiding twice leaves the comment hidden,
// and a delete that meets "object does not exist" (Graph error 100, subcode
// 33) counts as done. Replies are not safe to repeat: each try is counted
// in the store before the call, and a retry first reads the thread for a
// reply the account made with the same text since the action was queued
// and that no other action has claimed (an earlier try whose answer was
// lost to a timeout or a crash), and records that one instead of sending a
// second. A private reply that Messenger refuses as "already replied"
// (10900) counts as done.
// Replies are sent before the comment is deleted.
//
// The invariant: no hide or delete is ever sent before the evidence PDF of
// that comment is committed in the store. The executor checks the store
// right before the call; when the PDF is missing it asks for the evidence to
// be made (a text-only PDF when the browser fails) and otherwise leaves the
// action pending.
//
// The executor also follows review decisions: an approved case gets a
// delete and a reply to the author (and a private reply where the platform
// allows one and the configuration asks for it), a kept case whose comment
// uppsikt hid gets an unhide. A carried-out deletion creates the comment's
// entry in the records register.
package act
