package endpoint

import (
	"context"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/ctxconn"
)

// NextMessageContext is NextMessage bounded by ctx: while it waits, ctx's
// deadline is the transport's read deadline and ctx's cancellation ends the
// read; the deadline is cleared when it returns. The error then wraps
// ctx.Err() (errors.Is(err, context.Canceled) or
// context.DeadlineExceeded). An interrupted read is not final: the next
// call resumes the message where it stopped. If the transport has no
// SetReadDeadline, ctx is only checked before the read starts.
func (e *Endpoint) NextMessageContext(ctx context.Context) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, err
	}
	var set func(time.Time) error
	if rd := e.tr.readDeadline(); rd != nil {
		set = rd.SetReadDeadline
	}
	done := ctxconn.WatchDeadline(ctx, set)
	m, err := e.NextMessage()
	return m, done(err)
}

// WriteMessageContext is WriteMessage bounded by ctx, as NextMessageContext
// bounds a read, on the transport's write deadline. A write interrupted in
// the middle of a frame is final, as every failed write is: the stream may
// hold part of the frame.
func (e *Endpoint) WriteMessageContext(ctx context.Context, op frame.Opcode, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var set func(time.Time) error
	if wd := e.tr.writeDeadline(); wd != nil {
		set = wd.SetWriteDeadline
	}
	done := ctxconn.WatchDeadline(ctx, set)
	return done(e.WriteMessage(op, data))
}
