// Package report lays out the monthly report (moderation/report) as a PDF
// and converts it to PDF/A-3b with Ghostscript the way the evidence PDFs
// are (archive/pdf), with the report's figures attached as JSON.
//
// The first page has the summary per account and in total and the two
// charts: horizontal bars of flagged comments by category, and lines of
// comments seen and flagged per day of the month. Both are drawn with
// fpdf's own lines and rectangles, no chart library. Then come the review
// times, the answer clock's adherence ("no questions" when it gives none),
// the inactive and disconnected accounts and how the figures are counted.
// Every word is in the report's language (moderation/report.Text), in the
// embedded DejaVu Sans, so å, ä, ö, æ and ø print on any host.
package report
