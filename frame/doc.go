// Package frame is the RFC 6455 wire format: opcodes, frame headers, one
// concrete type per opcode, close codes, masking and the table of protocol
// violations with the close code each one calls for.
//
// The package owns no connection. A [Header] is decoded from bytes
// ([ParseHeader]) or from any io.Reader ([ReadHeader]) and appended to a byte
// slice ([Header.AppendTo]) without allocating. The frame types — [Text],
// [Binary], [Continuation], [Close], [Ping] and [Pong] — satisfy the small
// [Frame] interface and check the rules of RFC 6455 when they are encoded:
// control frames carry at most 125 bytes and are never fragmented, and a
// [Close] carries only a code that may be sent on the wire and a UTF-8 reason.
//
// # Payload lifetime
//
// Frames decoded by a parser alias the parser's buffer: a frame's payload is
// valid until the next call that reads from the same parser. Copy it to keep it.
//
// # Illegal frames
//
// Tools that test other implementations need to send frames that break the
// rules. [Raw] writes exactly the header and payload it is given, and
// [Header.AppendTo] encodes any header, legal or not.
//
// # Masking
//
// [Mask] XORs a payload with a masking key in place, a machine word at a time.
// It takes and returns a running offset so a payload can be (un)masked in
// pieces as it streams. [NewMaskKey] draws keys from the runtime's ChaCha8
// generator, which is seeded from the operating system's entropy source, so
// keys are unpredictable as RFC 6455 §10.3 requires.
package frame
