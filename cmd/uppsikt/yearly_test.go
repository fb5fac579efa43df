package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/snapshot"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// TestServiceYearlySnapshots checks the yearly snapshots as the service
// configures them: the day archive.yearly_on in the municipality's time
// zone, the folder archive.snapshots, one file per active account and year,
// none for a closed account, none twice after a restart.
func TestServiceYearlySnapshots(t *testing.T) {
	testenv.NeedTools(t, "gs")
	// The Graph API answers that the posts have no comments left: the
	// texts come from uppsikt's store.
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[]}`)
	}))
	defer graph.Close()
	dir := t.TempDir()
	yaml := fmt.Sprintf(`municipality: {name: Årsby kommun, country: se, timezone: Europe/Stockholm}
paths: {data: %q}
meta: {graph_url: %q, version: v23.0, app_id: "1000000000000001", app_secret: "${APP_SECRET}"}
register: {series: "KS {year}/{seq:04}"}
archive: {snapshots: arkiv/ögonblicksbilder, yearly_on: "03-01", snapshots_content_only: true}
accounts:
  - {key: arsby-fb, platform: facebook, id: "1094810000000001", name: Årsby kommun, owners: [a], substitutes: [b], token: "${TOKEN}", language: sv}
  - {key: arsby-fritid, platform: facebook, id: "1094810000000002", name: Årsby fritidsgård, owners: [a], substitutes: [b], token: "${TOKEN}", language: sv}
`, dir, graph.URL+"/")
	path := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APP_SECRET": "app-secret-for-tests", "TOKEN": "page-token-for-tests"}
	cfg, err := config.Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, key := range []string{"arsby-fb", "arsby-fritid"} {
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: key, PlatformID: key + "_1", Message: "Sommarlovsaktiviteter",
			CreatedAt: time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC), Author: moderation.Author{ID: "1094810000000001", Name: "Årsby kommun"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetAccountStatus(ctx, "arsby-fritid", moderation.AccountClosed, "nedlagd"); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(cfg.Municipality.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "arkiv", "ögonblicksbilder")
	files := func() string {
		es, _ := os.ReadDir(folder)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return strings.Join(names, ", ")
	}
	// Without archive.snapshots_content_only a snapshot without its
	// layout (the posts have no permalink: no page address) fails, and
	// nothing is written: the next wake tries again.
	withLayout := *cfg
	withLayout.Archive.SnapshotsContentOnly = false
	y, err := newYearly(&withLayout, st, graphClient(cfg, mustTokens(t, cfg, st), discardLogger()), discardLogger(), loc,
		func() time.Time { return time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	if n, err := y.Check(ctx); n != 0 || !errors.Is(err, snapshot.ErrNoLayout) {
		t.Errorf("Check without the layout: got %d, %v; want 0 and ErrNoLayout", n, err)
	}
	if got := files(); got != "" {
		t.Errorf("files after the failed snapshot: got %q, want none", got)
	}
	tests := []struct {
		name        string
		now         time.Time
		wantWritten int
		wantFiles   string
	}{
		{"the day before", time.Date(2026, 2, 28, 22, 59, 0, 0, time.UTC), 0, ""},
		{"the day, Stockholm time", time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), 1, "arsby-fb-2025.pdf"},
		{"after a restart", time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), 0, "arsby-fb-2025.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A new scheduler each time, as after a restart of the service.
			y, err := newYearly(cfg, st, graphClient(cfg, mustTokens(t, cfg, st), discardLogger()), discardLogger(), loc, func() time.Time { return tt.now })
			if err != nil {
				t.Fatal(err)
			}
			n, err := y.Check(ctx)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if n != tt.wantWritten {
				t.Errorf("written: got %d, want %d", n, tt.wantWritten)
			}
			if got := files(); got != tt.wantFiles {
				t.Errorf("files: got %q, want %q", got, tt.wantFiles)
			}
		})
	}
	recs, err := st.Snapshots(ctx, "arsby-fb")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Kind != moderation.SnapshotYearly || recs[0].Posts != 1 ||
		!recs[0].From.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("records of arsby-fb: got %+v, want one yearly snapshot of 2025 with 1 post", recs)
	}
	audit, err := st.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Action == "snapshot" {
			n++
			if e.Subject != "arsby-fb" || !strings.Contains(string(e.Detail), "arsby-fb-2025.pdf") {
				t.Errorf("audit entry: got %s %s, want arsby-fb and its file", e.Subject, e.Detail)
			}
		}
	}
	if n != 1 {
		t.Errorf("snapshot audit entries: got %d, want 1", n)
	}
}
