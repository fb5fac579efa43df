package config

import (
	"fmt"
	"net"
)

// Metrics configures Prometheus' /metrics.
type Metrics struct {
	// Listen, when set, serves /metrics on its own address (e.g.
	// 127.0.0.1:9464 or an address only the monitoring network reaches)
	// and not on the web page's; empty serves it beside the web page.
	Listen string `yaml:"listen"`
	// Token, when set, is the bearer token Prometheus must send
	// (authorization: {credentials_file: ...} in its scrape
	// configuration). Give it as token_file or ${ENV_NAME}, never inline.
	// Without it /metrics answers anyone who reaches its address.
	Token     Secret `yaml:"token"`
	TokenFile string `yaml:"token_file"`
}

// validateMetrics checks the metrics' address and refuses a token written
// inline in the file.
func (c *Config) validateMetrics(loc *locator, cerr *Error) {
	m := &c.Metrics
	if m.Token.raw != "" && !envRef.MatchString(m.Token.raw) {
		cerr.add(loc, "metrics.token", "write the token as ${ENV_NAME} or use token_file, not inline")
	}
	if m.Listen == "" {
		return
	}
	if _, _, err := net.SplitHostPort(m.Listen); err != nil {
		cerr.add(loc, "metrics.listen", fmt.Sprintf("%q is not host:port (e.g. 127.0.0.1:9464)", m.Listen))
		return
	}
	if m.Listen == c.Web.Listen && !isPortZero(m.Listen) {
		cerr.add(loc, "metrics.listen", fmt.Sprintf("%q is the web page's address: leave metrics.listen empty to serve /metrics there", m.Listen))
	}
}

func isPortZero(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && port == "0"
}
