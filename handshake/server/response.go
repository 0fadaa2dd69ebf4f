package server

import (
	"io"
	"net/http"

	"github.com/valyala/bytebufferpool"

	"github.com/wskit/wskit/handshake"
)

// Result is an accepted handshake: what was agreed, and the response that
// completes it.
type Result struct {
	// Protocol is the chosen subprotocol, "" if none.
	Protocol string
	// Extensions are the agreed extensions, in the order of the
	// response, the order in which they apply to outgoing messages.
	Extensions []handshake.Negotiated
	// Key is the client's Sec-WebSocket-Key; "" for HTTP/2 and HTTP/3.
	Key string
	// HTTP2 reports a WebSocket over HTTP/2 (RFC 8441): the response is
	// 200 OK with no Upgrade, Connection or Sec-WebSocket-Accept field,
	// and the stream carries the frames.
	HTTP2 bool
	// HTTP3 reports a WebSocket over HTTP/3 (RFC 9220), answered as
	// HTTP/2 is; see [Result.ExtendedConnect].
	HTTP3 bool

	extensions []handshake.ExtensionOffer // the response's extension list
}

// StatusCode returns the status of the response: 101 Switching Protocols,
// or 200 OK for HTTP/2 and HTTP/3.
func (r *Result) StatusCode() int {
	if r.ExtendedConnect() {
		return http.StatusOK
	}
	return http.StatusSwitchingProtocols
}

// Header returns the header fields of the response: Upgrade, Connection
// and Sec-WebSocket-Accept (not for HTTP/2 and HTTP/3), and Sec-WebSocket-Protocol and
// Sec-WebSocket-Extensions if a subprotocol or extensions were agreed.
func (r *Result) Header() http.Header {
	h := make(http.Header, 5)
	if !r.ExtendedConnect() {
		h[hUpgrade] = []string{"websocket"}
		h[hConnection] = []string{"Upgrade"}
		h[hAccept] = []string{handshake.Accept(r.Key)}
	}
	if r.Protocol != "" {
		h[hProtocol] = []string{r.Protocol}
	}
	if len(r.extensions) > 0 {
		h[hExtensions] = []string{handshake.FormatExtensions(r.extensions)}
	}
	return h
}

// AppendResponse appends the HTTP/1.1 101 response, from the status line
// to the empty line that ends it, to dst and returns the extended slice.
// For an HTTP/2 result, which has no response text of its own, use
// [Result.WriteHeader].
func (r *Result) AppendResponse(dst []byte) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = handshake.AppendAccept(dst, r.Key)
	dst = append(dst, "\r\n"...)
	if r.Protocol != "" {
		dst = append(dst, "Sec-WebSocket-Protocol: "...)
		dst = append(dst, r.Protocol...)
		dst = append(dst, "\r\n"...)
	}
	if len(r.extensions) > 0 {
		dst = append(dst, "Sec-WebSocket-Extensions: "...)
		dst = handshake.AppendExtensions(dst, r.extensions)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// WriteTo writes the HTTP/1.1 101 response to w; see
// [Result.AppendResponse].
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	// A pooled buffer: a server answering many handshakes allocates
	// nothing for the response text in steady state.
	buf := bytebufferpool.Get()
	defer bytebufferpool.Put(buf)
	buf.B = r.AppendResponse(buf.B[:0])
	n, err := w.Write(buf.B)
	return int64(n), err
}

// WriteHeader sends the response through w: it adds [Result.Header] to
// w's header, writes the status and flushes it. With HTTP/1.1 the caller
// must then hijack the connection (net/http sends a 101 only as the
// handler's final status); with HTTP/2 the stream stays open for the
// frames until the handler returns.
func (r *Result) WriteHeader(w http.ResponseWriter) error {
	h := w.Header()
	for k, vv := range r.Header() {
		h[k] = vv
	}
	w.WriteHeader(r.StatusCode())
	return http.NewResponseController(w).Flush()
}
