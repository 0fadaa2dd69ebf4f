package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wskit/wskit/handshake"
)

// Pseudo-header fields of an Extended CONNECT request (RFC 8441 section 4,
// RFC 9220 section 3), as a caller that builds the [net/http.Request]
// itself may put them in its Header. net/http's HTTP/2 server puts
// :protocol there too; quic-go's HTTP/3 server puts it in Request.Proto
// instead. :authority is Request.Host and :path Request.URL wherever the
// header does not hold them.
const (
	PseudoProtocol  = ":protocol"
	PseudoScheme    = ":scheme"
	PseudoPath      = ":path"
	PseudoAuthority = ":authority"
)

// checkConnect checks the Extended CONNECT form of the handshake, which
// RFC 8441 (HTTP/2) and RFC 9220 (HTTP/3) share: method CONNECT,
// :protocol websocket, :scheme http or https, a :path and an :authority,
// no content, Sec-WebSocket-Version 13. There is no key and no Upgrade or
// Connection field.
//
// Statuses: a request that lacks a pseudo-header the RFCs require, or
// carries an invalid one, is malformed (RFC 9113 section 8.1.1, RFC 9114
// section 4.1.2) and gets 400; a :protocol other than websocket is a
// protocol this server does not implement and gets 501 (RFC 9110 section
// 15.6.2); another method gets 405 with Allow: CONNECT.
func checkConnect(r *http.Request) error {
	if r.Method != http.MethodConnect {
		return &Error{
			StatusCode: http.StatusMethodNotAllowed,
			Header:     http.Header{"Allow": {http.MethodConnect}},
			Err:        &handshake.MethodError{Method: r.Method, Allow: http.MethodConnect},
		}
	}
	proto, err := connectProtocol(r)
	if err != nil {
		return badRequest(err)
	}
	if proto == "" {
		return badRequest(&handshake.MissingHeaderError{Name: PseudoProtocol})
	}
	if !strings.EqualFold(proto, "websocket") {
		return &Error{StatusCode: http.StatusNotImplemented,
			Err: &handshake.HeaderError{Name: PseudoProtocol, Value: proto, Reason: "is not websocket"}}
	}
	scheme, err := pseudo(r, PseudoScheme)
	if err != nil {
		return badRequest(err)
	}
	if scheme == "" && r.URL != nil {
		scheme = r.URL.Scheme
	}
	// net/http and quic-go drop :scheme after checking it is there, so
	// only a value that reached us can be checked.
	if scheme != "" && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "http") {
		return badRequest(&handshake.HeaderError{Name: PseudoScheme, Value: scheme, Reason: "is not http or https"})
	}
	path, err := connectPath(r)
	if err != nil {
		return badRequest(err)
	}
	if path == "" {
		return badRequest(&handshake.MissingHeaderError{Name: PseudoPath})
	}
	if path[0] != '/' {
		return badRequest(&handshake.HeaderError{Name: PseudoPath, Value: path, Reason: "does not start with /"})
	}
	authority, err := pseudo(r, PseudoAuthority)
	if err != nil {
		return badRequest(err)
	}
	if authority == "" && requestHost(r) == "" {
		return badRequest(&handshake.MissingHeaderError{Name: PseudoAuthority})
	}
	if r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
		return badRequest(&handshake.HeaderError{Name: "Content-Length", Value: strconv.FormatInt(r.ContentLength, 10),
			Reason: "an Extended CONNECT has no content before its response"})
	}
	if err := checkVersion(r.Header); err != nil {
		// Upgrade is a connection-specific field, which HTTP/2 and
		// HTTP/3 forbid: a response carrying it is malformed.
		delete(err.(*Error).Header, hUpgrade)
		return err
	}
	return nil
}

// connectProtocol returns the :protocol of r: the header field, or, for
// HTTP/3 as quic-go delivers it, Proto when it is not "HTTP/x".
func connectProtocol(r *http.Request) (string, error) {
	p, err := pseudo(r, PseudoProtocol)
	if err != nil || p != "" {
		return p, err
	}
	if r.ProtoMajor >= 3 && r.Proto != "" && !strings.HasPrefix(r.Proto, "HTTP/") {
		return r.Proto, nil
	}
	return "", nil
}

// connectPath returns the :path of r: the header field, or the request
// target.
func connectPath(r *http.Request) (string, error) {
	p, err := pseudo(r, PseudoPath)
	if err != nil || p != "" {
		return p, err
	}
	if r.URL != nil && (r.URL.Path != "" || r.URL.RawQuery != "") {
		return r.URL.RequestURI(), nil
	}
	return r.RequestURI, nil
}

// pseudo returns the one value of the pseudo-header field name in r's
// Header, "" if absent.
func pseudo(r *http.Request, name string) (string, error) {
	vv := r.Header[name]
	switch len(vv) {
	case 0:
		return "", nil
	case 1:
		return vv[0], nil
	}
	return "", &handshake.DuplicateHeaderError{Name: name}
}

// ExtendedConnect reports whether the handshake was an Extended CONNECT,
// over HTTP/2 or HTTP/3: the response is 200 OK, and the request's stream
// carries the frames.
func (r *Result) ExtendedConnect() bool { return r.HTTP2 || r.HTTP3 }
