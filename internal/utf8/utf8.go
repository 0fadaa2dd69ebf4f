// Package utf8 validates UTF-8 that arrives in pieces.
//
// A Validator keeps the state of a code point cut at the end of one piece, so
// a text message can be checked fragment by fragment as it is received: a
// code point split across two fragments is valid, and the first byte that no
// valid continuation could follow is reported at once, before the rest of
// the message arrives (fail-fast, as RFC 6455 §8.1 allows).
//
// The rules are those of unicode/utf8.Valid: no overlong forms, no surrogates
// (U+D800–U+DFFF), nothing above U+10FFFF.
//
// On amd64 with AVX2 (and without the purego build tag), inputs of 64 bytes
// and more are checked 32 bytes at a time with the lookup algorithm of
// Keiser and Lemire (see utf8_amd64.s); elsewhere, and for the rest, a byte
// loop with an 8-byte ASCII shortcut.
package utf8

import "encoding/binary"

// Validator checks a stream of bytes for valid UTF-8. The zero Validator is
// ready to use; Reset makes it ready for another stream.
type Validator struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // the range the next continuation byte must be in
	bad    bool
}

// The accepted range of a lead byte's second byte, as in unicode/utf8.
const (
	xx = 0xF0 // invalid lead byte
	as = 0x00 // ASCII

	s1 = 0x02 // 2 bytes, 80..BF
	s2 = 0x13 // 3 bytes, A0..BF (E0)
	s3 = 0x03 // 3 bytes, 80..BF
	s4 = 0x23 // 3 bytes, 80..9F (ED)
	s5 = 0x34 // 4 bytes, 90..BF (F0)
	s6 = 0x04 // 4 bytes, 80..BF (F1..F3)
	s7 = 0x44 // 4 bytes, 80..8F (F4)
)

// first holds, for each lead byte, the sequence's length in the low nibble
// and the index of the second byte's range in the high nibble.
var first = [256]uint8{
	//   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x00-0x0F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x10-0x1F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x20-0x2F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x30-0x3F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x40-0x4F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x50-0x5F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x60-0x6F
	as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, as, // 0x70-0x7F
	xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, // 0x80-0x8F
	xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, // 0x90-0x9F
	xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, // 0xA0-0xAF
	xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, // 0xB0-0xBF
	xx, xx, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, // 0xC0-0xCF
	s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, // 0xD0-0xDF
	s2, s3, s3, s3, s3, s3, s3, s3, s3, s3, s3, s3, s3, s4, s3, s3, // 0xE0-0xEF
	s5, s6, s6, s6, s7, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, xx, // 0xF0-0xFF
}

type acceptRange struct{ lo, hi byte }

var ranges = [5]acceptRange{
	0: {0x80, 0xBF},
	1: {0xA0, 0xBF},
	2: {0x80, 0x9F},
	3: {0x90, 0xBF},
	4: {0x80, 0x8F},
}

const ascii8 = 0x8080808080808080

// Write feeds p to the validator. It returns false as soon as p holds a byte
// that cannot be part of valid UTF-8 given what came before; once it has
// returned false it always does, until Reset. A code point that p leaves
// unfinished is not an error: the next call completes it (see Complete).
func (v *Validator) Write(p []byte) bool { return v.write(p, useAsm) }

// write is Write with the vector path on or off.
func (v *Validator) write(p []byte, asm bool) bool {
	if v.bad {
		return false
	}
	i, n := 0, len(p)
	// Finish a code point the previous piece cut.
	for v.need > 0 {
		if i == n {
			return true
		}
		if c := p[i]; c < v.lo || c > v.hi {
			v.bad = true
			return false
		}
		v.lo, v.hi = 0x80, 0xBF
		v.need--
		i++
	}
	if asm && n-i >= asmMin {
		// p[i] starts a code point. The vector path checks the whole
		// 32-byte blocks, all but an unfinished code point at their end;
		// the loop below checks the last code point again, and the rest.
		end := i + (n-i)&^31
		if !validAsm(&p[i], end-i) {
			v.bad = true
			return false
		}
		i = end
		for j := end - 1; j >= end-3; j-- {
			if c := p[j]; c >= 0xC0 {
				i = j // a lead byte: its sequence may not be complete
				break
			} else if c < 0x80 {
				break
			}
		}
	}
	for i < n {
		c := p[i]
		if c < 0x80 {
			// ASCII fast path, eight bytes at a time.
			for n-i >= 8 && binary.LittleEndian.Uint64(p[i:])&ascii8 == 0 {
				i += 8
			}
			for i < n && p[i] < 0x80 {
				i++
			}
			continue
		}
		x := first[c]
		if x == xx {
			v.bad = true
			return false
		}
		size := int(x & 7)
		ar := ranges[x>>4]
		if n-i >= size {
			if c1 := p[i+1]; c1 < ar.lo || c1 > ar.hi {
				v.bad = true
				return false
			}
			if size > 2 && p[i+2]&0xC0 != 0x80 || size > 3 && p[i+3]&0xC0 != 0x80 {
				v.bad = true
				return false
			}
			i += size
			continue
		}
		// The code point continues in the next piece: check what is here
		// and remember what the rest must be.
		v.need = uint8(size - 1)
		v.lo, v.hi = ar.lo, ar.hi
		for i++; i < n; i++ {
			if c := p[i]; c < v.lo || c > v.hi {
				v.bad = true
				return false
			}
			v.lo, v.hi = 0x80, 0xBF
			v.need--
		}
		return true
	}
	return true
}

// Complete reports whether everything written so far is valid UTF-8 that
// ends on a code point boundary: the check for the end of a message.
func (v *Validator) Complete() bool { return !v.bad && v.need == 0 }

// Failed reports whether an invalid byte has been seen.
func (v *Validator) Failed() bool { return v.bad }

// Reset makes v ready for a new stream.
func (v *Validator) Reset() { *v = Validator{} }

// Valid reports whether p is valid UTF-8, like unicode/utf8.Valid.
func Valid(p []byte) bool {
	var v Validator
	return v.Write(p) && v.Complete()
}
