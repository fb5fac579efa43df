// Package poller runs the duty of supervision: it reads every account on
// its schedule and stores what it saw.
//
// The schedule lives in the store (moderation.Schedule), not in memory: a
// ticker asks the store which accounts are due, so a restart loses nothing
// and never polls early. Due accounts go to a bounded pool of workers; an
// account whose platform is slow or failing occupies one worker, never the
// whole poller. Each cycle stores posts first, then every comment
// observation (the store keeps each new text as a new version and queues it
// for the pipeline exactly once), then moves the cursor and the next poll
// time.
package poller
