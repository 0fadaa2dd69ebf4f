package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"

	"github.com/valyala/bytebufferpool"

	"github.com/wskit/wskit/handshake"
)

// ErrBadURL is matched, with [errors.Is], by the errors [NewRequest]
// returns for a URL it cannot use.
var ErrBadURL = errors.New("client: bad WebSocket URL")

// Canonical keys of the handshake's header fields in an [net/http.Header].
const (
	hUpgrade    = "Upgrade"
	hConnection = "Connection"
	hKey        = "Sec-Websocket-Key"
	hVersion    = "Sec-Websocket-Version"
	hProtocol   = "Sec-Websocket-Protocol"
	hExtensions = "Sec-Websocket-Extensions"
	hAccept     = "Sec-Websocket-Accept"
	hOrigin     = "Origin"
)

// reserved lists the header fields Config.Header may not set.
var reserved = []string{
	"Host", hUpgrade, hConnection, hOrigin, "Content-Length", "Transfer-Encoding",
}

// Request is a client's opening handshake, ready to be sent.
type Request struct {
	// URL is the ws:// or wss:// URL the request is for.
	URL *url.URL
	// Host is the value of the Host header field: the URL's host, with
	// its port unless it is the scheme's default, IPv6 addresses in
	// brackets.
	Host string
	// Path is the request target: the URL's path and query, "/" if
	// the path is empty.
	Path string
	// Key is the Sec-WebSocket-Key value.
	Key string
	// Header holds every header field of the request except Host.
	Header http.Header

	protocols  []string
	extensions []handshake.Extension
	limits     handshake.Limits
	extra      []string // sorted keys of the caller's extra header fields
}

// NewRequest returns the handshake request for rawURL, whose scheme is ws
// or wss (http and https are taken as their equivalents), with a fresh key.
// A nil cfg is the zero Config.
func NewRequest(rawURL string, cfg *Config) (*Request, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	var defPort string
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme, defPort = "ws", "80"
	case "wss", "https":
		u.Scheme, defPort = "wss", "443"
	default:
		return nil, fmt.Errorf("%w: scheme %q is not ws or wss", ErrBadURL, u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrBadURL, rawURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: user information in a WebSocket URL is not sent; use an Authorization header", ErrBadURL)
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return nil, fmt.Errorf("%w: a WebSocket URL has no fragment", ErrBadURL)
	}
	host := u.Hostname()
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			// RFC 6455 §3 and §11.1: the host goes on the wire in its
			// ASCII (punycode) form. Converting needs an IDNA table this
			// package does not carry, so the caller converts.
			return nil, fmt.Errorf("%w: host %q is not ASCII; use its punycode form (e.g. from golang.org/x/net/idna)", ErrBadURL, host)
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && p != defPort {
		host += ":" + p
	}
	// RFC 6455 §11.1: the resource name is ASCII. net/url escapes a
	// path's non-ASCII bytes but leaves a query as given.
	path := escapeNonASCII(u.RequestURI())
	if !handshake.ValidHeaderField("Host", host) || strings.ContainsAny(path, " \t\r\n") {
		return nil, fmt.Errorf("%w: %q has characters a request line cannot carry", ErrBadURL, rawURL)
	}

	var key string
	if cfg.Rand != nil {
		if key, err = handshake.ReadKey(cfg.Rand); err != nil {
			return nil, fmt.Errorf("client: reading key: %w", err)
		}
	} else {
		key = handshake.NewKey()
	}

	h := make(http.Header, 8+len(cfg.Header))
	h[hUpgrade] = []string{"websocket"}
	h[hConnection] = []string{"Upgrade"}
	h[hKey] = []string{key}
	h[hVersion] = []string{handshake.Version}
	if cfg.Origin != "" {
		if !handshake.ValidHeaderField(hOrigin, cfg.Origin) {
			return nil, &handshake.HeaderError{Name: hOrigin, Value: cfg.Origin, Reason: "invalid header field value"}
		}
		h[hOrigin] = []string{cfg.Origin}
	}
	if len(cfg.Protocols) > 0 {
		v := handshake.FormatProtocols(cfg.Protocols)
		if p, err := handshake.ParseProtocols([]string{v}); err != nil || len(p) != len(cfg.Protocols) {
			return nil, &handshake.HeaderError{Name: "Sec-WebSocket-Protocol", Value: v, Reason: "subprotocols must be distinct tokens"}
		}
		h[hProtocol] = []string{v}
	}
	if offers := handshake.OfferExtensions(cfg.Extensions); len(offers) > 0 {
		if !handshake.ValidExtensions(offers) {
			return nil, &handshake.HeaderError{Name: "Sec-WebSocket-Extensions", Value: handshake.FormatExtensions(offers), Reason: "names and values must be tokens"}
		}
		h[hExtensions] = []string{handshake.FormatExtensions(offers)}
	}
	var extra []string
	for k, vv := range cfg.Header {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if slices.Contains(reserved, ck) || strings.HasPrefix(ck, "Sec-Websocket-") {
			return nil, &handshake.HeaderError{Name: k, Value: strings.Join(vv, ", "), Reason: "is set by the handshake and cannot be overridden"}
		}
		for _, v := range vv {
			if !handshake.ValidHeaderField(k, v) {
				return nil, &handshake.HeaderError{Name: k, Value: v, Reason: "invalid header field"}
			}
		}
		if _, dup := h[ck]; dup {
			h[ck] = append(h[ck], vv...)
			continue
		}
		h[ck] = slices.Clone(vv)
		extra = append(extra, ck)
	}
	slices.Sort(extra)

	return &Request{
		URL:        u,
		Host:       host,
		Path:       path,
		Key:        key,
		Header:     h,
		protocols:  slices.Clone(cfg.Protocols),
		extensions: slices.Clone(cfg.Extensions),
		limits:     cfg.Limits,
		extra:      extra,
	}, nil
}

