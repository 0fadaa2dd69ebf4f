package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/wskit/wskit/handshake"
)

// checkOrigin applies c's origin policy to r, whose Origin field is origin
// ("" if absent) and whose Host is host.
func (c *Config) checkOrigin(origin, host string, r *http.Request) error {
	if c.CheckOrigin == nil {
		if origin != "" && !c.originAllowed(origin, host) {
			return &Error{StatusCode: http.StatusForbidden, Err: &handshake.OriginError{Origin: origin, Host: host}}
		}
		return nil
	}
	if len(c.OriginPatterns) > 0 {
		// Either would be ignored by the other; refuse rather than guess.
		return &Error{StatusCode: http.StatusInternalServerError,
			Err: fmt.Errorf("%w: CheckOrigin and OriginPatterns are both set; put the patterns in CheckOrigin (see AllowOrigins)", ErrConfig)}
	}
	if err := c.CheckOrigin(origin, r); err != nil {
		return &Error{StatusCode: http.StatusForbidden, Err: &handshake.OriginError{Origin: origin, Host: host, Err: err}}
	}
	return nil
}

// originAllowed reports whether origin may open a WebSocket on host under
// the default policy: the same host, or one of c.OriginPatterns.
func (c *Config) originAllowed(origin, host string) bool {
	u, err := url.Parse(origin)
	if err == nil && u.Scheme != "" && u.Host != "" && sameHost(u, host) {
		return true
	}
	if len(c.OriginPatterns) == 0 {
		return false
	}
	full, hostPort := originForms(origin)
	for _, p := range c.OriginPatterns {
		if matchPattern(strings.ToLower(p), full, hostPort) {
			return true
		}
	}
	return false
}

// errNotListed is the refusal of a CheckOrigin made by AllowOrigins.
var errNotListed = errors.New("not one of the allowed origins")

// AllowOrigins returns a [Config.CheckOrigin] that allows exactly the
// origins that match one of patterns, and not the request's own host
// unless a pattern names it. Patterns are written as for
// [Config.OriginPatterns]; one without wildcards, such as
// "https://app.example.com", allows that origin alone, as browsers send it
// (without the scheme's default port). A request without Origin passes,
// as under the default policy: only browsers are bound to send one.
//
// It returns an error for a pattern that is empty, malformed for
// [path.Match], has a path after its host, or is "null", the origin of
// sandboxed pages and local files, which any site can produce.
func AllowOrigins(patterns ...string) (func(origin string, r *http.Request) error, error) {
	ps := make([]string, len(patterns))
	for i, p := range patterns {
		if err := checkPattern(p); err != nil {
			return nil, fmt.Errorf("%w: AllowOrigins(%q): %v", ErrConfig, p, err)
		}
		ps[i] = strings.ToLower(p)
	}
	return func(origin string, _ *http.Request) error {
		if origin == "" {
			return nil
		}
		full, hostPort := originForms(origin)
		for _, p := range ps {
			if matchPattern(p, full, hostPort) {
				return nil
			}
		}
		return errNotListed
	}, nil
}

// checkPattern reports what makes p unusable as an origin pattern.
func checkPattern(p string) error {
	switch {
	case p == "":
		return errors.New("empty pattern")
	case strings.EqualFold(p, "null"):
		return errors.New(`"null" is the origin of every sandboxed page; decide on it in a CheckOrigin of your own`)
	}
	if _, err := path.Match(p, ""); err != nil {
		return err
	}
	if _, rest, ok := strings.Cut(p, "://"); ok && strings.Contains(rest, "/") {
		return errors.New("an origin has no path")
	}
	return nil
}

// originForms returns the forms of origin that patterns match: its
// scheme://host[:port] and its host[:port], both lower case; an origin
// without a host, such as "null", is both.
func originForms(origin string) (full, hostPort string) {
	if u, err := url.Parse(origin); err == nil && u.Host != "" {
		hostPort = strings.ToLower(u.Host)
		return strings.ToLower(u.Scheme) + "://" + hostPort, hostPort
	}
	full = strings.ToLower(origin)
	return full, full
}

// matchPattern reports whether the lower-case pattern p matches an origin
// of the given forms (see originForms): a pattern with "://" its
// scheme://host[:port], one without its host[:port] alone.
func matchPattern(p, full, hostPort string) bool {
	subject := hostPort
	if strings.Contains(p, "://") {
		subject = full
	}
	ok, err := path.Match(p, subject)
	return ok && err == nil
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
