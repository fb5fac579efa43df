package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// runUser is "uppsikt user add -config FILE -role ROLE NAME": it adds a user
// of the web page (or changes an existing one's role and password). The
// password is read from the first line of standard input, so that it never
// appears in the process list or the shell's history.
func runUser(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return groupUsage(env, "user", "Usage: uppsikt user add -config FILE -role admin|moderator|archivist|viewer [-language sv|da|en] NAME  (password on standard input)",
			args, `want "user add"`)
	}
	fs := newFlagSet(env, "user add", "-config FILE -role ROLE [-language L] NAME")
	path := fs.String("config", "uppsikt.yaml", "the configuration file (for the database)")
	role := fs.String("role", "", "admin, moderator, archivist or viewer")
	lang := fs.String("language", "", "the user's language in the web page: sv, da, en (empty: the browser's)")
	if err := parseFlags(fs, args[1:], true); err != nil {
		return err
	}
	usageErr := func(msg string) error {
		fmt.Fprintln(env.stderr, msg)
		fs.Usage()
		return fmt.Errorf("%w: %s", errUsage, msg)
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		return usageErr("give exactly one user name")
	}
	name := strings.TrimSpace(fs.Arg(0))
	if !moderation.Role(*role).Valid() {
		return usageErr(fmt.Sprintf("-role %q: write admin, moderator, archivist or viewer", *role))
	}
	switch *lang {
	case "", "sv", "da", "en":
	default:
		return usageErr(fmt.Sprintf("-language %q: write sv, da or en", *lang))
	}
	pt, err := loadParts(env, *path, readWrite)
	if err != nil {
		return err
	}
	defer pt.Close()
	if f, ok := env.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintf(env.stderr, "Password for %s (it is shown as you type; pipe it in to avoid that): ", name)
		}
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	if len([]rune(password)) < 12 {
		return errors.New("the password must have at least 12 characters")
	}
	hash, err := review.HashPassword(password)
	if err != nil {
		return err
	}
	st, err := pt.Store(ctx)
	if err != nil {
		return err
	}
	u := moderation.User{Name: name, Role: moderation.Role(*role), PasswordHash: hash, Language: *lang}
	existing, err := st.User(ctx, name)
	switch {
	case err == nil:
		u.CreatedAt = existing.CreatedAt
	case !errors.Is(err, moderation.ErrNotFound):
		return err
	}
	if err := st.SaveUser(ctx, u); err != nil {
		return err
	}
	// A changed password signs the user out everywhere.
	if err := st.DeleteSessions(ctx, name); err != nil {
		return err
	}
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{Actor: "cli", Action: "user.saved", Subject: "user/" + name,
		Detail: []byte(fmt.Sprintf(`{"role":%q,"surface":"cli"}`, *role))}); err != nil {
		return err
	}
	if err := pt.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "user %s saved with role %s\n", name, *role)
	return nil
}
