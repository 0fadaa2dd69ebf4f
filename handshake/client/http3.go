package client

import (
	"context"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// connectHeader returns the header of an Extended CONNECT, the form RFC
// 8441 (HTTP/2) and RFC 9220 (HTTP/3) share: the request's fields without
// the key, Upgrade and Connection, which neither HTTP/2 nor HTTP/3 allows.
func (r *Request) connectHeader() http.Header {
	h := r.Header.Clone()
	delete(h, hUpgrade)
	delete(h, hConnection)
	delete(h, hKey)
	return h
}

// HTTP3Request returns the handshake as an Extended CONNECT of WebSocket
// over HTTP/3 (RFC 9220 section 3): method CONNECT, :protocol websocket,
// :scheme https (HTTP/3 runs only over TLS, so the URL should be wss),
// :path and :authority from the URL, Sec-WebSocket-Version 13, and the
// request's Origin, subprotocols, extensions and extra fields, without the
// key, Upgrade or Connection.
//
// The :protocol travels in Proto ("websocket"), which is where quic-go's
// http3 package takes it from (an HTTP/3 header field name cannot hold
// the colon). The request has no body: send its header on a request
// stream, for quic-go with RequestStream.SendRequestHeader, read the
// response with RequestStream.ReadResponse and check it with
// [Request.VerifyHTTP3]; the stream then carries the frames both ways. The
// server must have sent SETTINGS_ENABLE_CONNECT_PROTOCOL first (quic-go's
// ClientConn.Settings().EnableExtendedConnect).
func (r *Request) HTTP3Request(ctx context.Context) *http.Request {
	u := r.httpURL()
	u.Scheme = "https"
	return (&http.Request{
		Method:     http.MethodConnect,
		URL:        u,
		Proto:      "websocket",
		ProtoMajor: 3,
		Header:     r.connectHeader(),
		Host:       r.Host,
	}).WithContext(ctx)
}

// VerifyHTTP3 validates the response to [Request.HTTP3Request]. RFC 9220
// keeps RFC 8441's rules, so it checks what [Request.VerifyHTTP2] checks:
// a 2xx status, the header within the request's Limits, and the
// subprotocol and extensions as [Request.VerifyHeader] checks them.
func (r *Request) VerifyHTTP3(resp *http.Response) (*Result, error) {
	return r.verifyConnect(resp)
}

// verifyConnect validates the response to an Extended CONNECT.
func (r *Request) verifyConnect(resp *http.Response) (*Result, error) {
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
