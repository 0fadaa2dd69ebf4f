package conformance

import (
	"errors"
	"fmt"
)

// scanDeflate walks a DEFLATE stream (RFC 1951) without producing its
// output, to learn what compress/flate's reader does not report: the
// largest back-reference distance, which must stay within the window the
// peer agreed to (RFC 7692 §7.1.2). It stops after the first block with
// BFINAL set.

type deflateStats struct {
	maxDist int // the largest distance of a match
	outLen  int // the bytes the stream inflates to
	blocks  int
}

var errDeflateEnd = errors.New("DEFLATE stream ends within a block")

type bitReader struct {
	b    []byte
	i    int
	acc  uint32
	nacc uint
}

func (r *bitReader) bits(n uint) (int, error) {
	for r.nacc < n {
		if r.i >= len(r.b) {
			return 0, errDeflateEnd
		}
		r.acc |= uint32(r.b[r.i]) << r.nacc
		r.i++
		r.nacc += 8
	}
	v := int(r.acc & (1<<n - 1))
	r.acc >>= n
	r.nacc -= n
	return v, nil
}

// huffman is a canonical Huffman code: how many codes of each length, and
// the symbols in code order.
type huffman struct {
	count [16]int
	sym   []int
}

// newHuffman builds the code of the given code lengths (0: unused
// symbol). An incomplete code is allowed, an over-subscribed one is not.
func newHuffman(lengths []int) (*huffman, error) {
	h := &huffman{sym: make([]int, 0, len(lengths))}
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - h.count[l]
		if left < 0 {
			return nil, errors.New("over-subscribed Huffman code")
		}
	}
	for l := 1; l < 16; l++ {
		for s, sl := range lengths {
			if sl == l {
				h.sym = append(h.sym, s)
			}
		}
	}
	return h, nil
}

// decode reads one symbol, a bit at a time (codes are sent from their
// most significant bit).
func (r *bitReader) decode(h *huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := r.bits(1)
		if err != nil {
			return 0, err
		}
		code |= b
		n := h.count[l]
		if code-first < n {
			return h.sym[index+code-first], nil
		}
		index += n
		first = (first + n) << 1
		code <<= 1
	}
	return 0, errors.New("invalid Huffman code")
}

// The length and distance codes of RFC 1951 §3.2.5.
var (
	lenBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtr = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// clOrder is the order of the code length code lengths (§3.2.7).
	clOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

var fixedLit, fixedDist = func() (*huffman, *huffman) {
	l := make([]int, 288)
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	d := make([]int, 30)
	for i := range d {
		d[i] = 5
	}
	lit, _ := newHuffman(l)
	dist, _ := newHuffman(d)
	return lit, dist
}()

func scanDeflate(b []byte) (deflateStats, error) {
	var st deflateStats
	r := &bitReader{b: b}
	for {
		final, err := r.bits(1)
		if err != nil {
			return st, err
		}
		typ, err := r.bits(2)
		if err != nil {
			return st, err
		}
		st.blocks++
		switch typ {
		case 0:
			err = r.stored(&st)
		case 1:
			err = r.codes(&st, fixedLit, fixedDist)
		case 2:
			var lit, dist *huffman
			if lit, dist, err = r.dynamic(); err == nil {
				err = r.codes(&st, lit, dist)
			}
		default:
			err = errors.New("block type 3")
		}
		if err != nil {
			return st, fmt.Errorf("block %d: %w", st.blocks, err)
		}
		if final == 1 {
			return st, nil
		}
	}
}

func (r *bitReader) stored(st *deflateStats) error {
	r.acc, r.nacc = 0, 0 // to the byte boundary
	if r.i+4 > len(r.b) {
		return errDeflateEnd
	}
	n := int(r.b[r.i]) | int(r.b[r.i+1])<<8
	if n^0xffff != int(r.b[r.i+2])|int(r.b[r.i+3])<<8 {
		return errors.New("stored block length does not match its complement")
	}
	r.i += 4
	if r.i+n > len(r.b) {
		return errDeflateEnd
	}
	r.i += n
	st.outLen += n
	return nil
}

func (r *bitReader) dynamic() (*huffman, *huffman, error) {
	var hdr [3]int
	for i, n := range []uint{5, 5, 4} {
		v, err := r.bits(n)
		if err != nil {
			return nil, nil, err
		}
		hdr[i] = v
	}
	nlit, ndist, ncl := hdr[0]+257, hdr[1]+1, hdr[2]+4
	if nlit > 286 || ndist > 30 {
		return nil, nil, errors.New("too many length or distance codes")
	}
	cl := make([]int, 19)
	for i := range ncl {
		v, err := r.bits(3)
		if err != nil {
			return nil, nil, err
		}
		cl[clOrder[i]] = v
	}
	clh, err := newHuffman(cl)
	if err != nil {
		return nil, nil, err
	}
	lengths := make([]int, 0, nlit+ndist)
	for len(lengths) < nlit+ndist {
		s, err := r.decode(clh)
		if err != nil {
			return nil, nil, err
		}
		if s < 16 {
			lengths = append(lengths, s)
			continue
		}
		val, extra, base := 0, uint(2), 3
		switch s {
		case 16:
			if len(lengths) == 0 {
				return nil, nil, errors.New("repeat with no previous length")
			}
			val = lengths[len(lengths)-1]
		case 17:
			extra, base = 3, 3
		case 18:
			extra, base = 7, 11
		}
		n, err := r.bits(extra)
		if err != nil {
			return nil, nil, err
		}
		if len(lengths)+base+n > nlit+ndist {
			return nil, nil, errors.New("code lengths overrun")
		}
		for range base + n {
			lengths = append(lengths, val)
		}
	}
	if lengths[256] == 0 {
		return nil, nil, errors.New("no end-of-block code")
	}
	lit, err := newHuffman(lengths[:nlit])
	if err != nil {
		return nil, nil, err
	}
	dist, err := newHuffman(lengths[nlit:])
	if err != nil {
		return nil, nil, err
	}
	return lit, dist, nil
}

func (r *bitReader) codes(st *deflateStats, lit, dist *huffman) error {
	for {
		s, err := r.decode(lit)
		if err != nil {
			return err
		}
		switch {
		case s < 256:
			st.outLen++
			continue
		case s == 256:
			return nil
		case s > 285:
			return fmt.Errorf("invalid length code %d", s)
		}
		s -= 257
		e, err := r.bits(lenExtra[s])
		if err != nil {
			return err
		}
		length := lenBase[s] + e
		ds, err := r.decode(dist)
		if err != nil {
			return err
		}
		if ds > 29 {
			return fmt.Errorf("invalid distance code %d", ds)
		}
		e, err = r.bits(distExtr[ds])
		if err != nil {
			return err
		}
		st.maxDist = max(st.maxDist, distBase[ds]+e)
		st.outLen += length
	}
}
