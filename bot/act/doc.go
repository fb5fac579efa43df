// Package act carries out uppsikt's platform actions on comments — hide,
// unhide, delete, a public reply or explanation to the author and a
// private reply —
// from the queue of actions in the store.
//
// Every action is recorded in the store before it is sent (EnqueueAction)
// and each attempt is written to the audit log before the call, so a crash
// never forgets an action and never loses track of one under way. Hiding
// and deleting go through the one remover, moderation/removal's Gate:
// the executor asks it for a receipt — the committed evidence PDF of the
// comment's latest stored version — and, when there is none (no evidence
// yet, or only of a version an edit has overtaken), documents that version
// first; the Gate checks the receipt again right before the call, records
// the comment's new state and its register entry, and audits the removal.
// So no hide or delete is ever sent before the evidence of exactly the text
// removed is committed. Hiding and deleting are safe to repeat; a comment
// its author deleted meanwhile (Graph error 100, subcode 33) is recorded
// deleted and the action done with outcome "gone", not as hidden.
//
// The author of a comment removed in review is told why, and only once the
// removal is confirmed: a reply under the comment itself would disappear
// with it (on Facebook and Instagram a comment's replies go when it goes),
// and telling the author of a removal that then fails would be false. So
// the public explanation waits until the deletion is done and is then made
// where it stays (Platform.Explain): under the thread's top-level comment
// for a reply in a thread, otherwise as a comment on the post or media,
// addressed to the author by name (Facebook) or @username (Instagram).
// Where the configuration asks for a private reply too (Facebook's
// Messenger, which needs the comment to exist), the comment is hidden
// first, the private reply sent, and then the comment deleted. When the
// platform refuses the removal for good, the explanations are not sent
// (they are cancelled with moderation.NoteRemovalFailed), the case is reopened with
// a decision of uppsikt's own (moderation.DecideReopen) and the failure is
// alerted; approved again, the same actions go out once more.
//
// Replies are not safe to repeat: each try is counted in the store before
// the call, and a retry first reads where the reply would be for one the
// account made with the same text since the action was queued and that
// no other action has claimed (an earlier try whose answer was lost to a
// timeout or a crash), and records that one instead of sending a second.
// A private reply that Messenger refuses as "already replied" (10900)
// counts as done.
//
// What a failed attempt costs depends on why it failed. A rate limit or an
// outage whose end the Graph client knows (RetryAt) keeps the action back
// until then without using an attempt. A rejected token (Graph 190) marks
// the account disconnected; its actions wait, again without using
// attempts, and go out as soon as the account is active again. Anything
// else (no evidence yet, a timeout) uses an attempt and waits a backoff
// that doubles up to 15 minutes. An action fails for good only on a
// permanent refusal (a missing permission, a bad request) or after 8
// attempts and 72 hours; a failed action is in the audit log, on the web
// page's attention panel, and alerted to the account's owners on Slack
// (moderation/slack), and an administrator can retry it.
//
// The executor also follows review decisions: an approved case gets a
// delete and an explanation to the author (and a private reply where the platform
// allows one and the configuration asks for it), a kept case whose comment
// uppsikt hid gets an unhide. A carried-out deletion creates the comment's
// entry in the records register. With a grace period for undoing an
// approval (Options.Grace) an approved case's actions are queued only once
// its grace has passed, and an action carrying out a removal (a delete or
// reply tied to a case) whose case is no longer approved when its turn
// comes is not sent: it is done with outcome "cancelled" (see
// moderation/decide).
package act
