package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// UserBackend is a store that also keeps users, sessions and notices.
type UserBackend interface {
	moderation.Store
	moderation.UserStore
}

// RunUsers runs the contract suite of moderation.UserStore. open must return
// a new, empty store each time; RunUsers closes it when the subtest ends.
func RunUsers(t *testing.T, open func(t *testing.T) UserBackend) {
	fresh := func(t *testing.T) UserBackend {
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s UserBackend)
	}{
		{"users/save, read back and replace", testUserRoundTrip},
		{"users/invalid role or empty name refused", testUserInvalid},
		{"sessions/expire, touch and delete", testSessions},
		{"notices/save, replace and unsettled", testNotices},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func testUserRoundTrip(t *testing.T, s UserBackend) {
	ctx := context.Background()
	if _, err := s.User(ctx, "anna"); !errors.Is(err, moderation.ErrNotFound) {
		t.Fatalf("User(unknown): got %v, want ErrNotFound", err)
	}
	u := moderation.User{Name: "anna", Role: moderation.RoleModerator, PasswordHash: "h1", Language: "sv"}
	if err := s.SaveUser(ctx, u); err != nil {
		t.Fatalf("SaveUser: %v", err)
	}
	got, err := s.User(ctx, "anna")
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if got.Name != u.Name || got.Role != u.Role || got.PasswordHash != u.PasswordHash || got.Language != "sv" || got.Disabled || got.CreatedAt.IsZero() {
		t.Errorf("User: got %+v, want %+v with a creation time", got, u)
	}
	u.Role, u.PasswordHash, u.Disabled = moderation.RoleAdmin, "h2", true
	if err := s.SaveUser(ctx, u); err != nil {
		t.Fatalf("SaveUser again: %v", err)
	}
	if err := s.SaveUser(ctx, moderation.User{Name: "bertil", Role: moderation.RoleViewer}); err != nil {
		t.Fatalf("SaveUser bertil: %v", err)
	}
	us, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if len(us) != 2 || us[0].Name != "anna" || us[0].Role != moderation.RoleAdmin || !us[0].Disabled || us[0].PasswordHash != "h2" || us[1].Name != "bertil" {
		t.Errorf("Users: got %+v, want anna (admin, disabled, h2) then bertil", us)
	}
}

func testUserInvalid(t *testing.T, s UserBackend) {
	ctx := context.Background()
	for _, u := range []moderation.User{{Name: "", Role: moderation.RoleViewer}, {Name: "x", Role: "root"}} {
		if err := s.SaveUser(ctx, u); err == nil {
			t.Errorf("SaveUser(%+v): got nil, want an error", u)
		}
	}
}

func testSessions(t *testing.T, s UserBackend) {
	ctx := context.Background()
	if err := s.SaveUser(ctx, moderation.User{Name: "anna", Role: moderation.RoleModerator}); err != nil {
		t.Fatalf("SaveUser: %v", err)
	}
	se := moderation.Session{ID: "s1", User: "anna", CSRF: "c1", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(30)}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if err := s.CreateSession(ctx, moderation.Session{ID: "s2", User: "anna", CSRF: "c2", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(10)}); err != nil {
		t.Fatalf("CreateSession s2: %v", err)
	}
	got, err := s.Session(ctx, "s1", at(29))
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	if got.User != "anna" || got.CSRF != "c1" || !got.ExpiresAt.Equal(at(30)) {
		t.Errorf("Session: got %+v, want anna, c1, expiring at %v", got, at(30))
	}
	if _, err := s.Session(ctx, "s1", at(30)); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("Session at its expiry: got %v, want ErrNotFound", err)
	}
	if err := s.TouchSession(ctx, "s1", at(29), at(60)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if _, err := s.Session(ctx, "s1", at(45)); err != nil {
		t.Errorf("Session after touch: %v", err)
	}
	n, err := s.DeleteExpiredSessions(ctx, at(20))
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions: got %d, %v, want 1, nil", n, err)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := s.Session(ctx, "s1", at(1)); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("Session after delete: got %v, want ErrNotFound", err)
	}
	if err := s.CreateSession(ctx, moderation.Session{ID: "s3", User: "anna", CSRF: "c3", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("CreateSession s3: %v", err)
	}
	if err := s.DeleteSessions(ctx, "anna"); err != nil {
		t.Fatalf("DeleteSessions: %v", err)
	}
	if _, err := s.Session(ctx, "s3", time.Now()); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("Session after DeleteSessions: got %v, want ErrNotFound", err)
	}
}

func testNotices(t *testing.T, s UserBackend) {
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	var cases []moderation.Case
	for i, id := range []string{"c1", "c2"} {
		r := record(t, s, obs(id, "text "+id, i+1))
		c, _, err := s.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, Categories: []string{moderation.CatHate}})
		if err != nil {
			t.Fatalf("OpenCase: %v", err)
		}
		cases = append(cases, c)
	}
	if _, err := s.Notice(ctx, cases[0].ID, "slack"); !errors.Is(err, moderation.ErrNotFound) {
		t.Fatalf("Notice(never saved): got %v, want ErrNotFound", err)
	}
	if err := s.SaveNotice(ctx, moderation.Notice{CaseID: cases[0].ID, Surface: "slack", Channel: "C1", Attempts: 1, LastError: "timeout", UpdatedAt: at(1)}); err != nil {
		t.Fatalf("SaveNotice: %v", err)
	}
	if err := s.SaveNotice(ctx, moderation.Notice{CaseID: cases[1].ID, Surface: "slack", Channel: "C1", Ref: "1.2", Shown: moderation.CaseKept, UpdatedAt: at(2)}); err != nil {
		t.Fatalf("SaveNotice: %v", err)
	}
	ns, err := s.UnsettledNotices(ctx, "slack", 10)
	if err != nil {
		t.Fatalf("UnsettledNotices: %v", err)
	}
	if len(ns) != 1 || ns[0].CaseID != cases[0].ID || ns[0].LastError != "timeout" || ns[0].Attempts != 1 {
		t.Errorf("UnsettledNotices: got %+v, want only the unposted notice of case %d", ns, cases[0].ID)
	}
	if err := s.SaveNotice(ctx, moderation.Notice{CaseID: cases[0].ID, Surface: "slack", Channel: "C1", Ref: "9.9", Shown: moderation.CaseRegistered, UpdatedAt: at(3)}); err != nil {
		t.Fatalf("SaveNotice replace: %v", err)
	}
	n, err := s.Notice(ctx, cases[0].ID, "slack")
	if err != nil || n.Ref != "9.9" || n.Shown != moderation.CaseRegistered || n.LastError != "" {
		t.Errorf("Notice after replace: got %+v, %v, want ref 9.9 shown registered", n, err)
	}
	if ns, _ := s.UnsettledNotices(ctx, "slack", 10); len(ns) != 0 {
		t.Errorf("UnsettledNotices after settling: got %+v, want none", ns)
	}
}
