package client

import (
	"context"
	"io"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// HTTP2Request returns the handshake as an extended CONNECT request of
// WebSocket over HTTP/2 (RFC 8441 section 4): method CONNECT, the
// pseudo-header :protocol set to websocket (net/http takes it from
// Header[":protocol"]), Sec-WebSocket-Version 13, and the request's Origin,
// subprotocols, extensions and extra fields, but no key and no Upgrade or
// Connection field, which HTTP/2 forbids. body carries the client's frames
// to the server; the response body carries the server's frames.
//
// An [net/http.Transport] that speaks HTTP/2 sends it as an extended
// CONNECT once the server has announced SETTINGS_ENABLE_CONNECT_PROTOCOL,
// and fails the request otherwise.
func (r *Request) HTTP2Request(ctx context.Context, body io.Reader) *http.Request {
	u := r.httpURL()
	h := r.Header.Clone()
	delete(h, hUpgrade)
	delete(h, hConnection)
	delete(h, hKey)
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
	if resp == nil {
		return nil, &handshake.StatusError{}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &handshake.StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	if err := r.limits.CheckHeader(resp.Header); err != nil {
		return nil, err
	}
	return r.verifyNegotiation(resp.Header)
}
