package h3ws

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
)

// ErrNotHTTP3 is returned by Accept for a request that did not arrive
// over HTTP/3; use server.Config.Upgrade for HTTP/1.1 and HTTP/2.
var ErrNotHTTP3 = errors.New("h3ws: not an HTTP/3 request")

// Accept takes the WebSocket handshake of r, an RFC 9220 Extended CONNECT
// that quic-go's http3.Server handed to a handler (r.Method "CONNECT",
// r.Proto "websocket"), with cfg's checks and negotiation
// (server.Config.Accept). If the handshake is refused it answers through w
// with the status the refusal names (400, 403, 405, 426, 431 or 501) and
// returns the *server.Error. Otherwise it sends the 200 response, takes
// the stream over from quic-go (http3.HTTPStreamer) and returns a server
// Conn on it, with the agreed extensions and opts.
//
// The handler may return while the Conn is in use: quic-go leaves a
// stream that was taken over to its new owner. The Conn closes the stream
// when its connection ends (see the package doc).
func Accept(cfg *server.Config, w http.ResponseWriter, r *http.Request, opts ...endpoint.Option) (*Conn, error) {
	if r.ProtoMajor != 3 {
		http.Error(w, "h3ws: not HTTP/3", http.StatusHTTPVersionNotSupported)
		return nil, ErrNotHTTP3
	}
	res, err := cfg.Accept(r)
	if err != nil {
		var e *server.Error
		if errors.As(err, &e) {
			e.ServeHTTP(w, r)
		}
		return nil, err
	}
	streamer, ok := w.(http3.HTTPStreamer)
	if !ok {
		http.Error(w, "500 Internal Server Error: the stream cannot be taken over", http.StatusInternalServerError)
		return nil, fmt.Errorf("h3ws: %T is not an http3.HTTPStreamer", w)
	}
	h := w.Header()
	for k, vv := range res.Header() {
		h[k] = vv
	}
	w.WriteHeader(res.StatusCode())
	str, err := streamer.HTTPStream() // sends the 200's HEADERS frame
	if err != nil {
		return nil, fmt.Errorf("h3ws: taking the stream over: %w", err)
	}
	return newConn(frame.Server, str, res.Protocol, res.Extensions, opts), nil
}
