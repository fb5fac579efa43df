// Package objection carries out the removal-request workflow for the
// account's own posts: a person objects to a photo of them in a post the
// municipality (or school) published, and the post is removed. The Danish
// guidelines uppsikt follows say that an objection to a published photo
// means the photo is removed.
//
// An objection is a case. When it is received uppsikt records it (who
// objects, how to reach them, why) and gives it an entry in the records
// register. Evidence of the post is captured while it is still there: a
// full-page screenshot of its permalink page and the post's stored data, in
// a PDF (PDF/A-3b with the platform's answer attached when Ghostscript is
// available), content addressed in the evidence directory with its SHA-256
// stored on the objection. When the browser fails the PDF holds the stored
// data alone, so that a removal is never blocked by a screenshot.
//
// A person with authority approves or refuses. Approval removes the post
// through the same crash-safe deletion of own posts as the retention plan
// (archive/retention's Deleter) and the one remover (moderation/removal),
// and never before the evidence is committed: the guard re-hashes the
// evidence file right before the platform call, and the remover takes the
// approved objection with its evidence as its receipt. An
// Instagram post cannot be deleted through the API; it is marked for
// manual removal with an instruction and is never reported as removed
// until a re-read shows it gone. Confirmation re-reads the post from the
// platform, records that it is gone and writes the text to send to the
// person, in Swedish or Danish. Every step is written to the audit log.
//
// The states: received → evidence_captured → approved or refused;
// approved → removed → confirmed.
package objection
