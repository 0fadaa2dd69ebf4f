package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wskit/wskit/handshake"
)

// Accept validates the opening handshake r and negotiates the subprotocol
// and extensions. On success it returns the [Result] whose response the
// caller sends; on failure the error is an [*Error], which knows the
// status to answer with.
//
// An HTTP/1.x request must be a GET of HTTP/1.1 or later, with a Host, an
// Upgrade field containing websocket and a Connection field containing
// upgrade (both compared case-insensitively), one Sec-WebSocket-Version
// of 13, one Sec-WebSocket-Key that decodes to 16 bytes, and no body.
//
// An HTTP/2 or HTTP/3 request (r.ProtoMajor 2 or 3) must be an Extended
// CONNECT, the one form RFC 8441 (HTTP/2) and RFC 9220 (HTTP/3) share:
// method CONNECT, the pseudo-header :protocol set to websocket (which
// net/http's HTTP/2 server exposes as r.Header[":protocol"] and quic-go's
// HTTP/3 server as r.Proto), a :path (r.URL), an :authority (r.Host), a
// :scheme of http or https if it is known, no content and
// Sec-WebSocket-Version 13; it has no key. A missing or invalid
// pseudo-header gets 400, a :protocol other than websocket 501.
//
// In both, the request must pass the origin policy (see
// [Config.CheckOrigin] and [Config.OriginPatterns]), and
// Sec-WebSocket-Protocol and Sec-WebSocket-Extensions must parse. The
// header must be within c.Limits.
//
// Callers that do not use net/http build r themselves with Method,
// ProtoMajor, ProtoMinor, Host and Header. A nil c is the zero Config.
func (c *Config) Accept(r *http.Request) (*Result, error) {
	if c == nil {
		c = &Config{}
	}
	if r == nil {
		return nil, badRequest(errors.New("server: no request"))
	}
	if err := c.Limits.CheckHeader(r.Header); err != nil {
		return nil, &Error{StatusCode: http.StatusRequestHeaderFieldsTooLarge, Err: err}
	}
	res := &Result{}
	if r.ProtoMajor >= 2 {
		if err := checkConnect(r); err != nil {
			return nil, err
		}
		res.HTTP2 = r.ProtoMajor == 2
		res.HTTP3 = r.ProtoMajor >= 3
	} else {
		key, err := checkHTTP1(r)
		if err != nil {
			return nil, err
		}
		res.Key = key
	}
	host := requestHost(r)
	if host == "" {
		return nil, badRequest(&handshake.MissingHeaderError{Name: "Host"})
	}
	origin, err := single(r.Header, "Origin")
	if err != nil {
		return nil, badRequest(err)
	}
	if err := c.checkOrigin(origin, host, r); err != nil {
		return nil, err
	}
	if err := c.negotiate(r.Header, res); err != nil {
		return nil, err
	}
	return res, nil
}

// checkHTTP1 checks the HTTP/1.x-specific part of a request and returns
// its key.
func checkHTTP1(r *http.Request) (string, error) {
	if r.Method != http.MethodGet {
		return "", &Error{
			StatusCode: http.StatusMethodNotAllowed,
			Header:     http.Header{"Allow": {http.MethodGet}},
			Err:        &handshake.MethodError{Method: r.Method, Allow: http.MethodGet},
		}
	}
	if !r.ProtoAtLeast(1, 1) {
		proto := r.Proto
		if proto == "" {
			proto = "HTTP/" + strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
		}
		return "", badRequest(&handshake.ProtoError{Proto: proto})
	}
	if err := checkToken(r.Header, "Upgrade", "websocket"); err != nil {
		return "", badRequest(err)
	}
	if err := checkToken(r.Header, "Connection", "upgrade"); err != nil {
		return "", badRequest(err)
	}
	if err := checkVersion(r.Header); err != nil {
		return "", err
	}
	key, err := single(r.Header, "Sec-WebSocket-Key")
	if err != nil {
		return "", badRequest(err)
	}
	if key == "" {
		return "", badRequest(&handshake.MissingHeaderError{Name: "Sec-WebSocket-Key"})
	}
	if !handshake.ValidKey(key) {
		return "", badRequest(&handshake.HeaderError{Name: "Sec-WebSocket-Key", Value: key, Reason: "does not decode to 16 bytes"})
	}
	if r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
		return "", badRequest(&handshake.HeaderError{Name: "Content-Length", Value: strconv.FormatInt(r.ContentLength, 10), Reason: "a handshake request has no body"})
	}
	return key, nil
}

