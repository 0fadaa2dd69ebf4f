// Package ctxconn maps a context.Context onto a connection's deadline for
// the length of one call: a handshake (handshake/client, handshake/server),
// or an Endpoint's read or write (NextMessageContext, WriteMessageContext).
package ctxconn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Deadliner is a connection whose blocked reads and writes a deadline can
// end, such as a [net.Conn].
type Deadliner interface {
	SetDeadline(t time.Time) error
}

// past is a deadline that has always passed; it ends blocked I/O at once.
var past = time.Unix(1, 0)

// Watch makes ctx bound the I/O on c until the returned done is called:
// c's deadline becomes ctx's deadline, and ctx's cancellation moves it to
// the past, which ends any blocked read or write. If c is not a Deadliner,
// ctx cannot end I/O already started and Watch only reports, through
// done, that ctx had ended. A ctx that can neither be cancelled nor
// expire leaves c alone.
//
// done must be called once. It clears the deadline Watch set and returns err, or, if err is not
// nil and ctx has ended (or its deadline has passed), an error that wraps
// ctx's error and err, so that callers can test for [context.Canceled]
// and [context.DeadlineExceeded].
func Watch(ctx context.Context, c any) (done func(err error) error) {
	var set func(time.Time) error
	if d, ok := c.(Deadliner); ok {
		set = d.SetDeadline
	}
	return WatchDeadline(ctx, set)
}

// WatchDeadline is Watch for one direction: set is the connection's
// SetReadDeadline or SetWriteDeadline, nil if it has none.
func WatchDeadline(ctx context.Context, set func(time.Time) error) (done func(err error) error) {
	deadline, hasDeadline := ctx.Deadline()
	if set == nil || ctx.Done() == nil && !hasDeadline {
		return func(err error) error { return ctxErr(ctx, deadline, hasDeadline, err) }
	}
	if hasDeadline {
		set(deadline)
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		set(past)
		close(interrupted)
	})
	return func(err error) error {
		if !stop() {
			<-interrupted // or it could move the deadline after it is cleared
		}
		set(time.Time{})
		return ctxErr(ctx, deadline, hasDeadline, err)
	}
}

func ctxErr(ctx context.Context, deadline time.Time, hasDeadline bool, err error) error {
	if err == nil {
		return nil
	}
	cerr := ctx.Err()
	if cerr == nil && hasDeadline && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(deadline) {
		// The connection's timer fired a moment before the context's.
		cerr = context.DeadlineExceeded
	}
	if cerr == nil {
		return err
	}
	return fmt.Errorf("%w: %w", cerr, err)
}
