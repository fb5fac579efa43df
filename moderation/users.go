package moderation

import (
	"context"
	"time"
)

// Role is what a signed-in person may do in uppsikt.
type Role string

// The roles, from most to least trusted.
const (
	RoleAdmin     Role = "admin"     // everything, including decisions escalated to them
	RoleModerator Role = "moderator" // decides cases
	RoleArchivist Role = "archivist" // reads and exports: search, register, evidence
	RoleViewer    Role = "viewer"    // reads the overview and the cases
)

// Roles lists every role.
func Roles() []Role { return []Role{RoleAdmin, RoleModerator, RoleArchivist, RoleViewer} }

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleModerator, RoleArchivist, RoleViewer:
		return true
	}
	return false
}

// User is a person who signs in to uppsikt's web page, or whose Slack
// account is mapped to one. PasswordHash is self-describing (it names its
// algorithm and parameters); uppsikt never stores a password.
type User struct {
	Name         string
	Role         Role
	PasswordHash string
	Language     string // sv, da or en; empty follows the browser
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in browser. ID is a hash of the cookie's secret, so a
// copy of the database does not let anyone sign in.
type Session struct {
	ID        string
	User      string
	CSRF      string // the token every form of this session carries
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// Notice records that a case was announced on a review surface (a Slack
// message), so that a restart neither announces it twice nor forgets to,
// and so the message can be updated in place after the decision.
type Notice struct {
	CaseID    int64
	Surface   string // slack
	Channel   string
	Ref       string    // the surface's id of the message (Slack's ts); empty until posted
	Shown     CaseState // the case state the message shows
	Attempts  int
	LastError string
	UpdatedAt time.Time
}

// UserStore keeps users, sessions and notices. archive/sqlite implements it
// next to Store; moderation/storetest.RunUsers is its contract suite.
type UserStore interface {
	// SaveUser inserts or replaces a user by name.
	SaveUser(ctx context.Context, u User) error
	// User returns ErrNotFound for an unknown name.
	User(ctx context.Context, name string) (User, error)
	Users(ctx context.Context) ([]User, error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns ErrNotFound for an unknown or expired session.
	Session(ctx context.Context, id string, now time.Time) (Session, error)
	TouchSession(ctx context.Context, id string, lastSeen, expiresAt time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessions removes every session of a user (password change, disabling).
	DeleteSessions(ctx context.Context, user string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// SaveNotice inserts or replaces the notice of a case on a surface.
	SaveNotice(ctx context.Context, n Notice) error
	// Notice returns ErrNotFound when the case was never announced there.
	Notice(ctx context.Context, caseID int64, surface string) (Notice, error)
	// UnsettledNotices returns notices whose message is not yet posted or
	// still shows an undecided case (open or escalated), oldest first.
	UnsettledNotices(ctx context.Context, surface string, limit int) ([]Notice, error)
}
