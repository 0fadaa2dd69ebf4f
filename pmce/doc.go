// Package pmce is the permessage-deflate extension of RFC 7692: it
// negotiates compression in the opening handshake and compresses and
// decompresses whole messages, or messages as they stream.
//
// # Negotiation
//
// [New] builds an [*Extension] from a [Config]; it is a
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
//	var exts []endpoint.Extension
//	for _, n := range agreed {
//		if x, ok := n.(endpoint.Extension); ok {
//			exts = append(exts, x)
//		}
//	}
//	ep := endpoint.New(conn, role, endpoint.Extensions(exts...))
//
// # Window sizes
//
// Decompression works with any window a peer chose, 8 to 15 bits: the
// decompressor of compress/flate reads any distance up to 32 KiB, and under
// context takeover the codec keeps as much of the peer's recent data as
// the peer's window holds.
//
// Compression is another matter: compress/flate always compresses with a
// 32 KiB window, and a peer that asks for a smaller one (server_max_window_bits
// from a client, client_max_window_bits from a server) may not be able to
// decompress distances beyond its window. The codec honours a window of b
// bits below 15 soundly: it compresses each message on its own (no context
// takeover; a server says so in its response with
// server_no_context_takeover) and in blocks of at most 2^b bytes, each from
// a freshly reset compressor and ended by a sync flush. A distance cannot
// reach outside its block, so no distance is 2^b or more, whatever the
// length of the message. The price is compression ratio, which falls with
// the window as it does for any compressor, a few bytes of flush per
// block, and, for windows under 12 bits, the use of flate.BestSpeed, whose
// compressor resets at no cost while the higher levels clear 640 KiB of
// hash tables each time.
//
// # Messages
//
// [Codec.Compress] and [Codec.Decompress] work on whole messages and append
// to a caller's buffer. [Codec.NewWriter] and [Codec.NewReader] do the same
// for a message in pieces, for a message streamed in fragments.
// Decompression is bounded: a message that inflates beyond the limit fails
// with [ErrTooBig] (close code 1009) after at most limit+1 bytes of output,
// and data that is not DEFLATE fails with [ErrCorrupt] (close code 1007).
//
// Without context takeover the compressors come from a pool for the length
// of a message, by level, and decompressors always do, so an idle
// connection holds no compression state. With context takeover a
// connection keeps its compressor (compress/flate's writer is several
// hundred KiB, whatever the level) and up to 32 KiB of the peer's data.
package pmce
