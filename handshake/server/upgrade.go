package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/wskit/wskit/handshake/internal/seam"
	"github.com/wskit/wskit/internal/ctxconn"
)

// Upgraded is a WebSocket connection taken over from net/http by
// [Config.Upgrade].
type Upgraded struct {
	// Result is what the handshake agreed on.
	Result *Result

	// Conn is the hijacked connection of an HTTP/1.1 handshake, nil
	// for HTTP/2. Read frames from Reader rather than from Conn: Conn
	// has lost the bytes in Buffered.
	Conn net.Conn

	// Buffered holds the bytes the client sent behind its request that
	// net/http had already read from Conn; they are the first bytes of
	// the WebSocket stream.
	Buffered []byte

	// Reader yields the client's frames: Buffered then Conn for
	// HTTP/1.1, the request body for HTTP/2.
	Reader io.Reader

	// Writer takes the server's frames: Conn for HTTP/1.1, for HTTP/2
	// a writer that flushes every write onto the stream.
	Writer io.Writer

	closer io.Closer
}

// Close closes the connection, or for HTTP/2 the request body; the
// HTTP/2 stream ends when the handler returns. It first lets the agreed
// extensions give back what they hold for sending (a permessage-deflate
// compressor of the Leased class goes back to its pool).
func (u *Upgraded) Close() error {
	if u.Result != nil {
		seam.CloseSend(u.Result.Extensions)
	}
	if u.closer == nil {
		return nil
	}
	return u.closer.Close()
}

// Upgrade accepts the handshake of r as [Config.Accept] does and takes the
// connection over from net/http.
//
// For HTTP/1.1 it hijacks the connection, writes the 101 response on it
// and returns the connection with the bytes net/http had buffered past the
// request. For HTTP/2 (RFC 8441) and HTTP/3 (RFC 9220) it writes the 200 response and returns
// the stream; the handler must not return while the WebSocket is in use.
//
// If the handshake is refused, Upgrade answers through w with the
// [*Error]'s status and returns that error. If hijacking fails, it answers
// 500 Internal Server Error and returns the failure.
//
// Upgrade honours r.Context(). If it has ended once the request is
// accepted (the client went away, or a deadline the handler set passed),
// Upgrade answers 503 Service Unavailable, which the client may never
// read, and returns an error that matches the context's. On HTTP/1.1 its
// deadline and cancellation also bound the write of the 101 on the
// hijacked connection, whose deadline is clear again when Upgrade returns
// it. A handler bounds the handshake with a deadline of its own by passing
// r.WithContext(ctx).
func (c *Config) Upgrade(w http.ResponseWriter, r *http.Request) (*Upgraded, error) {
	res, err := c.Accept(r)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.ServeHTTP(w, r)
		}
		return nil, err
	}
	ctx := r.Context()
	if err := ctx.Err(); err != nil {
		http.Error(w, "503 Service Unavailable: the handshake ran out of time", http.StatusServiceUnavailable)
		return nil, fmt.Errorf("server: upgrade abandoned: %w", err)
	}
	rc := http.NewResponseController(w)
	if res.ExtendedConnect() {
		if err := res.WriteHeader(w); err != nil {
			return nil, fmt.Errorf("server: flushing HTTP/2 response: %w", err)
		}
		return &Upgraded{
			Result: res,
			Reader: r.Body,
			Writer: &flushWriter{w: w, rc: rc},
			closer: r.Body,
		}, nil
	}
	conn, brw, err := rc.Hijack()
	if err != nil {
		http.Error(w, "500 Internal Server Error: cannot take the connection over", http.StatusInternalServerError)
		return nil, fmt.Errorf("server: hijacking connection: %w", err)
	}
	var buffered []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		buffered = bytes.Clone(b)
	}
	done := ctxconn.Watch(ctx, conn)
	_, err = res.WriteTo(conn)
	if err = done(err); err != nil {
		conn.Close()
		return nil, fmt.Errorf("server: writing 101 response: %w", err)
	}
	reader := io.Reader(conn)
	if len(buffered) > 0 {
		reader = io.MultiReader(bytes.NewReader(buffered), conn)
	}
	return &Upgraded{
		Result:   res,
		Conn:     conn,
		Buffered: buffered,
		Reader:   reader,
		Writer:   conn,
		closer:   conn,
	}, nil
}

// flushWriter flushes every write to an HTTP/2 stream.
type flushWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.rc.Flush()
}
