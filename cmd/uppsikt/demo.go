package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/cmd/config"
)

// runDemo is "uppsikt demo" (what "make run" starts): the platform emulator
// in live mode and the whole service polling it, on embedded defaults.
func runDemo(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "demo", "[-listen ADDR] [-scenario sv|da|FILE] [-live-rate N] [-data DIR]")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the web page")
	emuListen := fs.String("emulator-listen", "127.0.0.1:0", "address of the platform emulator (port 0 picks a free one)")
	scenario := fs.String("scenario", "sv", "emulator scenario: sv, da, or a scenario file")
	rate := fs.Float64("live-rate", 12, "new comments (with edits and deletions) per minute in the emulator")
	dataDir := fs.String("data", "data", "folder for the demo's database and evidence")
	interval := fs.Duration("interval", 10*time.Second, "poll interval")
	level := fs.String("log", "info", "log level: debug, info, warn, error")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	log := newLogger(env.stderr, configLog(*level))
	re, err := startEmulator(*scenario, *emuListen, log.With("part", "emulator"))
	if err != nil {
		return err
	}
	data, err := filepath.Abs(*dataDir)
	if err != nil {
		return errors.Join(err, re.stop())
	}
	secrets := map[string]string{"UPPSIKT_DEMO_APP_SECRET": re.secret}
	tokens := re.tokens()
	yaml, err := re.configFor(filepath.Join(data, "demo"), *listen, *interval, "app_secret: ${UPPSIKT_DEMO_APP_SECRET}", func(key string) string {
		name := "UPPSIKT_DEMO_TOKEN_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
		secrets[name] = tokens[key]
		return "token: ${" + name + "}"
	})
	if err != nil {
		return errors.Join(err, re.stop())
	}
	cfg, err := config.Parse(yaml, "demo configuration", data, func(k string) string { return secrets[k] })
	if err != nil {
		return errors.Join(err, re.stop())
	}
	cfg.Log = configLog(*level)
	// A short grace, so that trying the demo shows the undo and then the
	// removal without a minute's wait.
	cfg.Review.UndoGrace = config.Duration(10 * time.Second)
	// Two questions for the answer clock: one answered, one overdue; the
	// clock looks for new ones as often as the demo polls.
	cfg.Answers.CheckEvery = config.Duration(*interval)
	if err := seedDemoQuestions(re, cfg, time.Now()); err != nil {
		return errors.Join(err, re.stop())
	}
	if err := os.MkdirAll(cfg.Paths.Data, 0o750); err != nil {
		return errors.Join(err, re.stop())
	}
	svc, err := openService(ctx, cfg, log)
	if err != nil {
		return errors.Join(err, re.stop())
	}
	password, err := seedDemoModerator(ctx, svc)
	if err != nil {
		return errors.Join(err, svc.store.Close(), re.stop())
	}
	fmt.Fprintf(env.stdout, "uppsikt demo — %s\n", cfg.Municipality.Name)
	fmt.Fprintf(env.stdout, "  web page:  %s\n", svc.URL())
	fmt.Fprintf(env.stdout, "  sign in:   %s / %s\n", demoModerator, password)
	fmt.Fprintf(env.stdout, "  emulator:  %s  (state: %s_emulator/state, stats: %s_emulator/stats)\n", re.base, re.base, re.base)
	fmt.Fprintf(env.stdout, "  database:  %s\n", cfg.Paths.Database)
	fmt.Fprintf(env.stdout, "  new comments arrive at %.0f per minute; press Ctrl-C to stop\n", *rate)
	re.live(ctx, *rate, log.With("part", "emulator"))
	runErr := svc.run(ctx)
	return errors.Join(runErr, re.stop())
}

func configLog(level string) config.Log { return config.Log{Level: level, Format: "text"} }
