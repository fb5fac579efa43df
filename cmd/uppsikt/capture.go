package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/archive/evidencepdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// runCapture is "uppsikt capture -config FILE -comment ID -out FILE.pdf": it
// documents one stored comment now — both screenshots, the evidence PDF —
// commits the evidence like the pipeline does, and writes a copy of the PDF.
func runCapture(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "capture", "-config FILE -comment ID -out FILE.pdf")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	id := fs.String("comment", "", "the comment: its platform id, or uppsikt's number for it")
	out := fs.String("out", "", "where to write the evidence PDF")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *id == "" || *out == "" {
		fs.Usage()
		return fmt.Errorf("%w: -comment and -out are required", errUsage)
	}
	pt, st, err := openParts(ctx, env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	c, err := findComment(ctx, st, *id)
	if err != nil {
		return err
	}
	ev, err := pt.Evidence(ctx)
	if err != nil {
		return err
	}
	var number string
	var caseID int64
	if cases, err := st.ListCases(ctx, moderation.CaseFilter{AccountKey: c.AccountKey}); err == nil {
		for _, cs := range cases {
			if cs.CommentID == c.ID {
				caseID = cs.ID
			}
		}
	}
	for _, year := range []int{time.Now().Year(), time.Now().Year() - 1} {
		entries, err := st.RegisterEntries(ctx, year)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.CommentID == c.ID && number == "" {
				number = e.Number
			}
		}
	}
	res, err := ev.maker.Make(ctx, evidencepdf.Request{CommentID: c.ID, CaseID: caseID, RegisterNumber: number})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, res.Document.PDF, 0o640); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(env.stdout, "comment %s (%s): evidence %s, %d bytes, sha256 %s\n", c.PlatformID, c.AccountKey, *out, len(res.Document.PDF), res.PDF.SHA256)
	fmt.Fprintf(env.stdout, "  screenshots: %d  PDF/A-3b: %v\n", len(res.Screenshots), res.PDFA)
	if res.CaptureFailure != "" {
		fmt.Fprintf(env.stdout, "  capture failed: %s\n", res.CaptureFailure)
	}
	if res.PDFAFailure != "" {
		fmt.Fprintf(env.stdout, "  PDF/A conversion failed: %s\n", res.PDFAFailure)
	}
	fmt.Fprintf(env.stdout, "  took: capture %s, layout %s, ghostscript %s, store %s\n",
		res.Timings.Capture.Round(time.Millisecond), res.Timings.Layout.Round(time.Millisecond),
		res.Timings.Convert.Round(time.Millisecond), res.Timings.Store.Round(time.Millisecond))
	return nil
}

// findComment finds a stored comment by platform id in any account, or by
// uppsikt's own number.
func findComment(ctx context.Context, st moderation.Store, id string) (moderation.Comment, error) {
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return moderation.Comment{}, err
	}
	for _, a := range accounts {
		c, err := st.CommentByPlatformID(ctx, a.Key, id)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, moderation.ErrNotFound) {
			return moderation.Comment{}, err
		}
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		if c, err := st.Comment(ctx, n); err == nil {
			return c, nil
		}
	}
	return moderation.Comment{}, fmt.Errorf("no stored comment %q (poll the account first)", id)
}
