// Package person answers a person's request about what uppsikt holds about
// them, for the municipality's data protection officer: the right of access
// (GDPR art. 15) and, with the store's erasure, the right to erasure
// (art. 17).
//
// Export renders everything the store holds about one commenter — every
// comment and each of its versions with the platform's raw answer, the
// classifier's verdicts, review cases and decisions, what uppsikt did on the
// platform (hides, deletions, replies to the person), evidence files and
// register entries — as JSON and as a readable PDF (PDF/A-3b with the JSON
// attached when Ghostscript is there). Both carry the information the answer
// must give: what is processed, for which purpose, who has access, where it
// came from and how long it is kept, in Swedish, Danish or English, and say
// for each comment whether an erasure would keep it and why.
//
// The answer names the person only by the platform's id and the names they
// used; it is personal data itself: hand it to the person and keep it no
// longer than the request's case needs.
package person
