// Package endpoint is the message level of a WebSocket connection (RFC 6455):
// it turns a frame parser and an io.Writer into a connection that exchanges
// whole messages and follows the protocol on its own — answering pings and
// close frames, failing the connection with the right close code, checking
// UTF-8 — in the manner of Perl's Net::WebSocket::Endpoint.
//
// An Endpoint owns no socket and parses no HTTP. The caller performs the
// opening handshake, then hands over a reader and a writer: a net.Conn, a
// UNIX socket, a pipe, a file, an HTTP/2 stream. Bytes read past the
// handshake go to the parser with parser.Leftover (via ParserOptions), or
// build the parser yourself and use NewWithParser.
//
// # The receive loop
//
// A single goroutine reads:
//
//	for {
//		m, err := ep.NextMessage()
//		if err != nil {
//			// *endpoint.CloseError: the peer closed (or vanished);
//			// *frame.Error: a violation failed the connection.
//			break
//		}
//		handle(m.Type, m.Data)
//	}
//	conn.Close()
//
// NextMessage returns whole text and binary messages, reassembled from their
// fragments by a Defragmenter (which is usable on its own). NextReader
// returns a reader per message instead, so a message of any size streams
// through without being held.
//
// Both check text for UTF-8 as it arrives and fail the connection (1007) at
// the first invalid byte, even in the middle of a frame whose rest has not
// arrived: NextMessage takes a frame that has arrived whole from the
// parser's buffer without copying it, and reads a text frame still arriving
// into the message's buffer piece by piece, checking each piece.
//
// # Automatic replies
//
// While it reads, the Endpoint handles control frames itself, including
// those that arrive between the fragments of a message:
//
//   - A ping is answered with a pong carrying the same payload, at once and
//     in order. Pings read back to back — no other frame between them, more
//     bytes buffered after each — form a run, which ends at the first other
//     frame or when the Endpoint has read all that is buffered. The first
//     PingBurst pings of a run (DefaultPingBurst, 64) are answered each;
//     past that only the latest of the run is answered, when the run ends
//     (RFC 6455 §5.5.3 allows it). A flood of pings thus costs no memory
//     and at most PingBurst+1 pongs per run, while pings that arrive one at
//     a time, or a handful together, are all answered.
//   - A pong is recorded for Heartbeat; an unsolicited or repeated pong is
//     harmless.
//   - A close frame is answered with a close frame echoing its code (an
//     empty close with an empty close), unless this side sent its close
//     first; the read methods then return a *CloseError with the peer's code
//     and reason.
//
// # Push mode: an Endpoint fed by an event loop
//
// NewPush makes the same Endpoint for callers that hold the bytes and cannot
// block in a read: an event loop, an HTTP/2 or HTTP/3 stack handing over
// stream data in callbacks, a fuzzer. The caller hands Feed what it
// received, cut anywhere, with a callback that gets each message it
// completes (Message.Data is valid until the callback returns); see
// ExampleNewPush. FeedStream delivers each message in pieces as its bytes
// arrive instead, as NextReader streams. Feed runs NextMessage's own code until the bytes are used up, so every
// rule above and below holds alike: automatic replies, limits, fail-fast
// UTF-8 (across Feed calls), extensions, typed errors. What the protocol
// sends goes to the writer given to NewPush; an Outbox keeps what a
// non-blocking transport did not take. FeedEOF reports the end of the
// peer's stream. Close sends the close frame and returns at once; the
// peer's close arrives through Feed, or the close timeout ends the read
// side (Err, Done). Between messages a push Endpoint holds no parser and
// no buffer. See docs/guides/event-loop.md and demo/epoll.
//
// # Hooks
//
// OnPing, OnPong and OnClose observe the control frames the Endpoint
// answers by itself, in both modes, on the reading goroutine; OnPong gets
// the round-trip time of the Heartbeat ping a pong answers.
// ReplyCloseManually leaves the answer to the peer's close to the
// application, with the close timeout as a backstop.
//
// # Sending and concurrency
//
// One goroutine reads; any number may send at the same time, and alongside
// the reader. WriteMessage sends a message as one frame (a server on a TCP
// or UNIX connection writes it as one writev, without copying the
// payload); NextWriter sends a message as fragments as it is written
// (through a streamer.Streamer); Ping and Close send control frames. Each
// frame is written under a frame lock, so an automatic pong or a close never
// lands inside another frame's bytes; a message sent by NextWriter also holds
// a message lock until its writer is closed, so the fragments of two
// messages never interleave, while control frames may go out between them
// as RFC 6455 §5.4 allows. A client masks every frame with a fresh key from
// frame.NewMaskKey; a server masks none.
//
// # Buffer lifetimes
//
// Message.Data, and the reader NextReader returns, are valid until the next
// call to NextMessage or NextReader: the Endpoint reuses its buffers, so a
// steady stream of messages allocates nothing. A message that arrives in one
// frame is returned straight from the parser's buffer without a copy. Copy
// what must outlive the next call. Buffers grown for a large message go back
// to a pool when the next message starts.
//
// # The closing handshake
//
// Close sends a close frame and waits, at most CloseTimeout, for the peer's
// close, whether or not another goroutine is reading at the time: if one is,
// it sees the close; if none is, Close reads (and discards) frames itself.
// It returns nil when the handshake completed and an error saying why it did
// not otherwise. When the timeout passes, Close sets the transport's read and
// write deadlines in the past if it has them, so that nothing stays blocked.
// After Close returns, the caller closes the transport.
//
// SendClose only sends the close frame, and returns: a half-close. The
// reading goroutine goes on receiving the data messages the peer sent before
// it saw the close — none is discarded — until the peer's close arrives and
// the read methods return its *CloseError. The caller bounds that wait
// itself (a timer, a deadline), then closes the transport. A client that
// has sent its last message and wants the replies uses SendClose; Close
// suits a side that wants the connection over, whatever still arrives.
//
// Once a close frame was sent — by Close or SendClose, by the answer to the
// peer's close, by a failure or by Heartbeat — every send fails with
// ErrClosed.
//
// # Errors and close codes
//
// Every way a connection ends has a typed error:
//
//   - The peer's close: *CloseError with Remote true and the peer's Code and
//     Reason (frame.CloseNoStatus for an empty close frame).
//   - The stream ended without a close frame: *CloseError with Code
//     frame.CloseAbnormal (1006), Remote true, wrapping io.EOF or
//     io.ErrUnexpectedEOF.
//   - A violation by the peer: the *frame.Error from the frame package's
//     table (frame.ErrInvalidUTF8, frame.ErrMessageTooBig, ...). Before
//     returning it the Endpoint sends a close frame with its code —
//     frame.CloseCodeOf(err): 1002 for protocol errors, 1007 for invalid
//     UTF-8 or close reasons, 1009 for a message over MaxMessage, 1008 for
//     too many fragments — and the read side is done.
//   - An extension's error that is not a *frame.Error: sent as 1011.
//   - Heartbeat's verdict on a silent peer: *CloseError with Code 1008,
//     Remote false, wrapping ErrNoPong.
//
// These are final: the read methods return the same error from then on.
// Other reader errors, such as a passed read deadline, are returned as they
// are and the next call resumes (unless a close frame was sent, or the error
// struck inside a control frame, which makes them final too). A write error
// is final for sending, since the stream may hold part of a frame. No input
// makes the Endpoint panic.
//
// # Limits
//
// MaxMessage (DefaultMaxMessage, 32 MiB) bounds a message after decoding
// and, through the parser, each frame from its header alone. MaxFragments
// (DefaultMaxFragments, 131,072) bounds the frames of one message: memory is
// MaxMessage's business, this limit stops floods of tiny or empty fragments,
// whose cost is per frame. Control frames are at most 125 bytes and pings
// are answered as they are read (at most PingBurst+1 pongs per run), so
// their memory is fixed.
//
// # Extensions
//
// A per-message extension negotiated in the handshake (permessage-deflate,
// RFC 7692) plugs in as an Codec: the Endpoint allows its RSV bits on
// the first frame of a message, has it decode whole messages that carry them
// and encode the messages it sends.
package endpoint
