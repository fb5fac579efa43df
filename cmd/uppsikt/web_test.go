package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// TestWebPageEscapesComments stores a comment and an author name that are
// script payloads and checks the web page shows them as text.
func TestWebPageEscapesComments(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1", Name: "Kommunen", Owners: []string{"anna"}, Status: moderation.AccountActive}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: "1_1", Message: "Snöröjning i veckan", CreatedAt: now, FirstSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	res, err := st.RecordComment(ctx, moderation.CommentObservation{
		AccountKey: "fb", PostID: "1_1", PlatformID: "1_1_9",
		Author:  moderation.Author{ID: "7", Name: `<img src=x onerror=alert(2)>`},
		Message: `Hej <script>alert(1)</script> "citat" & mer`, CreatedAt: now, Source: moderation.SourcePoll, SeenAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	web, err := review.New(review.Options{Store: st, Users: st, Language: "sv"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	addUser(t, st, "vera", moderation.RoleViewer)
	client := signIn(t, srv.URL, "vera", testPassword)

	get := func(path string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	for _, path := range []string{"/", "/comments/" + strconv.FormatInt(res.CommentID, 10)} {
		code, body, h := get(path)
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		for _, bad := range []string{"<script>alert(1)", "<img src=x"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: the page contains the raw payload %q", path, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the comment text is not shown escaped", path)
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("GET %s: no strict Content-Security-Policy", path)
		}
		if !strings.Contains(body, "Incoming comments") {
			t.Errorf("GET %s: not in English for an English browser", path)
		}
	}
	if code, _, _ := get("/comments/999999"); code != 404 {
		t.Errorf("unknown comment: got %d, want 404", code)
	}
	if code, _, _ := get("/comments/abc"); code != 404 {
		t.Errorf("bad comment id: got %d, want 404", code)
	}
}
