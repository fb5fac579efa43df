// Package answers is the answer clock of the running service: the
// guideline's "Generellt ska frågor besvaras snabbt, inom 36 timmar under
// arbetsdagar och normal kontorstid".
//
// A Loop keeps the store's questions up to date with what the pipeline and
// the poller stored (moderation.QuestionStore.SyncQuestions: a comment
// whose latest verdict says question opens one; the account's own comment
// in its thread answers it) and reminds the account's owners and
// substitutes of every open question once it has waited each reminder
// threshold (24 and 32 working hours by default) — once: a reminder is
// recorded in the store when it was delivered, and the loop skips recorded
// ones, so a restart sends it again only if the service stopped between
// the delivery and the record. Thresholds reached together (after the
// service was stopped, or for a question read late) go out as one
// reminder naming the highest.
//
// The loop sleeps until the earlier of the next reminder due and the next
// check for new questions (answers.check_every); Wake makes it look at
// once. Working time is the account's office hours on its country's
// working days (bot/calendar.OfficeHours, behind moderation.WorkingTime).
package answers
