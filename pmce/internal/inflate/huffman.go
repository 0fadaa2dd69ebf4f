package inflate

import "encoding/binary"

const (
	maxMatch = 258
	// fastRoom is the output room the fast loop wants before a symbol: a
	// longest match, rounded up by the 8-byte words it is copied in.
	fastRoom = maxMatch + 8
	// fastIn is the input the fast loop wants before a symbol: one 8-byte
	// load gives at least 56 bits, more than the 48 a symbol can take
	// (15 + 5 for a length, 15 + 13 for its distance).
	fastIn = 8
)

// huffman decodes the data of a block with Huffman codes (RFC 1951
// §3.2.5), up to and including its end-of-block code. litMin is the
// number of bits klauspost wants left in the stream before it decodes a
// literal/length symbol (see readTables).
//
// A fast loop runs while src and out have room for any symbol: it loads
// input a word at a time and copies matches without checks on their end.
// Near the end of either, symbols go one at a time through slowSymbol,
// which counts every bit and byte.
func (d *Decoder) huffman(s *state, lt *[1 << litBits]uint32, ls []uint32, dt *[1 << distBits]uint32, ds []uint32, litMin uint) error {
	for {
		src, out := s.src, s.out
		b, nb, in, pos := s.b, s.nb, s.in, s.pos
		start := s.start
		inEnd := len(src) - fastIn
		outEnd := min(len(out)-fastRoom, s.end-1-maxMatch)
		for in <= inEnd && pos <= outEnd {
			b |= binary.LittleEndian.Uint64(src[in:]) << nb
			in += int(63-nb) >> 3
			nb |= 56

			e := lt[b&litMask]
			if e&kSub != 0 {
				b >>= litBits
				nb -= litBits
				e = ls[int(e>>vShft)+int(b&(1<<(e>>4&15)-1))]
			}
			n := e & 15
			b >>= n
			nb -= uint(n)
			if e&kLit != 0 {
				out[pos] = byte(e >> vShft)
				pos++
				continue
			}
			if e&kAny != 0 {
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				if e&kEOB != 0 {
					return nil
				}
				return s.corrupt("invalid literal/length code")
			}
			x := e >> 4 & 15
			length := int(e>>vShft) + int(b&(1<<x-1))
			b >>= x
			nb -= uint(x)

			e = dt[b&distMask]
			if e&kSub != 0 {
				b >>= distBits
				nb -= distBits
				e = ds[int(e>>vShft)+int(b&(1<<(e>>4&15)-1))]
			}
			n = e & 15
			b >>= n
			nb -= uint(n)
			if e&kBad != 0 {
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				return s.corrupt("invalid distance code")
			}
			x = e >> 4 & 15
			dist := int(e>>vShft) + int(b&(1<<x-1))
			b >>= x
			nb -= uint(x)

			from := pos - dist
			switch {
			case from < start:
				// From the dict, or invalid: the careful way.
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				if err := s.copyMatch(dist, length); err != nil {
					return err
				}
				pos, out = s.pos, s.out
			case dist >= 8:
				// Words; each reads bytes already written.
				for i := 0; i < length; i += 8 {
					binary.LittleEndian.PutUint64(out[pos+i:], binary.LittleEndian.Uint64(out[from+i:]))
				}
				pos += length
			default:
				for i := range length {
					out[pos+i] = out[from+i]
				}
				pos += length
			}
		}
		s.b, s.nb, s.in, s.pos = b, nb, in, pos
		done, err := d.slowSymbol(s, lt, ls, dt, ds, litMin)
		if done || err != nil {
			return err
		}
	}
}

// slowSymbol decodes one literal/length symbol and what follows it,
// checking that every bit is in src and growing out as needed. It
// reports whether the symbol ended the block.
func (d *Decoder) slowSymbol(s *state, lt *[1 << litBits]uint32, ls []uint32, dt *[1 << distBits]uint32, ds []uint32, litMin uint) (bool, error) {
	s.refill()
	if s.nb < litMin {
		return false, s.truncated()
	}
	e, ok := lookup(s, lt[:], litBits, litMask, ls)
	if !ok {
		return false, s.truncated()
	}
	switch {
	case e&kLit != 0:
		s.room()
		s.out[s.pos] = byte(e >> vShft)
		s.pos++
		if s.pos == s.end {
			return false, ErrLimit
		}
		return false, nil
	case e&kEOB != 0:
		return true, nil
	case e&kBad != 0:
		return false, s.corrupt("invalid literal/length code")
	}
	x := uint(e >> 4 & 15)
	if s.nb < x {
		return false, s.truncated()
	}
	length := int(e>>vShft) + int(s.b&(1<<x-1))
	s.drop(x)
	e, ok = lookup(s, dt[:], distBits, distMask, ds)
	if !ok {
		return false, s.truncated()
	}
	if e&kBad != 0 {
		return false, s.corrupt("invalid distance code")
	}
	x = uint(e >> 4 & 15)
	if s.nb < x {
		return false, s.truncated()
	}
	dist := int(e>>vShft) + int(s.b&(1<<x-1))
	s.drop(x)
	return false, s.copyMatch(dist, length)
}

// lookup decodes one symbol's entry and drops its code's bits, or reports
// that src ends inside the code. A bad entry is returned at once, as
// klauspost fails on it whatever bits follow. The bits of b above nb are
// zero when src has no more, so a lookup never mistakes missing bits for
// data.
func lookup(s *state, primary []uint32, pbits uint, mask uint64, sub []uint32) (uint32, bool) {
	e := primary[s.b&mask]
	if e&kSub != 0 {
		se := sub[int(e>>vShft)+int(s.b>>pbits&(1<<(e>>4&15)-1))]
		if s.nb < pbits+uint(se&15) {
			return 0, false
		}
		s.drop(pbits)
		e = se
	}
	if e&kBad != 0 {
		return e, true
	}
	n := uint(e & 15)
	if s.nb < n {
		return 0, false
	}
	s.drop(n)
	return e, true
}
