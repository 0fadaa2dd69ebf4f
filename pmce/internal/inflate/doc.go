// Package inflate decodes DEFLATE streams (RFC 1951) held whole in memory,
// for the permessage-deflate codec (package pmce): a message's payload is
// decoded in one call into a caller's buffer, with the peer's previous
// data as the dictionary under context takeover (RFC 7692).
//
// It reads exactly what github.com/klauspost/compress/flate reads, as pmce
// used it before: the same streams are accepted, decode to the same bytes,
// and fail at the same point with the same data handed on, so that a
// message over pmce's limit fails with ErrLimit (close code 1009) and a
// corrupt one with ErrCorrupt (1007) as before. FuzzInflate checks this
// against klauspost. Where klauspost reads RFC 1951 its own way, Decode
// follows it:
//
//   - HDIST above 30 (31 or 32 distance codes, which the RFC allows as
//     long as codes 30 and 31 never occur) fails, as in zlib;
//   - an incomplete Huffman code fails unless it is a single code of one
//     bit (for the code length code too, which zlib refuses) or no code at
//     all (which fails only when a symbol is decoded with it);
//   - length code 284 with extra bits 31 means 258, as in zlib;
//   - in a dynamic block that is not the last, klauspost wants 10 more
//     bits than its end-of-block code in the stream before each symbol, so
//     a truncated stream fails a few symbols before its end.
//
// Speed comes from the usual means: a 64-bit bit buffer refilled a word at
// a time, a primary table of 10 bits for literal/length codes and 8 for
// distances whose entries hold the symbol's kind, value and bit counts,
// subtables for longer codes, a loop without bounds on its end while src
// and dst have room for any symbol, and a careful path one symbol at a
// time near the ends.
package inflate
