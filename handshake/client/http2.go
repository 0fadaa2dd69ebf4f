package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// HTTP2Request returns the handshake as an extended CONNECT request of
// WebSocket over HTTP/2 (RFC 8441 section 4): method CONNECT, the
// pseudo-header :protocol set to websocket (net/http takes it from
// Header[":protocol"]), Sec-WebSocket-Version 13, and the request's Origin,
// subprotocols, extensions and extra fields, but no key and no Upgrade or
// Connection field, which HTTP/2 forbids. body carries the client's frames
// to the server; the response body carries the server's frames.
//
// Send it with the RoundTripper of [HTTP2RoundTripper]: Go's HTTP/2 layer
// sends it as an extended CONNECT once the server has announced
// SETTINGS_ENABLE_CONNECT_PROTOCOL, and fails it otherwise, but
// [net/http.Transport.RoundTrip] refuses its :protocol field.
func (r *Request) HTTP2Request(ctx context.Context, body io.Reader) *http.Request {
	u := r.httpURL()
	h := r.connectHeader()
	h[":protocol"] = []string{"websocket"}
	req := (&http.Request{
		Method:     http.MethodConnect,
		URL:        u,
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     h,
		Host:       r.Host,
		Body:       io.NopCloser(body),
	}).WithContext(ctx)
	if body == nil {
		req.Body = nil
	} else if rc, ok := body.(io.ReadCloser); ok {
		req.Body = rc
	}
	return req
}

// VerifyHTTP2 validates the response to [Request.HTTP2Request]: a 2xx
// status (RFC 8441 section 5), the header within the request's Limits, and
// the subprotocol and extensions as [Request.VerifyHeader] checks them.
func (r *Request) VerifyHTTP2(resp *http.Response) (*Result, error) {
	return r.verifyConnect(resp)
}

// unencryptedHTTP2 is the TLSNextProto key under which net/http hands a
// connection without TLS to its HTTP/2 layer, wrapped in a *tls.Conn whose
// inner connection has an UnencryptedNetConn method.
const unencryptedHTTP2 = "unencrypted_http2"

// unencryptedConn carries a connection without TLS through that handoff.
type unencryptedConn struct{ net.Conn }

// UnencryptedNetConn returns the connection, for net/http.
func (c unencryptedConn) UnencryptedNetConn() net.Conn { return c.Conn }

// HTTP2RoundTripper returns a RoundTripper that sends requests, extended
// CONNECT included, over conn, an HTTP/2 connection to authority (the
// request URL's host[:port]) that the caller has dialed: a *tls.Conn whose
// handshake negotiated "h2" by ALPN, or a plain connection for HTTP/2
// without TLS (h2c with prior knowledge). t must have HTTP/2 enabled
// (t.Protocols, or t.ForceAttemptHTTP2), with UnencryptedHTTP2 for h2c.
//
// It exists because [net/http.Transport.RoundTrip] (and
// [net/http.ClientConn.RoundTrip]) of Go 1.26 refuse the field name
// ":protocol" of an [Request.HTTP2Request] as an invalid header field
// before the request reaches the HTTP/2 layer, although that layer sends
// extended CONNECT requests. The returned RoundTripper is t's HTTP/2 layer
// itself, obtained as the Transport does after ALPN, through
// t.TLSNextProto. The caller closes conn when done.
func HTTP2RoundTripper(t *http.Transport, authority string, conn net.Conn) (http.RoundTripper, error) {
	t.CloseIdleConnections() // makes t set up its HTTP/2 support, if not yet
	if tc, ok := conn.(*tls.Conn); ok {
		if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
			return nil, fmt.Errorf("client: TLS connection negotiated %q, not h2", p)
		}
		next := t.TLSNextProto["h2"]
		if next == nil {
			return nil, errors.New("client: the transport has no HTTP/2 support")
		}
		return next(authority, tc), nil
	}
	next := t.TLSNextProto[unencryptedHTTP2]
	if next == nil {
		return nil, errors.New("client: the transport has no unencrypted HTTP/2 support")
	}
	return next(authority, tls.Client(unencryptedConn{conn}, &tls.Config{})), nil
}
