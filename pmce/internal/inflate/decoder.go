package inflate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Errors of Decode.
var (
	// ErrCorrupt: src is not a valid DEFLATE stream, or ends before its
	// final block. Decode's errors wrap it with the details.
	ErrCorrupt = errors.New("inflate: corrupt data")
	// ErrLimit: the stream's data is longer than the limit.
	ErrLimit = errors.New("inflate: data over the limit")
)

// corruptError says what was wrong and where.
type corruptError struct {
	off    int // bytes of src read when the fault was found
	reason string
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("%v: %s (at byte %d)", ErrCorrupt, e.reason, e.off)
}

func (e *corruptError) Unwrap() error { return ErrCorrupt }

// Decoder inflates raw DEFLATE streams (RFC 1951) held whole in memory.
// The zero value is ready to use. A Decoder holds about 8 KiB of tables;
// reuse it (keep it, or pool it) so that decoding allocates nothing but
// the output. A Decoder is not safe for concurrent use.
type Decoder struct {
	lit     [1 << litBits]uint32
	dist    [1 << distBits]uint32
	clen    [1 << clenBits]uint32
	litSub  []uint32
	distSub []uint32
	lens    [maxLitSym + maxDstSym]uint8
	bd      builder
	s       state
}

// state is one Decode call's: input position and bit buffer, output.
type state struct {
	src   []byte
	in    int    // next byte of src to load into b
	b     uint64 // bits not yet used, the stream's next bit lowest
	nb    uint   // how many bits of b are valid (at most 63)
	out   []byte // the output, len(out) == cap(out)
	pos   int    // output written up to here
	start int    // the stream's output begins here
	end   int    // start+limit+1: reaching it is ErrLimit
	dict  []byte
}

// Decode appends to dst the data of the DEFLATE stream src and returns
// the extended slice. Back-references may reach into dict, the data that
// preceded the stream (the last 32 KiB of it matter). Decode stops after
// the block with BFINAL set; bytes after it are ignored.
//
// It reads src exactly as github.com/klauspost/compress/flate does and
// fails where it fails. The stream's data is counted as it is decoded,
// and the first of these ends Decode:
//
//   - the data reaches limit+1 bytes: Decode fails with ErrLimit, having
//     appended exactly limit+1 bytes (so memory stays bounded by the limit
//     whatever src holds);
//   - the stream is invalid, or src ends before the final block: Decode
//     fails with an error wrapping ErrCorrupt, having appended the data
//     decoded before the fault;
//   - the final block ends: Decode returns dst extended by the data.
//
// A negative limit counts as 0. Decode writes only into dst's spare
// capacity, and grows dst (doubling, never past limit+1 bytes of data)
// only when the data does not fit: with enough capacity it allocates
// nothing. It may write into dst's capacity beyond the data it returns,
// so src and dict must not share memory with it.
func (d *Decoder) Decode(dst, src, dict []byte, limit int) ([]byte, error) {
	start := len(dst)
	limit = max(limit, 0)
	limit = min(limit, math.MaxInt-1-start)
	s := &d.s
	*s = state{src: src, out: dst[:cap(dst)], pos: start, start: start, end: start + limit + 1, dict: dict}
	err := d.run(s)
	out := s.out[:s.pos]
	*s = state{} // keep no reference to the caller's memory
	return out, err
}

// run decodes blocks until the final one.
func (d *Decoder) run(s *state) error {
	for {
		if !s.need(3) {
			return s.truncated()
		}
		final := s.b&1 != 0
		typ := s.b >> 1 & 3
		s.drop(3)
		var err error
		switch typ {
		case 0:
			err = s.stored()
		case 1:
			fixedTables()
			err = d.huffman(s, &fixed.lit, fixed.litSub, &fixed.dist, nil, 7)
		case 2:
			var litMin uint
			if litMin, err = d.readTables(s, final); err == nil {
				err = d.huffman(s, &d.lit, d.litSub, &d.dist, d.distSub, litMin)
			}
		default:
			err = s.corrupt("reserved block type")
		}
		if err != nil || final {
			return err
		}
	}
}

// refill loads whole bytes into b while it has room for them.
func (s *state) refill() {
	for s.nb <= 55 && s.in < len(s.src) {
		s.b |= uint64(s.src[s.in]) << s.nb
		s.in++
		s.nb += 8
	}
}

// need reports whether n bits (n <= 56) are left in the stream, loading
// them into b.
func (s *state) need(n uint) bool {
	if s.nb < n {
		s.refill()
	}
	return s.nb >= n
}

func (s *state) drop(n uint) {
	s.b >>= n
	s.nb -= n
}

func (s *state) corrupt(reason string) error {
	return &corruptError{off: s.in - int(s.nb/8), reason: reason}
}

func (s *state) truncated() error { return s.corrupt("unexpected end of data") }

// room makes sure out has room for one more byte. s.pos < s.end holds.
func (s *state) room() {
	if s.pos < len(s.out) {
		return
	}
	// Grow as pmce's codec did: double, or a guess from the compressed
	// size, never past limit+1 bytes of data.
	n := s.pos - s.start
	want := max(2*n, 4*len(s.src), 512)
	want = max(min(want, s.end-s.start), n+1)
	out := make([]byte, s.start+want)
	copy(out, s.out[:s.pos])
	s.out = out[:cap(out)]
}