// checkVersion requires one Sec-WebSocket-Version of 13.
func checkVersion(h http.Header) error {
	v, err := single(h, "Sec-WebSocket-Version")
	if err != nil {
		return badRequest(err)
	}
	if v == "" {
		return &Error{StatusCode: http.StatusBadRequest, Header: versionHeader(), Err: &handshake.MissingHeaderError{Name: "Sec-WebSocket-Version"}}
	}
	if v != handshake.Version {
		return &Error{StatusCode: http.StatusUpgradeRequired, Header: versionHeader(), Err: &handshake.VersionError{Version: v}}
	}
	return nil
}

func versionHeader() http.Header {
	return http.Header{hVersion: {handshake.Version}, hUpgrade: {"websocket"}}
}

// negotiate chooses the subprotocol and the extensions.
func (c *Config) negotiate(h http.Header, res *Result) error {
	if len(c.Protocols) > 0 {
		offered, err := handshake.ParseProtocols(handshake.HeaderValues(h, "Sec-WebSocket-Protocol"))
		if err != nil {
			return badRequest(err)
		}
	choose:
		for _, p := range c.Protocols {
			for _, o := range offered {
				if o == p {
					res.Protocol = p
					break choose
				}
			}
		}
	}
	if len(c.Extensions) > 0 {
		offers, err := handshake.ParseExtensions(handshake.HeaderValues(h, "Sec-WebSocket-Extensions"))
		if err != nil {
			return badRequest(err)
		}
		resp, agreed, err := handshake.NegotiateExtensions(c.Extensions, offers)
		if err != nil {
			return badRequest(err)
		}
		if !handshake.ValidExtensions(resp) {
			return &Error{StatusCode: http.StatusInternalServerError, Err: &handshake.HeaderError{
				Name: "Sec-WebSocket-Extensions", Value: handshake.FormatExtensions(resp), Reason: "an extension answered with parameters that are not tokens"}}
		}
		res.Extensions = agreed
		res.extensions = resp
	}
	return nil
}

func badRequest(err error) *Error {
	return &Error{StatusCode: http.StatusBadRequest, Err: err}
}

// requestHost returns r.Host, or the Host or :authority header field of
// a request built by hand.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if vv := handshake.HeaderValues(r.Header, "Host"); len(vv) == 1 {
		return vv[0]
	}
	if vv := r.Header[PseudoAuthority]; len(vv) == 1 {
		return vv[0]
	}
	return ""
}

// single returns the one value of the header field name, "" if absent, or
// a DuplicateHeaderError.
func single(h http.Header, name string) (string, error) {
	vv := handshake.HeaderValues(h, name)
	switch len(vv) {
	case 0:
		return "", nil
	case 1:
		return vv[0], nil
	}
	return "", &handshake.DuplicateHeaderError{Name: name}
}

// checkToken requires the header field name to contain token.
func checkToken(h http.Header, name, token string) error {
	vv := handshake.HeaderValues(h, name)
	if len(vv) == 0 {
		return &handshake.MissingHeaderError{Name: name}
	}
	if !handshake.HasToken(vv, token) {
		return &handshake.HeaderError{Name: name, Value: vv[0], Reason: "does not contain " + token}
	}
	return nil
}
