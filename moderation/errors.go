package moderation

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrNotRetryable is returned (wrapped) when a retry is asked of something
// that already succeeded, such as a done platform action.
var ErrNotRetryable = errors.New("not retryable")

// ErrTooLate is returned (wrapped) when a removal is to be undone after its
// grace period, or after uppsikt began carrying it out on the platform.
var ErrTooLate = errors.New("too late to undo")

// ConflictError says that a case was already decided by someone else; it
// carries that earlier decision so the second reviewer can be told who
// decided.
type ConflictError struct {
	Existing Decision
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("case %d was already decided (%s) by %s at %s",
		e.Existing.CaseID, e.Existing.Kind, e.Existing.By, e.Existing.At.UTC().Format("2006-01-02 15:04:05Z"))
}
