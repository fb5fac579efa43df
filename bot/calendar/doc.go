// Package calendar computes the Swedish and Danish public holidays, so that
// uppsikt knows which days are days off for a municipality's communicators.
//
// The duty of supervision applies every working day; on weekends and public
// holidays uppsikt polls at its slower off-hours interval. Holidays are
// computed, not listed: the Easter-based ones (långfredag, annandag påsk,
// Kristi himmelsfärd, pingst; skærtorsdag, langfredag, 2. påskedag, Kristi
// himmelfart, 2. pinsedag) from the Gregorian computus, the moving Swedish
// ones (midsommar, alla helgons dag) from their rules, and the fixed ones by
// date. Sweden's de facto days off (julafton, nyårsafton, midsommarafton) and
// Denmark's (juleaftensdag, grundlovsdag) count as holidays. Denmark's store
// bededag was abolished from 2024 and counts only for earlier years.
//
// OfficeHours turns the calendar into working time: office hours in a time
// zone on the country's working days, with the working time between two
// instants (how long a question waited) and the instant a given working
// time after another (when it is due). The answer clock (bot/answers)
// counts with it.
package calendar
