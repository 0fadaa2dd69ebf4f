// Package parser reads WebSocket frames from a byte stream.
//
// A Parser works in two modes over one set of rules.
//
// Pull mode reads from any io.Reader — a net.Conn, a UNIX socket, a file, an
// in-memory buffer. Next returns the next whole frame with its payload
// unmasked; NextHeader and Read stream a frame's payload for frames too large
// to hold in memory. Peek shows the next frame's header and whether the
// frame has arrived whole, so a caller can choose between the two frame by
// frame; Complete answers the second question alone, without reading, for
// the hot path where most frames have arrived whole.
//
// Push mode serves callers that already hold the bytes — an event loop, a
// fuzzer. Feed takes whatever bytes arrived and calls back with every frame
// they complete, keeping a partial frame for the next call. It needs no
// io.Reader and no goroutine per connection.
//
// # Resuming
//
// When the reader fails in the middle of a frame — a read deadline passed,
// a non-blocking socket would block — Next returns the reader's error and
// keeps every byte it has read. The next call continues where it stopped, so
// a deadline-driven or non-blocking caller loses nothing.
//
// # Limits and errors
//
// A frame whose declared payload exceeds MaxPayload fails with
// frame.ErrFrameTooBig as soon as its header is read, before any buffer is
// sized for it; a large frame's buffer grows only as its bytes arrive. Every
// violation is one of frame's Err values and carries the close code to send
// (1002 protocol error, 1007 invalid data, 1009 too big). A violation is
// final: every later call returns it again. Reader errors are not.
//
// # Buffer ownership
//
// A frame returned by Next or passed to Feed's callback, and its payload,
// are valid until the next call on the Parser. Copy what must be kept.
package parser
