package moderation

import (
	"context"
	"time"
)

// ActivityQuery asks a store what happened on the accounts in a period,
// for the monthly report (moderation/report).
type ActivityQuery struct {
	From, To time.Time      // the period, From included, To not
	Location *time.Location // the municipality's time zone: days are counted in it (UTC when nil)
}

// AccountActivity is what happened on one account in a period:
//
//   - Seen: comments created in the period (by the platform's time; when
//     the platform gave none, when uppsikt first saw them) by others than
//     the account itself (its own answers are not supervised comments);
//   - Flagged: those of them a review case was opened for (whenever: a
//     comment of the period's last evening flagged the next morning counts,
//     and a year read in at once is spread over its months), and FlaggedBy
//     the same per category (a comment flagged for two categories counts in
//     both);
//   - Removed: comments uppsikt hid or deleted on the platform in the
//     period (a done hide or delete, not undone by a later unhide), the
//     account's own included;
//   - Kept: review cases decided "keep" in the period;
//   - Registered: register entries made in the period for its comments;
//   - ReviewTimes: for every case whose first decision (remove, keep or
//     register) fell in the period, the time from the case's opening to
//     that decision, shortest first;
//   - SeenPerDay and FlaggedPerDay: Seen and Flagged per day of the
//     period in Location, index 0 the day of From;
//   - LastOwnPost: when the account's own latest post before To was
//     created (zero when none is stored);
//   - Disconnected: the account was disconnected (its token rejected) at
//     some time in the period, as far as the store knows; DisconnectedAt
//     when it was last marked so, zero when unknown.
type AccountActivity struct {
	Account        Account
	Seen           int
	Flagged        int
	FlaggedBy      map[string]int
	Removed        int
	Kept           int
	Registered     int
	ReviewTimes    []time.Duration
	SeenPerDay     []int
	FlaggedPerDay  []int
	LastOwnPost    time.Time
	Disconnected   bool
	DisconnectedAt time.Time
}

// ActivityStore answers ActivityQuery. archive/sqlite implements it; it is
// optional beside Store.
type ActivityStore interface {
	// Activity returns every account's activity in the period, by
	// account key, accounts without any activity included.
	Activity(ctx context.Context, q ActivityQuery) ([]AccountActivity, error)
}
