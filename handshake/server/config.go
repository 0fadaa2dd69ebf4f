package server

import (
	"errors"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// ErrConfig is matched, with [errors.Is], by the errors of a [Config]
// that cannot work, such as a malformed pattern given to [AllowOrigins]
// or CheckOrigin set together with OriginPatterns. [Config.Accept] answers
// such a configuration with 500 Internal Server Error.
var ErrConfig = errors.New("server: invalid Config")

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
	// host, under the default origin policy (CheckOrigin nil). A pattern
	// with "://", such as "http://localhost:*", is matched against the
	// Origin's scheme://host[:port]; a pattern without, such as
	// "*.example.com" or "example.com:8080", against its host[:port]
	// alone. Matching uses [path.Match] and ignores case; "*" allows
	// every origin. A malformed pattern matches nothing.
	OriginPatterns []string

	// CheckOrigin, if not nil, is the origin policy in place of the
	// default one (the request's own host, and OriginPatterns). It is
	// called for every request, HTTP/1.1 or Extended CONNECT, with the
	// value of its Origin field, "" if it has none, once the request is
	// otherwise valid and before any extension is negotiated. A non-nil
	// error refuses the handshake with 403 Forbidden, as a
	// [*handshake.OriginError] that wraps it. [AllowOrigins] makes one
	// that allows exactly the origins given. Setting both CheckOrigin
	// and OriginPatterns is an error ([ErrConfig], 500) on every
	// request: one would silently ignore the other.
	CheckOrigin func(origin string, r *http.Request) error

	// Limits bound the request's header.
	Limits handshake.Limits
}
