// Package handshake holds the parts of the WebSocket opening handshake
// (RFC 6455 section 4) that the client and the server share: the key and
// its accept value, the token lists of the Upgrade and Connection header
// fields, the grammar of Sec-WebSocket-Protocol and Sec-WebSocket-Extensions,
// the interface through which extensions such as permessage-deflate
// (RFC 7692) take part in the negotiation, limits against oversized
// handshakes, and the typed errors that both sides report.
//
// The package parses no HTTP. Callers bring an [net/http.Header] parsed by
// net/http (or built by hand); [HeaderReader] bounds what
// [net/http.ReadRequest] and [net/http.ReadResponse] may consume when the
// caller reads the handshake from a raw connection.
//
// The side-specific work lives in the subpackages
// github.com/wskit/wskit/handshake/client, which builds the request and
// validates the response, and github.com/wskit/wskit/handshake/server, which
// validates the request and builds the response.
//
// # Errors
//
// Every failure is a typed error ([*StatusError], [*AcceptError],
// [*DuplicateHeaderError], [*MissingHeaderError], [*HeaderError],
// [*SubprotocolError], [*ExtensionError], [*VersionError], [*MethodError],
// [*ProtoError], [*OriginError], [*LimitError]) that can be inspected with
// [errors.As], and each matches a sentinel ([ErrBadStatus], [ErrBadAccept],
// ...) with [errors.Is].
package handshake
