package h3ws

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
)

// DrainTimeout bounds how long a Conn waits for the peer's FIN after the
// closing handshake before it stops reading the stream.
const DrainTimeout = time.Second

// Stream is the HTTP/3 request stream a WebSocket runs on: quic-go's
// *http3.Stream in a server, *http3.RequestStream in a client.
type Stream interface {
	io.ReadWriteCloser // Close ends the send direction with FIN
	CancelRead(quic.StreamErrorCode)
	CancelWrite(quic.StreamErrorCode)
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// Codes of the stream resets a Conn sends (RFC 9114 section 8.1).
const (
	codeNoError   = quic.StreamErrorCode(http3.ErrCodeNoError)
	codeCancelled = quic.StreamErrorCode(http3.ErrCodeRequestCanceled)
)

// ResetError is the cause in the 1006 *endpoint.CloseError a Conn returns
// when the stream ended without a close frame by a reset or the end of the
// QUIC connection, not by FIN.
type ResetError struct {
	Err error // quic-go's error: an *http3.Error, *quic.StreamError, *quic.ApplicationError, ...
}

// Error implements error.
func (e *ResetError) Error() string { return "h3ws: stream reset: " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *ResetError) Unwrap() error { return e.Err }

// Conn is a WebSocket on an HTTP/3 request stream.
type Conn struct {
	// Protocol is the agreed subprotocol, "" if none.
	Protocol string
	// Extensions are the agreed extensions.
	Extensions []handshake.Negotiated

	ep   *endpoint.Endpoint
	str  Stream
	io   *streamIO
	once sync.Once
}

// newConn builds the Endpoint on str.
func newConn(role frame.Role, str Stream, protocol string, exts []handshake.Negotiated, opts []endpoint.Option) *Conn {
	var all []endpoint.Option
	for _, n := range exts {
		if x, ok := n.(endpoint.Codec); ok {
			all = append(all, endpoint.Extensions(x))
		}
	}
	all = append(all, opts...)
	sio := &streamIO{Stream: str}
	return &Conn{
		Protocol:   protocol,
		Extensions: exts,
		ep:         endpoint.New(role, sio, sio, all...),
		str:        str,
		io:         sio,
	}
}

// Endpoint returns the Endpoint on the stream, for NextReader, NextWriter,
// Ping, SendClose and Heartbeat. Read through [Conn.NextMessage] or call
// [Conn.Ended] with the Endpoint's final error, so that the stream is
// closed as the package doc says.
func (c *Conn) Endpoint() *endpoint.Endpoint { return c.ep }

// Stream returns the request stream.
func (c *Conn) Stream() Stream { return c.str }

// NextMessage returns the next message, as [endpoint.Endpoint.NextMessage]
// does. When the connection ends it closes the stream (FIN, or a reset
// after the peer's reset) and returns the final error: a peer's reset is a
// 1006 *endpoint.CloseError wrapping a *ResetError.
func (c *Conn) NextMessage() (endpoint.Message, error) {
	m, err := c.ep.NextMessage()
	if err != nil {
		err = c.Ended(err)
	}
	return m, err
}

// WriteMessage sends a text or binary message.
func (c *Conn) WriteMessage(op frame.Opcode, data []byte) error {
	return c.ep.WriteMessage(op, data)
}

// Close performs the closing handshake with code and reason (see
// [endpoint.Endpoint.Close]), then closes the stream: FIN when the
// handshake completed, a reset with H3_REQUEST_CANCELLED when it did not.
func (c *Conn) Close(code frame.CloseCode, reason string) error {
	err := c.ep.Close(code, reason)
	var ce *endpoint.CloseError
	switch {
	case err == nil:
		c.finish()
	case errors.As(err, &ce) && ce.Code == frame.CloseAbnormal:
		err = c.withCause(ce)
		c.Abort()
	case errors.Is(err, endpoint.ErrCloseTimeout):
		c.Abort()
	default: // a violation: our close frame went out
		c.finish()
	}
	return err
}

// Abort resets both directions of the stream with H3_REQUEST_CANCELLED,
// the HTTP/3 form of a TCP RST: the peer sees an abnormal closure (1006).
func (c *Conn) Abort() {
	c.once.Do(func() {
		c.str.CancelWrite(codeCancelled)
		c.str.CancelRead(codeCancelled)
	})
}

// Ended takes an error from the Endpoint's read methods. If it is final
// (a *endpoint.CloseError or a *frame.Error), Ended closes the stream as
// the package doc says, and returns the error, with a *ResetError as the
// cause of a 1006 that a reset caused. Other errors pass unchanged.
func (c *Conn) Ended(err error) error {
	var ce *endpoint.CloseError
	var fe *frame.Error
	switch {
	case errors.As(err, &ce) && ce.Code == frame.CloseAbnormal:
		err = c.withCause(ce)
		c.Abort()
	case errors.As(err, &ce), errors.As(err, &fe):
		c.finish()
	}
	return err
}

// withCause returns ce with the stream's reset as its cause, if any.
func (c *Conn) withCause(ce *endpoint.CloseError) error {
	cause := c.io.cause()
	if cause == nil {
		return ce
	}
	out := *ce
	out.Err = &ResetError{Err: cause}
	return &out
}

// finish ends the send direction with FIN, then reads the peer's
// direction to its FIN for at most DrainTimeout.
func (c *Conn) finish() {
	c.once.Do(func() {
		c.str.Close()
		c.str.SetReadDeadline(time.Now().Add(DrainTimeout))
		io.Copy(io.Discard, io.LimitReader(c.str, 1<<20))
		c.str.CancelRead(codeNoError) // no-op once the FIN was read
	})
}

// streamIO is the Endpoint's reader and writer: it turns the end of the
// stream by a reset or a lost connection into io.ErrUnexpectedEOF, which
// the Endpoint reports as 1006, and keeps the cause.
type streamIO struct {
	Stream
	mu    sync.Mutex
	reset error
}

func (s *streamIO) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	if err == nil || err == io.EOF || isTimeout(err) {
		return n, err
	}
	s.mu.Lock()
	if s.reset == nil {
		s.reset = err
	}
	s.mu.Unlock()
	return n, io.ErrUnexpectedEOF
}

func (s *streamIO) cause() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reset
}

// isTimeout reports a passed deadline, which the Endpoint handles itself;
// a QUIC idle timeout ends the connection and is not one.
func isTimeout(err error) bool {
	var idle *quic.IdleTimeoutError
	if errors.As(err, &idle) {
		return false
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
