// Package pmce is the permessage-deflate extension of RFC 7692: it
// negotiates compression in the opening handshake and compresses and
// decompresses whole messages, or messages as they stream.
//
// # Negotiation
//
// [New] builds an [*Negotiator] from a [Config]; it is a
// handshake.Extension, so the handshake packages offer it (client),
// answer offers of it (server) and check the answer (client). Every
// parameter is validated as RFC 7692 §7.1 says: an unknown, repeated or
// malformed parameter makes a server decline that offer and go on to the
// client's next one, and makes a client fail the handshake. A client also
// fails on a response that its offer did not allow, such as
// client_max_window_bits when it did not offer that parameter, or a window
// larger than it asked for.
//
// The agreement is a [*Codec], one per connection. It implements
// handshake.Negotiated (RSV returns frame.Rsv1) and the whole-message
// interface of the endpoint package (EncodeMessage and DecodeMessage), so
// it plugs into an Endpoint as it is:
//
//	agreed, _ := handshake.AcceptExtensions(offered, resp) // or NegotiateExtensions
//	var exts []endpoint.Codec
//	for _, n := range agreed {
//		if x, ok := n.(endpoint.Codec); ok {
//			exts = append(exts, x)
//		}
//	}
//	ep := endpoint.New(conn, role, endpoint.Extensions(exts...))
//
// # Memory classes
//
// Config.Send and Config.Receive choose, per direction, what a connection
// keeps between messages (see [Class]; docs/pmce.md has each one's cost,
// measured):
//
//   - Send [Leased](b) (the default is b = 15): context takeover with a
//     compressor taken from a pool when the connection starts sending and
//     given back once it has been idle for Config.LeaseIdle (a second by
//     default), so a stream of messages is compressed as Dedicated does and
//     an idle connection holds no compressor. The first message after a
//     pause refers to nothing before it, which RFC 7692 allows.
//   - Send [Shared]: no context takeover; a compressor comes from a pool
//     for one message and goes back, so an idle connection holds none. The
//     negotiation says so (server_no_context_takeover from a server,
//     client_no_context_takeover from a client).
//   - Send [Dedicated](b): context takeover with a compressor of the
//     connection's own (about 0.8 MiB for b = 15, 1.1 MiB below), whose
//     distances stay within 2^b bytes, kept as long as the connection.
//   - Send [SlidingWindow](b): context takeover keeping only the last 2^b
//     bytes sent; each message takes a pooled compressor and primes it with
//     them.
//   - Receive [Shared]: the peer is asked not to use context takeover, and
//     nothing of its data is kept.
//   - Receive [Dedicated](b) (the default is b = 15): up to 2^b bytes of
//     the peer's latest data are kept, allocated when its first compressed
//     message arrives, if the peer uses context takeover; the peer is asked
//     to keep its window to b bits (or, where it cannot be asked, not to use
//     context takeover). Decompressors themselves always come from a pool.
//
// Compression uses github.com/klauspost/compress/flate, which docs/pmce.md
// shows faster than compress/flate; its windowed compressor keeps every
// distance below a window under 15 bits, so a peer's
// server_max_window_bits or client_max_window_bits is honoured with or
// without context takeover. Whole messages of up to 64 KiB are inflated by
// the package's own decoder (pmce/internal/inflate), about twice as fast
// as klauspost's and checked against it by a differential fuzz target;
// larger and streamed messages by klauspost's.
//
// # Messages
//
// [Codec.Compress] and [Codec.Decompress] work on whole messages and append
// to a caller's buffer. [Codec.NewWriter] and [Codec.NewReader] do the same
// for a message in pieces, for a message streamed in fragments: the Writer
// is an io.WriteCloser that writes the compressed payload into a sink as it
// goes, the Reader inflates what its source yields. Neither allocates per
// message once warm. Decompression is bounded: a message that inflates
// beyond the limit fails with [ErrTooBig] (close code 1009) after exactly
// limit bytes of output, whatever the size of its compressed payload, and
// data that is not DEFLATE fails with [ErrCorrupt] (close code 1007).
// [Codec.NewInflater] is the Reader for push mode: it is fed the payload
// as it arrives and never waits for the rest.
//
// Messages shorter than Config.Threshold (DefaultThreshold, 256 bytes,
// unless set) are sent as they are, and so is, without context takeover, a
// message that compression would not make shorter.
//
// # Broadcast
//
// A message sent to many connections (endpoint.PreparedMessage, and so a
// topics.Hub) is compressed once for every connection of the same level,
// window and threshold, whatever their Send class: [Codec.EncodeShared]
// compresses it without referring to anything sent before, and
// [Codec.SentShared] keeps each connection's own context in step with its
// peer's afterwards.
package pmce
