package endpoint

import (
	"errors"

	"github.com/wskit/wskit/frame"
)

// Errors an Endpoint returns that are not protocol violations.
var (
	// ErrClosed is returned by a send after the Endpoint sent its close
	// frame (by Close, by answering the peer's close, by failing the
	// connection or by Heartbeat), and by a message reader or writer the
	// closing handshake took over.
	ErrClosed = errors.New("endpoint: connection closed")
	// ErrCloseTimeout is returned by Close when the peer's close frame did
	// not arrive within the close timeout: the closing handshake did not
	// complete.
	ErrCloseTimeout = errors.New("endpoint: timed out waiting for the peer's close")
	// ErrNoPong is wrapped by the *CloseError Heartbeat returns when the
	// peer left too many pings unanswered.
	ErrNoPong = errors.New("endpoint: peer left pings unanswered")
	// ErrNotData is returned by Defragmenter.Add for a frame that is not a
	// text, binary or continuation frame.
	ErrNotData = errors.New("endpoint: not a data frame")
	// ErrOpcode is returned by WriteMessage and NextWriter for an opcode
	// other than frame.OpText and frame.OpBinary.
	ErrOpcode = errors.New("endpoint: messages are text or binary")
	// ErrPushMode is returned by NextMessage and NextReader on an Endpoint
	// made by NewPush, which delivers messages through Feed, and by Feed
	// and FeedEOF on an Endpoint made by New, which reads by itself.
	ErrPushMode = errors.New("endpoint: wrong mode: NewPush endpoints are fed, New endpoints read")
	// ErrConfig is wrapped by the error of an impossible option, such as
	// a negative FrameSize: an Endpoint made with one returns that error
	// from every read and every send, rather than run with a setting it
	// was not given.
	ErrConfig = errors.New("endpoint: impossible configuration")
	// ErrBackpressure is wrapped by the *CloseError that ends the read
	// side of an Endpoint made with CloseOnBackpressureLimit when a send
	// would take its queue past MaxBackpressure, and returned by that send.
	ErrBackpressure = errors.New("endpoint: send queue over its limit (the peer does not read)")
	// ErrWouldBlock is what a push Endpoint's writer returns, with the
	// count of bytes it took, when its socket takes no more for now; the
	// Endpoint keeps the rest in its send queue until Flush. (EAGAIN from
	// a non-blocking socket's write means the same.)
	ErrWouldBlock = errors.New("endpoint: the transport would block")
	// ErrDeadline is returned by the net.Conn adapter's deadline methods
	// when the transport has no such deadline.
	ErrDeadline = errors.New("endpoint: the transport does not support deadlines")
)

// CloseError reports the end of a connection by a close frame, or by the
// transport ending without one. NextMessage and NextReader return it when the
// peer's close arrives (Remote is true, Code and Reason are the peer's; a
// close frame without a code gives frame.CloseNoStatus), or when the stream
// ends without a close frame (Code is frame.CloseAbnormal and Err is
// io.EOF or io.ErrUnexpectedEOF). Heartbeat returns one with Remote false
// for the close it sent. Protocol violations are reported as *frame.Error
// instead.
type CloseError struct {
	Code   frame.CloseCode // the close code; CloseNoStatus for an empty close frame
	Reason string          // the close reason, UTF-8
	Remote bool            // the peer sent the close, or dropped the connection
	Err    error           // the cause when no close frame was involved, or a sentinel
}

// Error implements error.
func (e *CloseError) Error() string {
	who := "local"
	if e.Remote {
		who = "peer"
	}
	s := "endpoint: " + who + " closed: " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// CloseCode returns Code, so that frame.CloseCodeOf answers with it.
func (e *CloseError) CloseCode() frame.CloseCode { return e.Code }

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }
