package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/uppsikt/uppsikt/archive/pdf"
	archreport "github.com/uppsikt/uppsikt/archive/report"
	"github.com/uppsikt/uppsikt/bot/calendar"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/report"
)

// runReport is "uppsikt report -config FILE [-month 2026-11] [-out
// FILE.pdf] [-lang sv|da|en]": the monthly report as PDF/A.
func runReport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "report", "-config FILE [-month 2026-11] [-out FILE.pdf] [-lang sv|da|en]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	month := fs.String("month", "", "the calendar month, in the municipality's time zone (default: last month)")
	out := fs.String("out", "", "the PDF to write (default <archive.reports>/report-<month>.pdf)")
	lang := fs.String("lang", "", "the report's language (default municipality.language)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *lang != "" && *lang != "sv" && *lang != "da" && *lang != "en" {
		fs.Usage()
		return fmt.Errorf("%w: -lang must be sv, da or en", errUsage)
	}
	pt, err := loadParts(env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	loc := pt.loc
	m := report.PreviousMonth(time.Now(), loc)
	if *month != "" {
		if m, err = report.ParseMonth(*month, loc); err != nil {
			fs.Usage()
			return fmt.Errorf("%w: %w", errUsage, err)
		}
	}
	if *lang == "" {
		*lang = cfg.Municipality.Language
	}
	if *out == "" {
		*out = filepath.Join(cfg.Archive.Reports, archreport.FileName(m))
	}
	st, err := pt.Store(ctx)
	if err != nil {
		return err
	}
	r, err := monthlyReport(ctx, cfg, st, loc, m, *lang, time.Now())
	if err != nil {
		return err
	}
	if err := writeReport(ctx, r, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %s (%d comments, %d flagged, %d removed)\n", *out, r.Title(), r.Total.Seen, r.Total.Flagged, r.Total.Removed)
	return nil
}

// reportAnswerClock gives the answer clock's figures per account for the
// monthly report's period, from the same statistics as the web page's
// Questions page (moderation.AnswerStats): questions asked in the period,
// open ones measured until the period's end or now. Questions marked
// answered elsewhere count as asked but in neither time nor share.
func reportAnswerClock(cfg *config.Config, st store) func(ctx context.Context, from, to time.Time) ([]report.AnswerClock, error) {
	stats, err := answerStatsByAccount(cfg, st)
	return func(ctx context.Context, from, to time.Time) ([]report.AnswerClock, error) {
		if err != nil {
			return nil, err
		}
		sums, err := stats(ctx, from, to, time.Now())
		if err != nil {
			return nil, err
		}
		out := make([]report.AnswerClock, 0, len(sums))
		for _, s := range sums {
			out = append(out, report.AnswerClock{
				AccountKey: s.AccountKey, Asked: s.Asked, AnsweredInTime: s.InTime, AnsweredLate: s.Answered - s.InTime,
				OpenOverdue: s.Overdue, MedianHours: s.Median.Hours(), P90Hours: s.P90.Hours(),
			})
		}
		return out, nil
	}
}

// monthlyReport counts the month that starts at month and builds its
// report in lang.
func monthlyReport(ctx context.Context, cfg *config.Config, st store, loc *time.Location, month time.Time, lang string, now time.Time) (report.Report, error) {
	from, to := report.Month(month, loc)
	act, err := st.Activity(ctx, moderation.ActivityQuery{From: from, To: to, Location: loc})
	if err != nil {
		return report.Report{}, err
	}
	var clock []report.AnswerClock
	if f := reportAnswerClock(cfg, st); f != nil {
		if clock, err = f(ctx, from, to); err != nil {
			return report.Report{}, fmt.Errorf("answer clock: %w", err)
		}
	}
	return report.Build(report.Input{Municipality: cfg.Municipality.Name, Language: lang, Location: loc, Month: from,
		Activity: act, Clock: clock, MadeAt: now}), nil
}

// renderReport renders the monthly report of month in lang as PDF/A, for
// the web page's download.
func renderReport(cfg *config.Config, st store, loc *time.Location) func(ctx context.Context, month time.Time, lang string) ([]byte, error) {
	return func(ctx context.Context, month time.Time, lang string) ([]byte, error) {
		r, err := monthlyReport(ctx, cfg, st, loc, month, lang, time.Now())
		if err != nil {
			return nil, err
		}
		return archreport.Render(ctx, r, pdf.Options{})
	}
}

// writeReport renders r and writes it to out: to a temporary file beside
// it, synced, then renamed, so that out is either whole or absent.
func writeReport(ctx context.Context, r report.Report, out string) error {
	b, err := archreport.Render(ctx, r, pdf.Options{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".report-*.pdf")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report %s: %w", out, err)
	}
	return nil
}

// reportsFirstWake and reportsEvery are when the service first looks for
// a due monthly report after starting, and how often after that.
const (
	reportsFirstWake = 90 * time.Second
	reportsEvery     = time.Hour
)

// monthlyReports writes last month's report into archive.reports on the
// first working day of each month (weekends and the country's public
// holidays are not), in the municipality's language; when the service was
// not running then, at its first check later in the month. The file is
// what is remembered: a report already in the folder is not made again, so
// a restart never makes it twice; one that failed is tried again within
// the hour. Each report written is recorded in the audit log (report.monthly).
type monthlyReports struct {
	cfg *config.Config
	st  store
	log *slog.Logger
	loc *time.Location
	cal *calendar.Calendar
	now func() time.Time
	// announce tells the review channels in Slack that a report is
	// written; nil without a Slack channel.
	announce func(ctx context.Context, text string) error
}

func newMonthlyReports(cfg *config.Config, st store, log *slog.Logger, loc *time.Location, now func() time.Time) (*monthlyReports, error) {
	cal, err := calendar.New(cfg.Municipality.Country)
	if err != nil {
		return nil, err
	}
	m := &monthlyReports{cfg: cfg, st: st, log: log.With("part", "monthly-report"), loc: loc, cal: cal, now: now}
	if w, err := openSlack(cfg, st, log); err == nil && w.enabled() {
		var channels []string
		for _, ch := range w.channels {
			if !slices.Contains(channels, ch) {
				channels = append(channels, ch)
			}
		}
		slices.Sort(channels)
		m.announce = slackAnnouncer(slackapi.New(w.token), channels)
	}
	return m, nil
}

// slackAnnouncer posts a text to each of the Slack channels; every channel
// is tried, and the failures are returned together.
func slackAnnouncer(client *slackapi.Client, channels []string) func(ctx context.Context, text string) error {
	return func(ctx context.Context, text string) error {
		var errs []error
		for _, ch := range channels {
			if _, _, err := client.PostMessageContext(ctx, ch, slackapi.MsgOptionText(text, false)); err != nil {
				errs = append(errs, fmt.Errorf("slack channel %s: %w", ch, err))
			}
		}
		return errors.Join(errs...)
	}
}

// firstWorkingDay is the first day of the month of t (in loc) that is not
// a weekend or a public holiday.
func (m *monthlyReports) firstWorkingDay(t time.Time) time.Time {
	l := t.In(m.loc)
	d := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, m.loc)
	for m.cal.DayOff(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// Check writes last month's report if it is due and not made yet; it
// reports the file it wrote ("" when none).
func (m *monthlyReports) Check(ctx context.Context) (string, error) {
	now := m.now()
	if now.Before(m.firstWorkingDay(now)) {
		return "", nil
	}
	month := report.PreviousMonth(now, m.loc)
	out := filepath.Join(m.cfg.Archive.Reports, archreport.FileName(month))
	if _, err := os.Stat(out); err == nil {
		return "", nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("monthly report: %w", err)
	}
	r, err := monthlyReport(ctx, m.cfg, m.st, m.loc, month, m.cfg.Municipality.Language, now)
	if err != nil {
		return "", fmt.Errorf("monthly report %s: %w", month.Format("2006-01"), err)
	}
	if err := writeReport(ctx, r, out); err != nil {
		return "", err
	}
	detail, _ := json.Marshal(map[string]any{"month": month.Format("2006-01"), "file": out, "seen": r.Total.Seen,
		"flagged": r.Total.Flagged, "removed": r.Total.Removed})
	if _, err := m.st.AppendAudit(ctx, moderation.AuditEntry{At: now, Actor: "uppsikt", Action: "report.monthly",
		Subject: "report/" + month.Format("2006-01"), Detail: detail}); err != nil {
		m.log.Error("audit log", "error", err)
	}
	m.log.Info("monthly report written", "month", month.Format("2006-01"), "file", out)
	if m.announce != nil {
		link := ""
		if u := m.cfg.Web.PublicURL; u != "" {
			link = strings.TrimRight(u, "/") + "/report?month=" + month.Format("2006-01")
		}
		// Told once, best effort: the report is written whether Slack
		// answers or not.
		if err := m.announce(ctx, r.Announcement(link)); err != nil {
			m.log.Warn("the monthly report was not announced in Slack", "error", err)
		}
	}
	return out, nil
}

// Run checks at start (after reportsFirstWake) and every reportsEvery
// until ctx ends; a failure is logged and tried again at the next check.
func (m *monthlyReports) Run(ctx context.Context) {
	timer := time.NewTimer(reportsFirstWake)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if _, err := m.Check(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("monthly report failed; tried again within the hour", "error", err)
		}
		timer.Reset(reportsEvery)
	}
}
