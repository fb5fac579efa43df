// Package report builds the monthly report of the municipality's social
// media supervision from what the store counted (moderation.ActivityStore)
// and what the answer clock measured (AnswerClock): per account and in
// total the comments seen, flagged (by category, in words), removed, kept
// after review and registered; the review times (median and 90th
// percentile from flag to decision); the answer clock's adherence; the
// accounts without a post of their own in the last days of the month and
// those disconnected during it; and the days of the month for the charts.
//
// The report is data and words, nothing drawn: archive/report lays it out
// as a PDF/A and moderation/review shows it on the web page, both with the
// words of Text, in Swedish, Danish or English, so that the two say the
// same. A month is a calendar month in the municipality's time zone.
package report
