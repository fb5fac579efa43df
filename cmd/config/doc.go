// Package config reads uppsikt's one configuration file (YAML).
//
// Every key is documented in examples/uppsikt.yaml. Unknown keys are errors;
// every problem is reported with its field path and line, and the service
// starts nothing while any problem remains. Secrets (page tokens, the app
// secret, the webhook verify token) are written as "${ENV_NAME}" or given in a
// sibling "*_file" key naming a file that holds them; they are resolved when
// the file is loaded and never printed or logged. secrets.token_key is the
// key that seals account tokens kept in the database (moderation/secret); it
// is checked when the file is loaded (base64 of 32 bytes, never inline).
//
// The package belongs to cmd: only cmd/uppsikt reads the configuration and
// hands each part of uppsikt the options it needs.
package config
