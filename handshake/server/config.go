package server

import "github.com/wskit/wskit/handshake"

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

// Config describes what a server accepts. The zero value, and a nil
// *Config, accept a plain WebSocket from a client without Origin or with an
// Origin of the same host, with no subprotocol and no extension.
type Config struct {
	// Protocols are the subprotocols the server speaks, in its order of
	// preference. The server picks the first of them that the client
	// offered, whatever the client's order; if the client offered none
	// of them, the handshake goes on without a subprotocol and the
	// client decides whether to go on.
	Protocols []string

	// Extensions are the extensions the server supports. The client's
	// order of preference decides the order of the agreed extensions;
	// see [handshake.NegotiateExtensions].
	Extensions []handshake.Extension

	// OriginPatterns are the origins allowed besides the request's own
	// host. A pattern with "://", such as "http://localhost:*", is
	// matched against the Origin's scheme://host[:port]; a pattern
	// without, such as "*.example.com" or "example.com:8080", against
	// its host[:port] alone. Matching uses [path.Match] and ignores
	// case; "*" allows every origin. A malformed pattern matches
	// nothing.
	OriginPatterns []string

	// Limits bound the request's header.
	Limits handshake.Limits
}
