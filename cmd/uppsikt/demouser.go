package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
)

// demoModerator is the user the demo signs in as.
const demoModerator = "demo.moderator"

// seedDemoModerator gives the demo's moderator a new random password on
// every start and returns it, for the demo to print.
func seedDemoModerator(ctx context.Context, svc *service) (string, error) {
	password := rand.Text()[:16]
	hash, err := review.HashPassword(password)
	if err != nil {
		return "", err
	}
	if err := svc.store.SaveUser(ctx, moderation.User{Name: demoModerator, Role: moderation.RoleModerator, PasswordHash: hash}); err != nil {
		return "", fmt.Errorf("demo moderator: %w", err)
	}
	if err := svc.store.DeleteSessions(ctx, demoModerator); err != nil {
		return "", fmt.Errorf("demo moderator: %w", err)
	}
	return password, nil
}
