package main

import (
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// accountKey derives a configuration key from an emulated account's name
// (config.EmulatorAccountKey).
func accountKey(a emulator.Account) string {
	return config.EmulatorAccountKey(a.Name, a.Platform)
}
