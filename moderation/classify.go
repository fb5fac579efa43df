package moderation

import "context"

// Classifier gives a verdict on a comment text. lang is the platform's or
// caller's language hint ("sv", "da", "en"), empty when unknown.
// rules implements it; it is pure and safe for concurrent use.
type Classifier interface {
	Classify(text, lang string) Verdict
}

// Connector reads one platform. bot/facebook, bot/instagram and bot/webpage
// implement it; Poll is the cheap pass that should cost one request per
// account when nothing happened.
type Connector interface {
	Poll(ctx context.Context, a Account, c Cursor) (PollResult, error)
}

// PollResult is what a poll saw.
type PollResult struct {
	Posts    []Post
	Comments []CommentObservation
	Changes  []StateChange
	Cursor   Cursor
	Requests int
}

// AccountClassifier is a Classifier with settings per supervised account
// (rules switched off, the learned model in shadow mode). ForAccount returns
// the classifier for the account with the given key.
type AccountClassifier interface {
	Classifier
	ForAccount(key string) Classifier
}
