package server

import (
	"net"
	"net/url"
	"path"
	"strings"
)

// originAllowed reports whether origin may open a WebSocket on host.
func (c *Config) originAllowed(origin, host string) bool {
	u, err := url.Parse(origin)
	if err == nil && u.Scheme != "" && u.Host != "" && sameHost(u, host) {
		return true
	}
	if len(c.OriginPatterns) == 0 {
		return false
	}
	var full, hostPort string
	if err == nil && u.Host != "" {
		hostPort = strings.ToLower(u.Host)
		full = strings.ToLower(u.Scheme) + "://" + hostPort
	} else {
		full = strings.ToLower(origin) // such as "null"
		hostPort = full
	}
	for _, p := range c.OriginPatterns {
		p = strings.ToLower(p)
		subject := hostPort
		if strings.Contains(p, "://") {
			subject = full
		}
		if ok, err := path.Match(p, subject); ok && err == nil {
			return true
		}
	}
	return false
}

// defaultPort returns the default port of an origin's scheme, "" if it has
// none.
func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// sameHost reports whether the origin u names the host and port of the
// Host field host. A Host without a port matches an origin on its scheme's
// default port, as the server cannot know whether it was reached by TLS.
func sameHost(u *url.URL, host string) bool {
	hh, hp := host, ""
	if h, p, err := net.SplitHostPort(host); err == nil {
		hh, hp = h, p
	} else {
		hh = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if !strings.EqualFold(u.Hostname(), hh) {
		return false
	}
	def := defaultPort(u.Scheme)
	if def == "" {
		return false
	}
	op := u.Port()
	if op == "" {
		op = def
	}
	if hp == "" {
		return op == def
	}
	return op == hp
}
