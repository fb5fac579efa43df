package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// runAccounts is "uppsikt accounts -config FILE [-json]": the account
// register and each account's health, read from the store without
// changing it (the daily token and webhook checks are the running
// service's; what they last found is shown). Exit 0 whatever the warnings.
func runAccounts(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "accounts", "-config FILE [-json]")
	path := fs.String("config", "uppsikt.yaml", "the configuration file")
	asJSON := fs.Bool("json", false, "print JSON for machines instead of the table")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	pt, st, err := openParts(ctx, env, *path, readOnly)
	if err != nil {
		return err
	}
	defer pt.Close()
	cfg := pt.cfg
	loc := pt.loc
	rep, err := newHealthChecker(cfg, st, pt.log, healthOptions{capture: newCaptureState(cfg).Health}).Report(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeAccountsJSON(env.stdout, rep, cfg.Municipality.Language, loc)
	}
	return writeAccountsTable(env.stdout, rep, cfg.Municipality.Language, loc)
}

// accountJSON is one account of `uppsikt accounts -json`.
type accountJSON struct {
	Key         string                  `json:"key"`
	Platform    string                  `json:"platform"`
	Name        string                  `json:"name"`
	Status      string                  `json:"status"`
	Owners      []string                `json:"owners"`
	Substitutes []string                `json:"substitutes"`
	Purpose     string                  `json:"purpose"`
	Facts       moderation.AccountFacts `json:"facts"`
	Warnings    []warningJSON           `json:"warnings"`
}

type warningJSON struct {
	moderation.HealthWarning
	Text string `json:"text"`
}

func writeAccountsJSON(w io.Writer, rep moderation.HealthReport, lang string, loc *time.Location) error {
	out := struct {
		At       time.Time                  `json:"at"`
		Accounts []accountJSON              `json:"accounts"`
		Capture  moderation.CaptureHealth   `json:"capture"`
		Work     moderation.WorkHealth      `json:"work"`
		Problems []moderation.HealthProblem `json:"problems"`
	}{At: rep.At, Accounts: []accountJSON{}, Capture: rep.Capture, Work: rep.Work, Problems: rep.Problems()}
	if out.Problems == nil {
		out.Problems = []moderation.HealthProblem{}
	}
	for _, ah := range rep.Accounts {
		a := ah.Account
		j := accountJSON{Key: a.Key, Platform: string(a.Platform), Name: a.Name, Status: string(a.Status), Owners: orEmpty(a.Owners),
			Substitutes: orEmpty(a.Substitutes), Purpose: ah.Purpose, Facts: ah.Facts, Warnings: []warningJSON{}}
		for _, hw := range ah.Warnings {
			j.Warnings = append(j.Warnings, warningJSON{HealthWarning: hw, Text: moderation.HealthWarningText(lang, hw, loc)})
		}
		out.Accounts = append(out.Accounts, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// writeAccountsTable prints one line per account, the warnings by code,
// then each account's warnings in words.
func writeAccountsTable(w io.Writer, rep moderation.HealthReport, lang string, loc *time.Location) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tPLATFORM\tNAME\tOWNERS\tSUBSTITUTES\tPURPOSE\tLAST POLL\tLAST OWN POST\tTOKEN EXPIRES\tWARNINGS")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	when := func(t time.Time, layout string) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format(layout)
	}
	for _, ah := range rep.Accounts {
		a, f := ah.Account, ah.Facts
		var codes []string
		for _, hw := range ah.Warnings {
			codes = append(codes, string(hw.Code))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Key, a.Platform, dash(a.Name), dash(strings.Join(a.Owners, ",")),
			dash(strings.Join(a.Substitutes, ",")), dash(ah.Purpose), when(f.LastPollOK, "2006-01-02 15:04"), when(f.LastOwnPost, time.DateOnly),
			tokenExpiry(f.Token, loc), dash(strings.Join(codes, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, ah := range rep.Accounts {
		if len(ah.Warnings) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", ah.Account.Key)
		for _, hw := range ah.Warnings {
			fmt.Fprintf(w, "  - %s\n", moderation.HealthWarningText(lang, hw, loc))
		}
	}
	if p := rep.Problems(); len(p) > 0 {
		var parts []string
		for _, x := range p {
			parts = append(parts, strings.TrimPrefix(string(x.Code)+" "+x.Account, " "))
		}
		fmt.Fprintf(w, "\ndegraded: %s\n", strings.Join(parts, ", "))
	}
	return nil
}

// tokenExpiry says what the last debug_token found: when the token
// expires, "never", "invalid", or "-" when it was not checked.
func tokenExpiry(t moderation.TokenCheck, loc *time.Location) string {
	switch {
	case t.CheckedAt.IsZero() || t.Error != "":
		return "-"
	case !t.Valid:
		return "invalid"
	case t.ExpiresAt.IsZero():
		return "never"
	}
	return t.ExpiresAt.In(loc).Format(time.DateOnly)
}
