package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// runningEmulator is an emulator serving HTTP on a local port.
type runningEmulator struct {
	em     *emulator.Emulator
	srv    *http.Server
	base   string
	secret string
	appID  string
	wg     sync.WaitGroup
	served chan error
}

// startEmulator loads a scenario and serves the emulator at listen.
func startEmulator(scenario, listen string, log *slog.Logger) (*runningEmulator, error) {
	sc, err := emulator.LoadScenario(scenario)
	if err != nil {
		return nil, err
	}
	secret, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	re := &runningEmulator{secret: secret, appID: "1000000000000", served: make(chan error, 1)}
	re.em, err = emulator.New(emulator.Options{Scenario: sc, AppID: re.appID, AppSecret: secret, Logger: log, Seed: time.Now().UnixNano()})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		re.em.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	re.base = "http://" + ln.Addr().String() + "/"
	re.em.SetBaseURL(re.base)
	re.srv = &http.Server{Handler: re.em, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	re.wg.Go(func() { re.served <- re.srv.Serve(ln) })
	return re, nil
}

// live adds comments, edits and deletions at perMinute until ctx ends.
func (re *runningEmulator) live(ctx context.Context, perMinute float64, log *slog.Logger) {
	if perMinute <= 0 {
		return
	}
	re.wg.Go(func() {
		if err := re.em.RunLive(ctx, perMinute); err != nil && ctx.Err() == nil {
			log.Error("emulator live mode stopped", "error", err)
		}
	})
}

// stop shuts the HTTP server down and waits for live mode and webhooks.
func (re *runningEmulator) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := re.srv.Shutdown(ctx)
	re.wg.Wait()
	if serr := <-re.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, re.em.Close())
}

// configFor returns the configuration of uppsikt pointed at this emulator.
// tokenRef says how to reference each account's token.
func (re *runningEmulator) configFor(dataDir, listen string, interval time.Duration, secretRef string, tokenRef func(key string) string) ([]byte, error) {
	ec := config.EmulatorConfig{
		GraphURL: re.base, AppID: re.appID, AppSecretRef: secretRef, DataDir: dataDir, Listen: listen,
		Interval: interval.String(), OfficeHours: "00:00-24:00", Country: "se", Language: "sv",
	}
	for _, a := range re.em.Accounts() {
		if ec.Municipality == "" && a.Platform == "facebook" {
			ec.Municipality = a.Name
			if a.Language == "da" {
				ec.Country, ec.Language = "dk", "da"
			}
		}
		key := accountKey(a)
		ec.Accounts = append(ec.Accounts, config.EmulatorAccount{Key: key, Platform: a.Platform, ID: a.ID, Name: a.Name,
			Language: a.Language, TokenRef: tokenRef(key)})
	}
	return ec.YAML()
}

// tokens maps account keys to tokens.
func (re *runningEmulator) tokens() map[string]string {
	out := map[string]string{}
	for _, a := range re.em.Accounts() {
		out[accountKey(a)] = a.Token
	}
	return out
}

// runEmulator is "uppsikt emulator": the platform emulator alone, so that
// anyone can try uppsikt (or another client) against it.
func runEmulator(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "emulator", "[-listen ADDR] [-scenario sv|da|FILE] [-live-rate N] [-print-config FILE]")
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve the emulated Graph API on (port 0 picks a free one)")
	scenario := fs.String("scenario", "sv", "scenario: sv, da, or a scenario file")
	rate := fs.Float64("live-rate", 0, "new comments (and edits and deletions) per minute; 0 keeps the scenario still")
	printConfig := fs.String("print-config", "", "also write an uppsikt configuration pointing at this emulator to FILE (tokens go to files beside it)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	log := newLogger(env.stderr, configLog("info"))
	re, err := startEmulator(*scenario, *listen, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s\n", re.base)
	if *printConfig != "" {
		if err := re.writeConfig(*printConfig); err != nil {
			return errors.Join(err, re.stop())
		}
		fmt.Fprintf(env.stderr, "configuration written to %s\n", *printConfig)
	}
	re.live(ctx, *rate, log)
	<-ctx.Done()
	return re.stop()
}

// writeConfig writes a configuration for this emulator to path, with the app
// secret and each page token in files of their own (mode 0600) beside it.
func (re *runningEmulator) writeConfig(path string) error {
	dir := filepath.Dir(path)
	secrets := filepath.Join(dir, filepath.Base(path)+".secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		return fmt.Errorf("secrets folder: %w", err)
	}
	write := func(name, value string) (string, error) {
		p := filepath.Join(secrets, name)
		if err := os.WriteFile(p, []byte(value+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write secret: %w", err)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return "", err
		}
		return rel, nil
	}
	secretPath, err := write("meta_app_secret", re.secret)
	if err != nil {
		return err
	}
	tokens := re.tokens()
	var werr error
	data, err := re.configFor("data", "127.0.0.1:8080", 30*time.Second, "app_secret_file: "+secretPath, func(key string) string {
		p, err := write(key+".token", tokens[key])
		werr = errors.Join(werr, err)
		return "token_file: " + p
	})
	if err != nil || werr != nil {
		return errors.Join(err, werr)
	}
	return os.WriteFile(path, data, 0o644)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
