package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Archive configures yearly snapshots and retention (gallring).
type Archive struct {
	// Snapshots is the folder of snapshot PDFs, default <data>/snapshots.
	Snapshots string `yaml:"snapshots"`
	// YearlyOn is the day ("MM-DD") on which the yearly snapshot of the
	// year before is due, default "01-15".
	YearlyOn string `yaml:"yearly_on"`
	// SnapshotsContentOnly leaves the layout (the screenshots of the
	// account's page) out of the yearly snapshots by choice, which their
	// cover says. Otherwise a yearly snapshot whose layout cannot be
	// captured fails and is tried again at the next hourly wake.
	SnapshotsContentOnly bool      `yaml:"snapshots_content_only"`
	Retention            Retention `yaml:"retention"`
	// Reports is the folder of the monthly reports (PDF/A), default
	// <data>/reports; the service writes last month's there on the first
	// working day of each month.
	Reports string `yaml:"reports"`
}

// Retention is the retention plan: how long uppsikt keeps what.
type Retention struct {
	// Rule names the rule of the municipality's information management
	// plan the disposal follows; it is written in the disposal log.
	Rule string `yaml:"rule"`
	// CommentTextMonths is how long the text of comments of temporary or
	// minor importance is kept (default 12). Evidence, register entries,
	// review cases and snapshots are kept regardless.
	CommentTextMonths int `yaml:"comment_text_months"`
	// OwnPostMonths and OwnAlbumMonths are the age after which the
	// account's own posts and photo albums are listed for deletion
	// (default 24 and 36).
	OwnPostMonths  int `yaml:"own_post_months"`
	OwnAlbumMonths int `yaml:"own_album_months"`
	// Schedule is "daily" (the default): the service applies the plan once
	// a day, and carries out approved deletions of own posts left pending;
	// "off" leaves both to "uppsikt retention run" and "retention resume".
	Schedule string `yaml:"schedule"`
}

// Default retention plan.
const (
	DefaultRetentionRule     = "Tillfällig eller ringa betydelse"
	DefaultCommentTextMonths = 12
	DefaultOwnPostMonths     = 24
	DefaultOwnAlbumMonths    = 36
	DefaultYearlyOn          = "01-15"
	DefaultRetentionSchedule = "daily"
)

func (c *Config) archiveDefaults() {
	a := &c.Archive
	if a.Snapshots == "" {
		a.Snapshots = filepath.Join(c.Paths.Data, "snapshots")
	} else {
		a.Snapshots = c.abs(a.Snapshots)
	}
	if a.YearlyOn == "" {
		a.YearlyOn = DefaultYearlyOn
	}
	if a.Reports == "" {
		a.Reports = filepath.Join(c.Paths.Data, "reports")
	} else {
		a.Reports = c.abs(a.Reports)
	}
	r := &a.Retention
	if r.Rule == "" {
		r.Rule = DefaultRetentionRule
	}
	if r.CommentTextMonths == 0 {
		r.CommentTextMonths = DefaultCommentTextMonths
	}
	if r.OwnPostMonths == 0 {
		r.OwnPostMonths = DefaultOwnPostMonths
	}
	if r.OwnAlbumMonths == 0 {
		r.OwnAlbumMonths = DefaultOwnAlbumMonths
	}
	if r.Schedule == "" {
		r.Schedule = DefaultRetentionSchedule
	}
}

func (c *Config) validateArchive(loc *locator, cerr *Error) {
	if _, _, err := c.Archive.YearlyDay(); err != nil {
		cerr.add(loc, "archive.yearly_on", err.Error())
	}
	r := c.Archive.Retention
	if r.Schedule != "daily" && r.Schedule != "off" {
		cerr.add(loc, "archive.retention.schedule", fmt.Sprintf("%q: write daily or off", r.Schedule))
	}
	for field, v := range map[string]int{"archive.retention.comment_text_months": r.CommentTextMonths,
		"archive.retention.own_post_months": r.OwnPostMonths, "archive.retention.own_album_months": r.OwnAlbumMonths} {
		if v < 1 || v > 1200 {
			cerr.add(loc, field, fmt.Sprintf("%d: write a number of months from 1 to 1200", v))
		}
	}
	// The evidence folder holds only content-addressed evidence, which
	// uppsikt verify re-hashes: the reports go elsewhere.
	if rel, err := filepath.Rel(c.Paths.Evidence, c.Archive.Reports); c.Paths.Evidence != "" && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		cerr.add(loc, "archive.reports", fmt.Sprintf("%s is in the evidence folder %s: choose a folder outside it", c.Archive.Reports, c.Paths.Evidence))
	}
}

// YearlyDay is the month and day of YearlyOn.
func (a Archive) YearlyDay() (time.Month, int, error) {
	t, err := time.Parse("01-02", a.YearlyOn)
	if err != nil {
		return 0, 0, fmt.Errorf("%q: write a day as MM-DD, e.g. 01-15", a.YearlyOn)
	}
	return t.Month(), t.Day(), nil
}
