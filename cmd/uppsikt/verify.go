package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/moderation"
)

// runVerify is "uppsikt verify -config FILE": it re-hashes every evidence
// file recorded in the store (of comments and of objections to photos in
// own posts), read back from the folder or the bucket, and checks the audit
// log's hash chain, and reports every break it finds (exit 1), not only the
// first.
func runVerify(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "verify", "-config FILE")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	pt, st, err := openParts(ctx, env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	dir, err := pt.EvidenceStore(ctx)
	if err != nil {
		return err
	}
	return verifyAll(ctx, env.stdout, st, dir)
}

// errBroken is returned when verify finds a break.
var errBroken = errors.New("the evidence or the audit log is not intact")

// verifyAll checks every evidence file and the whole audit chain; it
// returns an error naming every break.
func verifyAll(ctx context.Context, w io.Writer, st moderation.Store, dir evidence.Store) error {
	var breaks []string
	files := 0
	var after int64
	for {
		page, err := st.ListEvidence(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, f := range page {
			if err := dir.Verify(ctx, evidence.File{SHA256: f.SHA256, Path: f.Path, Size: f.Size}); err != nil {
				breaks = append(breaks, fmt.Sprintf("evidence file %d of comment %d (%s): %v", f.ID, f.CommentID, f.Path, err))
			}
			files++
			after = f.ID
		}
		if len(page) < 500 {
			break
		}
	}
	if ops, ok := st.(moderation.OwnPostStore); ok {
		objs, err := ops.Objections(ctx, "")
		if err != nil {
			return err
		}
		for _, o := range objs {
			if o.EvidencePath == "" {
				continue
			}
			if err := dir.Verify(ctx, evidence.File{SHA256: o.EvidenceSHA256, Path: o.EvidencePath, Size: o.EvidenceSize}); err != nil {
				breaks = append(breaks, fmt.Sprintf("evidence of objection %d (post %s, %s): %v", o.ID, o.PostID, o.EvidencePath, err))
			}
			files++
		}
	}
	entries := 0
	var (
		seq  int64
		prev string
	)
	for {
		page, err := st.AuditLog(ctx, seq, 1000)
		if err != nil {
			return err
		}
		for _, e := range page {
			if e.Seq != seq+1 {
				breaks = append(breaks, fmt.Sprintf("audit log: entry %d follows entry %d: an entry is missing", e.Seq, seq))
			} else if e.PrevHash != prev {
				breaks = append(breaks, fmt.Sprintf("audit log: entry %d does not carry the hash of entry %d", e.Seq, seq))
			}
			if e.ComputeHash() != e.Hash {
				breaks = append(breaks, fmt.Sprintf("audit log: entry %d (%s, %s) was changed: its hash does not match", e.Seq, e.Action, e.At.UTC().Format("2006-01-02 15:04:05Z")))
			}
			seq, prev = e.Seq, e.Hash
			entries++
		}
		if len(page) < 1000 {
			break
		}
	}
	if len(breaks) > 0 {
		for _, b := range breaks {
			fmt.Fprintln(w, "broken: "+b)
		}
		return fmt.Errorf("%d break(s) in %d evidence files and %d audit entries:\n  %s\n%w", len(breaks), files, entries, strings.Join(breaks, "\n  "), errBroken)
	}
	fmt.Fprintf(w, "ok: %d evidence files match their hashes; the audit log's %d entries form an unbroken chain\n", files, entries)
	return nil
}