// httpURL returns r.URL with its scheme mapped to http or https.
func (r *Request) httpURL() *url.URL {
	u := *r.URL
	if u.Scheme == "wss" {
		u.Scheme = "https"
	} else {
		u.Scheme = "http"
	}
	return &u
}

// HTTPRequest returns the handshake as an HTTP/1.1 GET request for
// net/http. Its URL has the scheme http or https. Sent through an
// [net/http.Client], a successful response has status 101 and a Body that
// is an [io.ReadWriteCloser] over the connection.
func (r *Request) HTTPRequest(ctx context.Context) *http.Request {
	req := (&http.Request{
		Method:     http.MethodGet,
		URL:        r.httpURL(),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     r.Header.Clone(),
		Host:       r.Host,
	}).WithContext(ctx)
	return req
}

// order lists the handshake's own fields in the order AppendText writes
// them, with their conventional spelling.
var order = [...]struct{ key, name string }{
	{hUpgrade, "Upgrade"},
	{hConnection, "Connection"},
	{hKey, "Sec-WebSocket-Key"},
	{hVersion, "Sec-WebSocket-Version"},
	{hOrigin, "Origin"},
	{hProtocol, "Sec-WebSocket-Protocol"},
	{hExtensions, "Sec-WebSocket-Extensions"},
}

// AppendText appends the request as HTTP/1.1 header text, from
// "GET /path HTTP/1.1\r\n" to the empty line that ends it, to dst and
// returns the extended slice.
func (r *Request) AppendText(dst []byte) []byte {
	dst = append(dst, "GET "...)
	dst = append(dst, r.Path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, r.Host...)
	dst = append(dst, "\r\n"...)
	for _, f := range order {
		for _, v := range r.Header[f.key] {
			dst = appendField(dst, f.name, v)
		}
	}
	for _, k := range r.extra {
		for _, v := range r.Header[k] {
			dst = appendField(dst, k, v)
		}
	}
	return append(dst, "\r\n"...)
}

func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// String returns the request's header text; see [Request.AppendText].
func (r *Request) String() string { return string(r.AppendText(nil)) }

// WriteTo writes the request's header text to w; see [Request.AppendText].
func (r *Request) WriteTo(w io.Writer) (int64, error) {
	// A pooled buffer: a client opening many connections allocates
	// nothing for the request text in steady state.
	buf := bytebufferpool.Get()
	defer bytebufferpool.Put(buf)
	buf.B = r.AppendText(buf.B[:0])
	n, err := w.Write(buf.B)
	return int64(n), err
}

// escapeNonASCII percent-encodes the bytes of s outside printable ASCII,
// leaving everything else, existing escapes included, as it is.
func escapeNonASCII(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}
