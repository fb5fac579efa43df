package moderation

import "context"

// Prober is a Connector that can ask the platform, with one cheap request,
// whether it accepts an account's access token again. The poller probes a
// disconnected account (one whose token the platform rejected) once per
// probe interval, so that a token the platform restores, such as a Meta
// session it re-validates, brings the account back without a change to the
// configuration. Probe returns nil when the token is accepted; a rejected
// token is an error with a StatusNote method, as Poll returns it. requests
// counts what it sent, retries included.
type Prober interface {
	Probe(ctx context.Context, a Account) (requests int, err error)
}

// AuditAccountReconnected is the audit log action recording that a
// disconnected account was set active again because the platform accepted
// its token; the subject is the account key. It ends the disconnection for
// the alerts that remember which disconnections they announced.
const AuditAccountReconnected = "account.reconnected"
