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
		start, dict := s.start, s.dict
		inEnd := len(src) - fastIn
		outEnd := min(len(out)-fastRoom, s.end-1-maxMatch)
		if in <= inEnd && pos <= outEnd {
			// After a load all 64 bits of b are the stream's, so the
			// next entry can be looked up before the next load: a symbol
			// leaves at least 16 of them.
			b |= binary.LittleEndian.Uint64(src[in:]) << (nb & 63)
			in += int(63-nb) >> 3
			nb |= 56
		}
		e := lt[b&litMask]
		for in <= inEnd && pos <= outEnd {
			b |= binary.LittleEndian.Uint64(src[in:]) << (nb & 63)
			in += int(63-nb) >> 3
			nb |= 56

			if e&kLit != 0 {
				// Up to three literals per load: 3*15 bits.
				b >>= e & 63
				nb -= uint(e & 0xff)
				out[pos] = byte(e >> vShft)
				pos++
				e = lt[b&litMask]
				if e&kLit != 0 {
					b >>= e & 63
					nb -= uint(e & 0xff)
					out[pos] = byte(e >> vShft)
					pos++
					e = lt[b&litMask]
					if e&kLit != 0 {
						b >>= e & 63
						nb -= uint(e & 0xff)
						out[pos] = byte(e >> vShft)
						pos++
						e = lt[b&litMask]
					}
				}
				continue
			}
			if e&kSub != 0 {
				b >>= litBits
				nb -= litBits
				e = ls[int(e>>vShft)+int(b&(1<<(e>>8&15)-1))]
				if e&kLit != 0 {
					b >>= e & 63
					nb -= uint(e & 0xff)
					out[pos] = byte(e >> vShft)
					pos++
					e = lt[b&litMask]
					continue
				}
			}
			if e&kAny != 0 {
				if e&kEOB != 0 {
					b >>= e & 63
					nb -= uint(e & 0xff)
					s.b, s.nb, s.in, s.pos = b, nb, in, pos
					return nil
				}
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				return s.corrupt("invalid literal/length code")
			}
			// A length: base + the extra bits after the code.
			length := int(e>>vShft) + int(b&(1<<(e&63)-1)>>(e>>8&15))
			b >>= e & 63
			nb -= uint(e & 0xff)

			e = dt[b&distMask]
			if e&kSub != 0 {
				b >>= distBits
				nb -= distBits
				e = ds[int(e>>vShft)+int(b&(1<<(e>>8&15)-1))]
			}
			if e&kBad != 0 {
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				return s.corrupt("invalid distance code")
			}
			dist := int(e>>vShft) + int(b&(1<<(e&63)-1)>>(e>>8&15))
			b >>= e & 63
			nb -= uint(e & 0xff)
			e = lt[b&litMask]

			from := pos - dist
			switch {
			case from < start:
				// From the dict (under context takeover, often), or
				// from the dict and then the output, or invalid.
				if k := start - from; k >= length && k <= len(dict) {
					copy(out[pos:pos+length], dict[len(dict)-k:])
					pos += length
					break
				}
				s.b, s.nb, s.in, s.pos = b, nb, in, pos
				if err := s.copyMatch(dist, length); err != nil {
					return err
				}
				pos, out = s.pos, s.out
			case dist >= 8:
				// Words, each reading bytes already written; the
				// first two always (most matches are short).
				binary.LittleEndian.PutUint64(out[pos:], binary.LittleEndian.Uint64(out[from:]))
				binary.LittleEndian.PutUint64(out[pos+8:], binary.LittleEndian.Uint64(out[from+8:]))
				for i := 16; i < length; i += 8 {
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
	e, v, ok := lookup(s, lt[:], litBits, litMask, ls)
	if !ok {
		return false, s.truncated()
	}
	switch {
	case e&kLit != 0:
		s.room()
		s.out[s.pos] = byte(v)
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
	e, dist, ok := lookup(s, dt[:], distBits, distMask, ds)
	if !ok {
		return false, s.truncated()
	}
	if e&kBad != 0 {
		return false, s.corrupt("invalid distance code")
	}
	return false, s.copyMatch(dist, v)
}

// lookup decodes one symbol and the extra bits after it, returning its
// entry and value (base plus extra bits), or reports that src ends before
// them. A bad entry is returned at once, as klauspost fails on it whatever
// bits follow. The bits of b above nb are zero when src has no more, so a
// lookup never mistakes missing bits for data.
func lookup(s *state, primary []uint32, pbits uint, mask uint64, sub []uint32) (uint32, int, bool) {
	e := primary[s.b&mask]
	var linked uint
	if e&kSub != 0 {
		linked = pbits
		e = sub[int(e>>vShft)+int(s.b>>pbits&(1<<(e>>8&15)-1))]
	}
	if e&kBad != 0 {
		return e, 0, true
	}
	n := uint(e & 0xff)
	if s.nb < linked+n {
		return 0, 0, false
	}
	s.drop(linked)
	v := int(e>>vShft) + int(s.b&(1<<n-1)>>(e>>8&15))
	s.drop(n)
	return e, v, true
}
