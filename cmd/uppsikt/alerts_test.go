package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"
)

// alertRules is a Prometheus rule file, as far as the check reads it.
type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promSelector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promDuration = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)
)

// promFunctions are the PromQL functions and aggregations the rules may
// use; promKeywords its binary operators and modifiers.
var (
	promFunctions = []string{"sum", "min", "max", "avg", "count", "absent", "rate", "increase", "deriv", "delta",
		"max_over_time", "min_over_time", "avg_over_time", "time", "clamp_min", "clamp_max", "abs", "topk", "bottomk"}
	promKeywords = []string{"and", "or", "unless", "bool", "offset"}
)

// checkAlertRules reads a Prometheus rule file and returns what is wrong
// with it: a rule without a name, expression, severity or summary, a "for"
// that is no duration, and every metric, label or function an expression
// names that served (the parsed /metrics) does not have. up is the one
// metric Prometheus makes itself.
func checkAlertRules(data []byte, served map[string]*dto.MetricFamily) []string {
	var rf alertRules
	if err := yaml.Unmarshal(data, &rf); err != nil {
		return []string{fmt.Sprintf("YAML: %v", err)}
	}
	labelsOf := func(metric string) ([]string, bool) {
		if metric == "up" {
			return []string{"job", "instance"}, true
		}
		f, ok := served[metric]
		if !ok {
			return nil, false
		}
		var names []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(names, l.GetName()) {
					names = append(names, l.GetName())
				}
			}
		}
		return names, true
	}
	var problems []string
	rules := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			rules++
			bad := func(format string, args ...any) {
				problems = append(problems, fmt.Sprintf("%s: ", r.Alert)+fmt.Sprintf(format, args...))
			}
			if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				bad("want alert, expr, labels.severity and annotations.summary")
			}
			if r.For != "" && !promDuration.MatchString(r.For) {
				bad("for: %q is not a duration", r.For)
			}
			expr := promString.ReplaceAllString(r.Expr, `""`)
			var metrics []string
			for _, m := range promSelector.FindAllStringSubmatch(expr, -1) {
				have, ok := labelsOf(m[1])
				if !ok {
					continue // reported below
				}
				for _, l := range promMatcher.FindAllStringSubmatch(m[2], -1) {
					if !slices.Contains(have, l[1]) {
						bad("%s has no label %q", m[1], l[1])
					}
				}
			}
			expr = promSelector.ReplaceAllString(expr, "$1")
			for _, rg := range promRange.FindAllString(expr, -1) {
				if !promDuration.MatchString(strings.Trim(rg, "[]")) {
					bad("range %s is not a duration", rg)
				}
			}
			expr = promRange.ReplaceAllString(expr, "")
			var grouping []string
			for _, m := range promGrouping.FindAllStringSubmatch(expr, -1) {
				for l := range strings.SplitSeq(m[2], ",") {
					if l = strings.TrimSpace(l); l != "" {
						grouping = append(grouping, l)
					}
				}
			}
			expr = promGrouping.ReplaceAllString(expr, " ")
			for _, id := range promIdent.FindAllString(expr, -1) {
				name, call := strings.CutSuffix(strings.TrimSpace(id), "(")
				name = strings.TrimSpace(name)
				switch {
				case call && !slices.Contains(promFunctions, name):
					bad("unknown function %s", name)
				case call, slices.Contains(promKeywords, name):
				default:
					if _, ok := labelsOf(name); !ok {
						bad("/metrics serves no %s", name)
						continue
					}
					metrics = append(metrics, name)
				}
			}
			for _, l := range grouping {
				for _, m := range metrics {
					if have, _ := labelsOf(m); !slices.Contains(have, l) {
						bad("groups by %q, which %s does not have", l, m)
					}
				}
			}
			if len(metrics) == 0 {
				bad("names no metric")
			}
		}
	}
	if rules == 0 {
		problems = append(problems, "no rules")
	}
	return problems
}

// testAlertRules checks examples/prometheus-alerts.yaml against what
// /metrics served, and that the check finds a renamed metric, a wrong
// label and a wrong function.
func testAlertRules(t *testing.T, served map[string]*dto.MetricFamily) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "prometheus-alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range regexp.MustCompile(`(?m)^\s*- alert: (\S+)`).FindAllStringSubmatch(string(data), -1) {
		names = append(names, a[1])
	}
	// What the issue asks to alert on, each by its rule.
	for _, want := range []string{"UppsiktDown", "UppsiktAccountDisconnected", "UppsiktNoSuccessfulPoll", "UppsiktPipelineQueueGrowing",
		"UppsiktPipelineStalled", "UppsiktDeadLetters", "UppsiktActionsFailed", "UppsiktCaptureFailing", "UppsiktQuestionsOverdue"} {
		if !slices.Contains(names, want) {
			t.Errorf("examples/prometheus-alerts.yaml: no alert %s (has %v)", want, names)
		}
	}
	tests := []struct {
		name    string
		rules   string
		problem string // "" when none
	}{
		{"the example", string(data), ""},
		{"a renamed metric", strings.Replace(string(data), "uppsikt_pipeline_dead_letters > 0", "uppsikt_pipeline_deadletters > 0", 1),
			"UppsiktDeadLetters: /metrics serves no uppsikt_pipeline_deadletters"},
		{"a label the metric lacks", strings.Replace(string(data), "uppsikt_platform_actions_failed > 0", `uppsikt_platform_actions_failed{state="failed"} > 0`, 1),
			`UppsiktActionsFailed: uppsikt_platform_actions_failed has no label "state"`},
		{"grouped by a label the metric lacks", strings.Replace(string(data), "uppsikt_platform_actions_failed > 0", "sum by (account, category) (uppsikt_platform_actions_failed) > 0", 1),
			`UppsiktActionsFailed: groups by "category", which uppsikt_platform_actions_failed does not have`},
		{"joined on a label a metric lacks", strings.Replace(string(data), "and on (account, platform) uppsikt_account_connected == 1\n        for: 1h", "and on (account, kind) uppsikt_account_connected == 1\n        for: 1h", 1),
			`UppsiktPollingFailing: groups by "kind", which uppsikt_account_last_poll_failed does not have`},
		{"an unknown function", strings.Replace(string(data), "increase(", "increse(", 1), "UppsiktCaptureFailing: unknown function increse"},
		{"not YAML", "groups: [", "YAML:"},
	}
	for _, tt := range tests {
		problems := checkAlertRules([]byte(tt.rules), served)
		switch {
		case tt.problem == "" && len(problems) > 0:
			t.Errorf("%s: got problems\n%s", tt.name, strings.Join(problems, "\n"))
		case tt.problem != "" && !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, tt.problem) }):
			t.Errorf("%s: got %q, want a problem %q", tt.name, problems, tt.problem)
		}
	}
}
