package main

import (
	"io"
	"log/slog"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// newLogger builds the one logger of the process. Comment text is logged only
// at debug level, and secrets never (config.Secret prints itself redacted).
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	level := slog.LevelInfo
	switch c.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
