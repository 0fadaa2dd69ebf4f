package frame

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// Mask XORs b in place with key, as RFC 6455 §5.3 masks and unmasks a
// payload. pos is the offset of b[0] within the payload, so a payload can be
// processed in pieces; Mask returns the offset for the piece that follows.
// It works a vector register at a time where the CPU has AVX2 and eight
// bytes at a time elsewhere.
func Mask(b []byte, key [4]byte, pos int) int {
	next := (pos + len(b)) & 3
	k32 := binary.LittleEndian.Uint32(key[:])
	// Rotate the key so that it starts at pos: little-endian byte i of the
	// word is key[(pos+i)%4].
	k32 = bits.RotateLeft32(k32, -8*(pos&3))
	k64 := uint64(k32) | uint64(k32)<<32
	if useAsm && len(b) >= asmMin {
		// The vector path takes whole 32-byte blocks, a multiple of the
		// key's period, so the key's phase is unchanged for the rest.
		n := len(b) &^ 31
		maskAsm(&b[0], n, k64)
		b = b[n:]
	}
	maskGeneric(b, k64)
	return next
}

// maskGeneric XORs b with the key repeated in k64, eight bytes at a time.
func maskGeneric(b []byte, k64 uint64) {
	for len(b) >= 64 {
		_ = b[63]
		binary.LittleEndian.PutUint64(b[0:], binary.LittleEndian.Uint64(b[0:])^k64)
		binary.LittleEndian.PutUint64(b[8:], binary.LittleEndian.Uint64(b[8:])^k64)
		binary.LittleEndian.PutUint64(b[16:], binary.LittleEndian.Uint64(b[16:])^k64)
		binary.LittleEndian.PutUint64(b[24:], binary.LittleEndian.Uint64(b[24:])^k64)
		binary.LittleEndian.PutUint64(b[32:], binary.LittleEndian.Uint64(b[32:])^k64)
		binary.LittleEndian.PutUint64(b[40:], binary.LittleEndian.Uint64(b[40:])^k64)
		binary.LittleEndian.PutUint64(b[48:], binary.LittleEndian.Uint64(b[48:])^k64)
		binary.LittleEndian.PutUint64(b[56:], binary.LittleEndian.Uint64(b[56:])^k64)
		b = b[64:]
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= byte(k64 >> (8 * i))
	}
}

// MaskCopy writes src, masked with key, to dst and returns the offset for
// the piece that follows, as Mask does in place. It copies min(len(dst),
// len(src)) bytes in one pass, so a sender masks while it copies a payload
// into its frame buffer instead of copying and then masking. dst and src must
// not overlap unless they are the same slice.
func MaskCopy(dst, src []byte, key [4]byte, pos int) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	if !useAsm || n < asmMin {
		// Short payloads: memmove and the unrolled in-place loop beat a
		// fused eight-byte loop.
		copy(dst, src)
		return Mask(dst, key, pos)
	}
	next := (pos + n) & 3
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	k64 := uint64(k32) | uint64(k32)<<32
	m := n &^ 31
	maskCopyAsm(&dst[0], &src[0], m, k64)
	dst, src = dst[m:], src[m:]
	for len(src) >= 8 {
		binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src)^k64)
		dst, src = dst[8:], src[8:]
	}
	for i := range src {
		dst[i] = src[i] ^ byte(k64>>(8*i))
	}
	return next
}

// NewMaskKey returns a fresh masking key. Keys come from the runtime's
// ChaCha8 generator, which is seeded from the operating system's entropy and
// safe for concurrent use: unpredictable, as RFC 6455 §10.3 requires, and
// fast enough to draw one per frame.
func NewMaskKey() [4]byte {
	var k [4]byte
	binary.LittleEndian.PutUint32(k[:], rand.Uint32())
	return k
}
