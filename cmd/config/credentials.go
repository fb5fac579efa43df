package config

import (
	"fmt"
	"strings"
)

// credentialsDir is the one variable a *_file path may begin with: systemd
// sets it to the folder of the unit's credentials (LoadCredential=), so
// that a configuration names them without knowing where systemd keeps them
// ("token_file: ${CREDENTIALS_DIRECTORY}/gruvberg-fb").
const credentialsDir = "${CREDENTIALS_DIRECTORY}"

// credentialPath resolves a leading ${CREDENTIALS_DIRECTORY} in the *_file
// path file from the environment; any other "${" is refused.
func credentialPath(file string, getenv func(string) string) (string, error) {
	rest, ok := strings.CutPrefix(file, credentialsDir)
	if !ok {
		if strings.Contains(file, "${") {
			return "", fmt.Errorf("%q: a file path may only begin with %s", file, credentialsDir)
		}
		return file, nil
	}
	dir := getenv("CREDENTIALS_DIRECTORY")
	if dir == "" {
		return "", fmt.Errorf("%q: CREDENTIALS_DIRECTORY is not set (systemd sets it for a unit with LoadCredential=; by hand, set it to the folder of the credential files)", file)
	}
	if strings.Contains(rest, "${") || !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("%q: write %s/NAME", file, credentialsDir)
	}
	return strings.TrimSuffix(dir, "/") + rest, nil
}
