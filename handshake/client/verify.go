package client

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wskit/wskit/handshake"
)

// Result is what the handshake agreed on.
type Result struct {
	// Protocol is the subprotocol the server chose, "" if none.
	Protocol string
	// Extensions are the agreed extensions in the order of the
	// server's response, the order in which they apply to outgoing
	// messages.
	Extensions []handshake.Negotiated
}

// Verify validates the server's response to r, as read by
// [net/http.ReadResponse], [ReadResponse] or an [net/http.Client]; see
// [Request.VerifyHeader].
func (r *Request) Verify(resp *http.Response) (*Result, error) {
	if resp == nil {
		return nil, &handshake.StatusError{}
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, &handshake.StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	return r.VerifyHeader(resp.StatusCode, resp.Header)
}

// VerifyHeader validates a response with status code and header h. It
// requires, in this order: status 101; the header within the request's
// Limits; an Upgrade field with the token websocket and a Connection field
// with the token upgrade (both case-insensitive); exactly one
// Sec-WebSocket-Accept, equal to the accept value of r.Key; at most one
// Sec-WebSocket-Protocol, naming one offered subprotocol; at most one
// Sec-WebSocket-Extensions, listing offered extensions that accept their
// parameters. The first failure is returned as a typed error of package
// handshake.
func (r *Request) VerifyHeader(code int, h http.Header) (*Result, error) {
	if code != http.StatusSwitchingProtocols {
		return nil, &handshake.StatusError{Code: code, Status: statusText(code)}
	}
	if err := r.limits.CheckHeader(h); err != nil {
		return nil, err
	}
	if err := checkToken(h, "Upgrade", "websocket"); err != nil {
		return nil, err
	}
	if err := checkToken(h, "Connection", "upgrade"); err != nil {
		return nil, err
	}
	accept, err := single(h, "Sec-WebSocket-Accept", true)
	if err != nil {
		return nil, err
	}
	if !handshake.AcceptMatches(accept, r.Key) {
		return nil, &handshake.AcceptError{Got: accept, Want: handshake.Accept(r.Key)}
	}
	return r.verifyNegotiation(h)
}

// verifyNegotiation checks the subprotocol and extensions of a response.
func (r *Request) verifyNegotiation(h http.Header) (*Result, error) {
	res := &Result{}
	if vv := handshake.HeaderValues(h, "Sec-WebSocket-Protocol"); len(vv) > 0 {
		if len(vv) > 1 {
			return nil, &handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Protocol"}
		}
		list, err := handshake.ParseProtocols(vv)
		if err != nil {
			return nil, err
		}
		if len(list) != 1 {
			return nil, &handshake.HeaderError{Name: "Sec-WebSocket-Protocol", Value: vv[0], Reason: "must name exactly one subprotocol"}
		}
		if !slices.Contains(r.protocols, list[0]) {
			return nil, &handshake.SubprotocolError{Protocol: list[0]}
		}
		res.Protocol = list[0]
	}
	if vv := handshake.HeaderValues(h, "Sec-WebSocket-Extensions"); len(vv) > 0 {
		if len(vv) > 1 {
			return nil, &handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Extensions"}
		}
		list, err := handshake.ParseExtensions(vv)
		if err != nil {
			return nil, err
		}
		if res.Extensions, err = handshake.AcceptExtensions(r.extensions, list); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// checkToken requires the header field name to contain token.
func checkToken(h http.Header, name, token string) error {
	vv := handshake.HeaderValues(h, name)
	if len(vv) == 0 {
		return &handshake.MissingHeaderError{Name: name}
	}
	if !handshake.HasToken(vv, token) {
		v := vv[0]
		if len(vv) > 1 {
			v = strings.Join(vv, ", ")
		}
		return &handshake.HeaderError{Name: name, Value: v, Reason: "does not contain " + token}
	}
	return nil
}

// single returns the one value of the header field name. A second value is
// a DuplicateHeaderError; none is a MissingHeaderError if required.
func single(h http.Header, name string, required bool) (string, error) {
	vv := handshake.HeaderValues(h, name)
	switch {
	case len(vv) > 1:
		return "", &handshake.DuplicateHeaderError{Name: name}
	case len(vv) == 0 && required:
		return "", &handshake.MissingHeaderError{Name: name}
	case len(vv) == 0:
		return "", nil
	}
	return vv[0], nil
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}
