// Package metrics serves uppsikt's Prometheus metrics: a registry of its
// own (never the global one) with a collector that reads the store at
// every scrape — queue depths, dead letters, the accounts' status and last
// successful poll, platform actions by kind and outcome, classifier
// verdicts by category — so that the numbers survive a restart, and the
// event metrics the service reports as they happen: poll outcomes
// (Metrics.Polled, wired to bot/poller) and evidence capture durations and
// failures (Metrics.Captured, wired by cmd around the browser). Open and
// overdue questions come from an optional Questions function; without it
// those metrics are absent.
//
// Labels are bounded: account key, platform, kind, outcome, category,
// signal — never a comment's id or text. docs/monitoring.md lists every
// metric; examples/prometheus-alerts.yaml alerts on them.
//
// Handler serves the text format; Protect puts a bearer token in front of
// it.
package metrics
