package endpoint

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// Endpoint is one side of a WebSocket connection at the level of messages.
// It reads frames with a parser.Parser, answers control frames as RFC 6455
// requires, reassembles messages, and writes frames to an io.Writer. It owns
// neither: the caller closes the transport (see Close).
//
// An Endpoint is driven in one of two ways over one protocol core. Made by
// New, it reads from an io.Reader: one goroutine at a time calls
// NextMessage or NextReader, which block until a message arrives. Made by
// NewPush, it reads nothing itself: the caller hands it the bytes it
// received with Feed, as an event loop does, and gets the messages they
// complete through a callback. Either way any number of goroutines may send
// concurrently with the reader and with each other.
type Endpoint struct {
	role frame.Role
	cfg  config    // set by New, read-only afterwards
	tr   transport // set by New, read-only afterwards

	// The read side belongs to the goroutine holding readMu: the caller
	// of NextMessage, NextReader or the reader it returned, Close's drain,
	// or, in push mode, the caller of Feed.
	readMu sync.Mutex
	in     inbound

	// How the read side ended. ended is set once it has, so that the hot
	// path checks it without taking endMu.
	endMu sync.Mutex
	end   ending // guarded by endMu
	ended atomic.Bool

	// Close waits for the read lock: closers counts the waiting calls,
	// and unlockRead wakes them through wake (made by the first Close).
	closers atomic.Int32
	wake    atomic.Pointer[chan struct{}]

	// The write side. msgMu is held for a whole message, so that the
	// fragments of two messages never interleave; frameMu for one frame.
	msgMu     sync.Mutex
	writer    *messageWriter // NextWriter's, made on first use; guarded by msgMu
	enc       *[2][]byte     // the extensions' output, made on first use; guarded by msgMu
	frameMu   sync.Mutex
	out       outbound // guarded by frameMu
	closeSent atomic.Bool
	sendq     atomic.Pointer[sendQueue] // made on first use; see queue.go

	hb   heartbeat // any goroutine: atomics only
	push *pushMode // nil for an Endpoint made by New; owned by the caller of Feed
}

// transport is what the Endpoint knows of the caller's connection.
type transport struct {
	w      io.Writer
	r      any        // the reader given to New, for deadlines and addresses
	writev bool       // w is a TCP or UNIX connection: net.Buffers become one writev
	raw    *rawWriter // w's non-blocking writes, made by the first Send that needs them
}

// readDeadline returns the transport's read deadline setter, if it has one.
func (t *transport) readDeadline() interface{ SetReadDeadline(time.Time) error } {
	for _, x := range []any{t.r, t.w} {
		if d, ok := x.(interface{ SetReadDeadline(time.Time) error }); ok {
			return d
		}
	}
	return nil
}

// writeDeadline returns the transport's write deadline setter, if it has one.
func (t *transport) writeDeadline() interface{ SetWriteDeadline(time.Time) error } {
	if d, ok := t.w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		return d
	}
	return nil
}

// inbound is the read side's state; see Endpoint.readMu for its owner.
type inbound struct {
	p      *parser.Parser // in push mode, nil while the connection is idle
	defrag Defragmenter
	msg    messageReader   // NextReader's message, or a text frame NextMessage reads as it arrives
	ctl    *pendingControl // a control frame streamed by NextHeader, interrupted; made on first use
	pings  pingRun
}

// ending is how the read side ended; see Endpoint.endMu.
type ending struct {
	err        error         // the read side's final error
	peerClosed bool          // it ended with the peer's close frame
	done       chan struct{} // closed when it ends; made on demand
}

// New returns an Endpoint for the given role that reads frames from r and
// writes them to w. A client masks every frame it sends and requires that the
// frames it receives are unmasked; a server the reverse. r and w are usually
// the same connection — a net.Conn, a UNIX socket, an HTTP/2 stream — but
// need not be.
//
// New builds the parser with parser.Role(role), parser.MaxPayload(MaxMessage)
// and parser.AllowRsv for the bits the extensions claim; ParserOptions adds
// others, such as parser.Leftover for bytes read past the opening handshake.
func New(role frame.Role, r io.Reader, w io.Writer, opts ...Option) *Endpoint {
	b := build(opts)
	e := newEndpoint(role, nil, w, b)
	// The options are spent once the parser is built: keeping them would
	// keep what they captured, such as parser.Leftover's slice, usually a
	// view into the caller's handshake bufio.Reader.
	// A reader it blocks on waits without holding a read buffer (push
	// mode has no such wait: its parser is pooled instead).
	e.in.p = parser.New(r, append(b.parserOptions(role), parser.ReleaseIdle())...)
	if r != nil {
		e.tr.r = r
	}
	return e
}

// NewWithParser returns an Endpoint that reads frames from p, configured by
// the caller (the role, limits and RSV bits are p's business then), and
// writes them to w. Read deadlines, when Close needs them, are taken from w.
func NewWithParser(role frame.Role, p *parser.Parser, w io.Writer, opts ...Option) *Endpoint {
	return newEndpoint(role, p, w, build(opts))
}

func newEndpoint(role frame.Role, p *parser.Parser, w io.Writer, b builder) *Endpoint {
	e := &Endpoint{role: role, cfg: b.config}
	e.tr = transport{w: w, r: w}
	switch w.(type) {
	case *net.TCPConn, *net.UnixConn:
		e.tr.writev = true
	}
	e.in.p = p
	e.in.defrag = Defragmenter{MaxMessage: b.maxMessage, MaxFragments: b.maxFragments, Extensions: b.exts}
	e.in.msg.e = e
	if b.err != nil {
		e.out.err = b.err
		e.finishRead(b.err)
	}
	if role == frame.Client && e.cfg.keys == nil {
		e.cfg.keys = frame.NewMaskKey
	}
	if role != frame.Client {
		e.cfg.keys = nil
	}
	if e.cfg.idleTimeout > 0 && b.err == nil {
		e.watchIdle()
	}
	return e
}

// exts returns the negotiated extensions, fixed at New.
func (e *Endpoint) exts() []Codec { return e.in.defrag.Extensions }

// rawLimit is the largest payload a message may have on the wire: with
// extensions, a little more than the decoded limit, as compression can
// expand incompressible data slightly.
func rawLimit(max int64, exts bool) int64 {
	if exts && max < 1<<46 {
		return max + max/64 + 1024
	}
	return max
}

// Err returns the read side's final error once it has ended — the
// *CloseError of the peer's close, the violation that failed the
// connection, ErrCloseTimeout — and nil while it goes on.
func (e *Endpoint) Err() error {
	if !e.ended.Load() {
		return nil
	}
	e.endMu.Lock()
	defer e.endMu.Unlock()
	return e.end.err
}

// Done returns a channel that is closed when the read side ends; Err then
// says how.
func (e *Endpoint) Done() <-chan struct{} {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	if e.end.done == nil {
		e.end.done = make(chan struct{})
		if e.end.err != nil {
			close(e.end.done)
		}
	}
	return e.end.done
}

// finishRead ends the read side with err (the first such error stays) and
// returns the final error.
func (e *Endpoint) finishRead(err error) error {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	if e.end.err == nil {
		e.end.err = err
		e.ended.Store(true)
		if e.end.done != nil {
			close(e.end.done)
		}
	}
	return e.end.err
}

func (e *Endpoint) lockRead() { e.readMu.Lock() }

func (e *Endpoint) unlockRead() {
	e.readMu.Unlock()
	if e.closers.Load() > 0 {
		if w := e.wake.Load(); w != nil {
			select {
			case *w <- struct{}{}:
			default: // a wake-up is pending already
			}
		}
	}
}
