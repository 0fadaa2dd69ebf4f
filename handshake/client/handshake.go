package client

import (
	"bufio"
	"context"
	"io"

	"github.com/wskit/wskit/internal/ctxconn"
)

// Handshake performs the opening handshake over rw, a connection the caller
// dialed: it writes the request, reads the response (bounded by the
// Config's Limits) and verifies it. It returns the agreed Result and the
// bytes the server sent behind its response, which are the first bytes of
// the WebSocket stream and must go to the parser (parser.Leftover) before
// anything read from rw later.
//
// ctx bounds the handshake. If rw has a SetDeadline method, as a
// [net.Conn] has, ctx's deadline is rw's deadline while Handshake runs and
// ctx's cancellation ends a blocked read or write; Handshake clears the
// deadline before it returns, whatever it had been. The error then matches
// [context.Canceled] or [context.DeadlineExceeded] with [errors.Is]. If rw
// has no SetDeadline, ctx is only checked before the handshake starts.
// Either way, after a failure rw is in an unknown state and should be
// closed.
//
// Handshake reads no further than it must, but it reads through a
// bufio.Reader, so the leftover may hold frames; it holds nothing else.
func (r *Request) Handshake(ctx context.Context, rw io.ReadWriter) (*Result, []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	done := ctxconn.Watch(ctx, rw)
	res, leftover, err := r.handshake(rw)
	if err = done(err); err != nil {
		return nil, nil, err
	}
	return res, leftover, nil
}

func (r *Request) handshake(rw io.ReadWriter) (*Result, []byte, error) {
	if _, err := r.WriteTo(rw); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(rw)
	resp, err := ReadResponse(br, nil, r.limits)
	if err != nil {
		return nil, nil, err
	}
	resp.Body.Close()
	res, err := r.Verify(resp)
	if err != nil {
		return nil, nil, err
	}
	var leftover []byte
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		leftover = append([]byte(nil), b...)
	}
	return res, leftover, nil
}
