package moderation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Platform names a kind of account uppsikt supervises.
type Platform string

// The platforms uppsikt knows.
const (
	Facebook  Platform = "facebook"
	Instagram Platform = "instagram"
	Webpage   Platform = "webpage"
)

// Valid reports whether p is one of the known platforms.
func (p Platform) Valid() bool {
	switch p {
	case Facebook, Instagram, Webpage:
		return true
	}
	return false
}

// AccountStatus is the operational state of a supervised account.
type AccountStatus string

// Account states.
const (
	AccountActive       AccountStatus = "active"
	AccountDisconnected AccountStatus = "disconnected" // the token was rejected (Graph error 190); a human must replace it
	AccountClosed       AccountStatus = "closed"
)

// Account is one supervised social media account or website comment section.
// Key is the municipality's own short name for it (from the configuration) and
// is stable; PlatformID is the page id, Instagram user id or site URL.
type Account struct {
	Key         string
	Platform    Platform
	PlatformID  string
	Name        string
	Owners      []string // responsible administrators
	Substitutes []string // their substitutes, required by the guideline
	Status      AccountStatus
	StatusNote  string // why the account is disconnected, for the alert in the web page
	UpdatedAt   time.Time
}

// Author is the person or page that wrote a post or comment, as the platform names it.
type Author struct {
	ID   string
	Name string
}

// Post is a post on a supervised account: the account's own or a visitor's.
type Post struct {
	AccountKey   string
	PlatformID   string // {pageid}_{postid} on Facebook, the media id on Instagram
	Author       Author
	Message      string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	PermalinkURL string
	Raw          json.RawMessage // the platform's answer as received
	FirstSeenAt  time.Time
}

// CommentState is what uppsikt last saw of a comment on its platform.
type CommentState string

// Comment states.
const (
	StateVisible CommentState = "visible"
	StateHidden  CommentState = "hidden"
	StateDeleted CommentState = "deleted"
)

// Source says how uppsikt learnt about a comment or a change to it.
type Source string

// Sources of observations.
const (
	SourcePoll      Source = "poll"
	SourceReconcile Source = "reconcile"
	SourceBackfill  Source = "backfill"
	SourceWebhook   Source = "webhook"
	SourceAction    Source = "action" // uppsikt itself hid or deleted it
)

// Comment is a comment or reply on a post. Its text lives in its versions:
// platforms keep no edit history, so uppsikt keeps every text it has seen.
type Comment struct {
	ID           int64 // uppsikt's own id
	AccountKey   string
	PostID       string // platform id of the post
	PlatformID   string
	ParentID     string // platform id of the parent comment for replies, empty for top level
	Author       Author
	CreatedAt    time.Time
	PermalinkURL string
	State        CommentState
	StateAt      time.Time // when the current state was noticed
	FirstSeenAt  time.Time
	Versions     int // number of versions stored
}

// CommentVersion is one text of a comment, immutable once stored. Version 1
// is the text first seen; an edit adds version 2 and so on.
type CommentVersion struct {
	CommentID int64
	Version   int
	Message   string
	Hash      string // VersionHash of Message
	SeenAt    time.Time
	Source    Source
	Raw       json.RawMessage
}

// VersionHash is the identity of a comment text: two observations of the same
// comment with the same hash are the same version.
func VersionHash(message string) string {
	sum := sha256.Sum256([]byte(message))
	return hex.EncodeToString(sum[:])
}

// CommentObservation is what a connector saw of a comment at one moment.
type CommentObservation struct {
	AccountKey   string
	PostID       string
	PlatformID   string
	ParentID     string
	Author       Author
	Message      string
	CreatedAt    time.Time
	PermalinkURL string
	Hidden       bool
	Raw          json.RawMessage
	Source       Source
	SeenAt       time.Time
}

// IngestResult says what storing an observation changed. NewVersion is true
// exactly once for every distinct text of a comment, whichever way it arrived:
// that is when the comment version enters the pipeline.
type IngestResult struct {
	CommentID    int64
	NewComment   bool
	NewVersion   bool
	Version      int
	StateChanged bool
}

// StateChange records that a comment was hidden, unhidden or deleted on its
// platform, by whom uppsikt cannot always know.
type StateChange struct {
	AccountKey string
	PlatformID string
	State      CommentState
	At         time.Time
	Source     Source
}

// CommentView is a comment with its latest text, for lists and pages.
type CommentView struct {
	Comment
	Message     string
	PostMessage string
	Categories  []string // from the latest verdict, if any
}

// CommentFilter narrows a listing of comments. Zero values mean no limit.
type CommentFilter struct {
	AccountKey string
	State      CommentState
	Flagged    bool // only comments whose latest verdict has a category
	Limit      int
	BeforeID   int64 // for paging: only comments with a smaller id
}
