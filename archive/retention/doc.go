// Package retention carries out uppsikt's retention plan (gallring): the
// text of comments of temporary or minor importance is disposed of after a
// configured number of months (12 by default), while evidence, register
// entries, review cases and snapshots are kept. A legal hold on an account,
// or on the comment of one review case, stops disposal for as long as it is
// in force. Every disposal is logged in the store (what kind, how many,
// when, under which rule) without keeping what was disposed.
//
// It also lists the account's own posts that are past their age under the
// plan (posts after 24 months, photo albums after 36, the Danish practice),
// and guards their deletion: a post may only be deleted once a snapshot
// taken after it covers it, so that the record of the medium survives the
// deletion. The deletion itself goes through the one remover
// (moderation/removal), with that snapshot as its receipt.
package retention