// write appends p, up to the limit.
func (s *state) write(p []byte) error {
	for len(p) > 0 {
		s.room()
		n := copy(s.out[s.pos:min(len(s.out), s.end)], p)
		s.pos += n
		p = p[n:]
		if s.pos == s.end {
			return ErrLimit
		}
	}
	return nil
}

// copyMatch appends length bytes from dist bytes back in the history (the
// dict, then the output), up to the limit.
func (s *state) copyMatch(dist, length int) error {
	if dist > s.pos-s.start+len(s.dict) {
		return s.corrupt("distance too far back")
	}
	for length > 0 {
		s.room()
		k := min(length, min(len(s.out), s.end)-s.pos)
		length -= k
		off := s.pos - dist
		if off < s.start {
			from := len(s.dict) - (s.start - off)
			n := copy(s.out[s.pos:s.pos+min(k, s.start-off)], s.dict[from:])
			s.pos += n
			k -= n
			off += n
		}
		// Overlap repeats the last dist bytes: copy in chunks that
		// double.
		for k > 0 {
			n := copy(s.out[s.pos:s.pos+k], s.out[off:s.pos])
			s.pos += n
			k -= n
		}
		if s.pos == s.end {
			return ErrLimit
		}
	}
	return nil
}

// stored copies a stored block (RFC 1951 §3.2.4): like klauspost, it
// hands on what src holds of a truncated one before failing.
func (s *state) stored() error {
	s.drop(s.nb & 7)
	p := s.in - int(s.nb/8) // b holds whole bytes: give them back
	s.in, s.b, s.nb = p, 0, 0
	if len(s.src)-p < 4 {
		s.in = len(s.src)
		return s.truncated()
	}
	n := int(binary.LittleEndian.Uint16(s.src[p:]))
	if binary.LittleEndian.Uint16(s.src[p+2:]) != ^uint16(n) {
		s.in = p + 4
		return s.corrupt("stored block length does not match its complement")
	}
	p += 4
	have := min(n, len(s.src)-p)
	s.in = p + have
	if err := s.write(s.src[p : p+have]); err != nil {
		return err
	}
	if have < n {
		return s.truncated()
	}
	return nil
}

var clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

var clenEntry = func() (e [19]uint32) {
	for s := range e {
		e[s] = uint32(s) << vShft
	}
	return
}()

// readTables reads the code lengths of a dynamic block (RFC 1951 §3.2.7)
// and builds its tables. It returns the bits klauspost wants available
// before it decodes each literal/length symbol of the block (see litMin in
// huffman).
func (d *Decoder) readTables(s *state, final bool) (uint, error) {
	if !s.need(14) {
		return 0, s.truncated()
	}
	nlit := int(s.b&31) + 257
	ndist := int(s.b>>5&31) + 1
	nclen := int(s.b>>10&15) + 4
	if nlit > maxLitSym {
		return 0, s.corrupt("too many literal/length codes")
	}
	if ndist > maxDstSym {
		return 0, s.corrupt("too many distance codes")
	}
	s.drop(14)
	var cl [19]uint8
	for i := range nclen {
		if !s.need(3) {
			return 0, s.truncated()
		}
		cl[clenOrder[i]] = uint8(s.b & 7)
		s.drop(3)
	}
	if _, _, ok := d.bd.build(d.clen[:], clenBits, nil, cl[:], clenEntry[:]); !ok {
		return 0, s.corrupt("invalid code length code")
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		s.refill()
		e := d.clen[s.b&clenMask]
		if e&kBad != 0 {
			return 0, s.corrupt("invalid code length symbol")
		}
		if n := uint(e & 0xff); s.nb >= n {
			s.drop(n)
		} else {
			return 0, s.truncated()
		}
		sym := uint8(e >> vShft)
		if sym < 16 {
			lens[i] = sym
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return 0, s.corrupt("repeat with no previous length")
			}
			if !s.need(2) {
				return 0, s.truncated()
			}
			rep, val = 3+int(s.b&3), lens[i-1]
			s.drop(2)
		case 17:
			if !s.need(3) {
				return 0, s.truncated()
			}
			rep = 3 + int(s.b&7)
			s.drop(3)
		default:
			if !s.need(7) {
				return 0, s.truncated()
			}
			rep = 11 + int(s.b&127)
			s.drop(7)
		}
		if i+rep > len(lens) {
			return 0, s.corrupt("code lengths overflow HLIT+HDIST")
		}
		for range rep {
			lens[i] = val
			i++
		}
	}
	var ok bool
	var litMin uint
	d.litSub, litMin, ok = d.bd.build(d.lit[:], litBits, d.litSub[:0], lens[:nlit], litEntry[:])
	if !ok {
		return 0, s.corrupt("invalid literal/length code")
	}
	if d.distSub, _, ok = d.bd.build(d.dist[:], distBits, d.distSub[:0], lens[nlit:], distEntry[:]); !ok {
		return 0, s.corrupt("invalid distance code")
	}
	// klauspost reads at least this many bits before each literal/length
	// symbol: its end-of-block code, and the 10 bits of the smallest next
	// block. A valid stream always has them; a truncated one fails a few
	// symbols earlier than the bits alone say, and so must Decode, for the
	// data handed on before the fault (and ErrLimit against ErrCorrupt)
	// to agree.
	litMin = max(litMin, uint(lens[256]))
	if !final {
		litMin += 10
	}
	return litMin, nil
}
