// Package server validates the client's side of the WebSocket opening
// handshake (RFC 6455 section 4.2) and builds the server's response. It
// owns no connection and parses no HTTP: it checks an [*net/http.Request],
// from net/http's server, from [ReadRequest] over a raw connection, or
// built by hand, and hands the response over as header text or through an
// [net/http.ResponseWriter].
//
// [Config.Accept] validates and negotiates; [Config.Upgrade] does the same
// for a net/http handler and takes the connection over, returning with it
// the bytes net/http had already read past the request, so that no frame
// is lost.
//
// # Refusals
//
// A refused handshake is an [*Error] that carries the status to answer
// with and writes itself as a complete response ([Error.WriteTo] for a raw
// connection, [Error.ServeHTTP] for net/http):
//
//   - 400 Bad Request: a malformed request (HTTP/1.0, missing Host,
//     Upgrade, Connection or key, a bad key, duplicate fields, bad
//     Sec-WebSocket-Protocol or Sec-WebSocket-Extensions syntax);
//   - 403 Forbidden: an Origin that is not allowed;
//   - 405 Method Not Allowed, with Allow: GET (CONNECT for HTTP/2);
//   - 426 Upgrade Required, with Sec-WebSocket-Version: 13, for another
//     WebSocket version;
//   - 431 Request Header Fields Too Large: a header beyond the
//     [github.com/wskit/wskit/handshake.Limits].
//
// Its cause, reached by [errors.As] or [errors.Is], is one of the typed
// errors of package github.com/wskit/wskit/handshake.
//
// # Subprotocols
//
// The server picks the first subprotocol of its own [Config.Protocols]
// that the client offered: the server's preference wins. If none matches,
// the response names no subprotocol and the client decides whether to go
// on.
//
// # Origin
//
// By default an Origin header field must name the host and port of the
// request's Host field; a request without Origin, as non-browser clients
// send it, passes, because the check protects browsers' users against
// cross-site WebSocket hijacking and only browsers are bound to send a
// truthful Origin. [Config.OriginPatterns] allows more origins.
//
// [Config.CheckOrigin] replaces that default with a policy of the
// server's own: a function that sees every request's Origin ("" if none)
// and the request, and refuses with an error (403 Forbidden, the error
// wrapped in a handshake.OriginError). [AllowOrigins] makes one that
// allows exactly the origins given, the server's own host included only
// if listed.
//
// Comparing Origin with Host alone is weak against DNS rebinding: a page
// on attacker.example whose name the attacker then points at 127.0.0.1
// (or at a host of the victim's network) makes the victim's browser send
// "Host: attacker.example" and "Origin: http://attacker.example" to the
// local server, and the two match. A server reachable from a browser
// should therefore also check that r.Host is one of the names it serves,
// serve over TLS (a rebound name has no valid certificate), and
// authenticate the connection rather than trust where it comes from.
//
// # HTTP/2
//
// For WebSocket over HTTP/2 (RFC 8441) the request is an extended CONNECT
// with the pseudo-header :protocol, which Go's net/http server exposes as
// r.Header[":protocol"] (r.Method is CONNECT, r.ProtoMajor 2), and the
// response is 200 OK; the request body and the response body carry the
// frames. Go's server announces SETTINGS_ENABLE_CONNECT_PROTOCOL, and
// accepts :protocol at all, only when the process starts with
// GODEBUG=http2xconnect=1 in its environment (net/http reads the
// variable once, at init; it is not a registered setting, so go.mod's
// godebug lines and //go:debug directives cannot set it). To send the
// request, Go's client needs [github.com/wskit/wskit/handshake/client.HTTP2RoundTripper]. Without it HTTP/2 clients cannot open a
// WebSocket and fall back, as browsers do, to HTTP/1.1.
//
// # HTTP/3
//
// WebSocket over HTTP/3 (RFC 9220) is the same Extended CONNECT on an
// HTTP/3 request stream, and Accept checks it with the same code: a
// request with r.ProtoMajor 3 whose :protocol is in r.Header[":protocol"]
// or, as quic-go's http3 server delivers it, in r.Proto. A :protocol other
// than websocket gets 501, a missing :path or :authority 400. The module
// demo/h3 runs it with quic-go.
package server
