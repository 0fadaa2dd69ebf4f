package server

import (
	"io"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/internal/seam"
	"github.com/wskit/wskit/parser"
)

// Endpoint returns the upgraded connection's Endpoint, ready to use: a
// server Endpoint that reads the client's frames from the first byte the
// handshake left unread (Buffered, then Conn; or the HTTP/2 or HTTP/3
// stream), writes to the connection, takes its deadlines from Conn, and
// applies the agreed extensions. opts come after those: limits, hooks,
// more parser options.
//
// The Endpoint owns the stream from then on: Endpoint clears Buffered and
// Reader, so that nothing else reads the client's bytes. The connection is
// still the caller's to close (Close), once the Endpoint is done. Endpoint
// fails with handshake.ErrExtensionUnusable if an agreed extension cannot
// code messages.
func (u *Upgraded) Endpoint(opts ...endpoint.Option) (*endpoint.Endpoint, error) {
	if err := seam.Check(u.Result.Extensions); err != nil {
		return nil, err
	}
	all := append(seam.Options(u.Result.Extensions), opts...)
	var r io.Reader = u.Reader
	if u.Conn != nil {
		// Read the connection itself, not through a MultiReader, so that
		// the Endpoint has its deadlines and a TCP connection's writev.
		r = u.Conn
		if len(u.Buffered) > 0 {
			all = append(all, endpoint.ParserOptions(parser.Leftover(u.Buffered)))
		}
	}
	u.Buffered, u.Reader = nil, nil
	return endpoint.New(frame.Server, r, u.Writer, all...), nil
}

// PushEndpoint returns a server Endpoint in push mode for the connection
// this Result answers, for event loops: it writes to w, applies the agreed
// extensions, and is fed the bytes that follow the request (see
// endpoint.NewPush). It fails with handshake.ErrExtensionUnusable if an
// agreed extension cannot code messages.
func (r *Result) PushEndpoint(w io.Writer, opts ...endpoint.Option) (*endpoint.Endpoint, error) {
	if err := seam.Check(r.Extensions); err != nil {
		return nil, err
	}
	return endpoint.NewPush(frame.Server, w, append(seam.Options(r.Extensions), opts...)...), nil
}
