package client

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// Config describes what a client asks for in the handshake. The zero
// value, and a nil *Config, ask for a plain WebSocket with no Origin, no
// subprotocol and no extension.
type Config struct {
	// Origin, if not empty, is sent as the Origin header field, such as
	// "https://example.com". Browsers always send one; other clients
	// usually do not.
	Origin string

	// Protocols are the subprotocols offered, in order of preference.
	Protocols []string

	// Extensions are the extensions offered, in order of preference.
	// To offer one extension several times, such as permessage-deflate
	// with smaller windows first and a plain offer as a fallback, list
	// one value per offer. The server accepts at most one of them; the
	// response is checked against each in turn and the first that
	// accepts it gives the agreed parameters (see
	// [handshake.AcceptExtensions]).
	Extensions []handshake.Extension

	// Header holds extra header fields, such as Authorization or
	// Cookie. It must not set a field that the handshake itself sets:
	// Host, Upgrade, Connection, Origin, Content-Length,
	// Transfer-Encoding, or any Sec-WebSocket-* field.
	Header http.Header

	// Limits bound the response that ReadResponse reads and that
	// Verify accepts.
	Limits handshake.Limits

	// Rand, if not nil, is the source of the key's 16 random bytes
	// instead of crypto/rand; for tests.
	Rand io.Reader

	// NetDial, if not nil, opens the connection Dial performs the
	// handshake over, to the URL's host and port (80 for ws, 443 for
	// wss, unless the URL says otherwise), in place of a net.Dialer:
	// a proxy, a UNIX socket, an in-memory pipe. For wss, Dial runs TLS
	// over what it returns.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLSConfig is the TLS configuration of a wss connection; nil means
	// the defaults, with the server name taken from the URL.
	TLSConfig *tls.Config
}
