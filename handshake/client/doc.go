// Package client builds the client's side of the WebSocket opening
// handshake (RFC 6455 section 4.1) and validates the server's response. It
// owns no connection and parses no HTTP: it hands the request over as an
// [*net/http.Request] or as header text, and it checks an
// [*net/http.Response] or a status code with an [net/http.Header].
//
// A typical use over a raw connection:
//
//	req, err := client.NewRequest("wss://example.com/chat", &client.Config{
//		Protocols: []string{"chat.v2", "chat.v1"},
//	})
//	// handle err
//	if _, err := req.WriteTo(conn); err != nil { ... }
//	br := bufio.NewReader(conn)
//	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
//	// handle err
//	res, err := req.Verify(resp)
//	// handle err; res.Protocol is the chosen subprotocol, and frames
//	// follow in br.
//
// [Request.Handshake] does those steps in one call, bounded by a
// [context.Context] whose deadline and cancellation apply to the
// connection while it runs.
//
// With net/http, send [Request.HTTPRequest] through an [net/http.Client]
// whose transport speaks HTTP/1.1: on success the response body is an
// [io.ReadWriteCloser] over the connection.
//
// WebSocket over HTTP/2 (RFC 8441) uses [Request.HTTP2Request] and
// [Request.VerifyHTTP2]: the request is an extended CONNECT, the response
// a 200, and the stream carries the frames. WebSocket over HTTP/3 (RFC
// 9220) is the same Extended CONNECT, built by [Request.HTTP3Request] (with
// :protocol in Proto, where quic-go's client takes it) and checked by
// [Request.VerifyHTTP3].
//
// Every validation failure is one of the typed errors of package
// github.com/wskit/wskit/handshake, for [errors.As], and matches one of its
// sentinels, for [errors.Is].
package client
