// Package hdr encodes and decodes the payload length of a WebSocket frame
// header, in its three forms, from and to plain values. frame.Header's
// AppendTo and ParseHeader are built on it, and so are the hot paths that
// have the parts at hand (the endpoint's writes, the parser's Complete),
// which would otherwise build or decode a whole frame.Header only to use one
// field. That costs more than the work: a Header holds an array, so it
// travels through memory, and copying one just built field by field stalls
// store forwarding.
package hdr

import "encoding/binary"

// Append appends a header whose first byte (FIN, RSV bits, opcode) is b0,
// with the shortest form of length, masked with key when masked is set.
func Append(dst []byte, b0 byte, length uint64, masked bool, key [4]byte) []byte {
	var m byte
	if masked {
		m = 0x80
	}
	switch {
	case length <= 125:
		dst = append(dst, b0, m|byte(length))
	case length <= 0xFFFF:
		dst = append(dst, b0, m|126, byte(length>>8), byte(length))
	default:
		dst = binary.BigEndian.AppendUint64(append(dst, b0, m|127), length)
	}
	if masked {
		dst = append(dst, key[:]...)
	}
	return dst
}

// Length decodes the payload length of the header at the start of b, in
// whichever of the three forms it has, and returns it with the header's
// size, mask key included. ok is false when b holds less than the whole
// header. Length checks nothing: a length not in its shortest form or with
// the top bit set is returned as it is.
func Length(b []byte) (length uint64, size int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	size = 2 + 4*int(b[1]>>7)
	switch l := b[1] & 0x7F; l {
	case 126:
		if size += 2; len(b) < size {
			return 0, 0, false
		}
		return uint64(binary.BigEndian.Uint16(b[2:])), size, true
	case 127:
		if size += 8; len(b) < size {
			return 0, 0, false
		}
		return binary.BigEndian.Uint64(b[2:]), size, true
	default:
		if len(b) < size {
			return 0, 0, false
		}
		return uint64(l), size, true
	}
}
