package pmce

import "errors"

// This file is a small DEFLATE decoder after zlib's puff, for tests only:
// it decodes a stream and reports the largest back-reference distance, which
// compress/flate does not expose, so tests can check that the compressor
// keeps to a negotiated window.

var errInspect = errors.New("inspect: bad deflate data")

type bitReader struct {
	b    []byte
	pos  int
	bit  uint32
	nbit uint
}

func (r *bitReader) bits(n uint) (int, error) {
	for r.nbit < n {
		if r.pos >= len(r.b) {
			return 0, errInspect
		}
		r.bit |= uint32(r.b[r.pos]) << r.nbit
		r.pos++
		r.nbit += 8
	}
	v := int(r.bit & (1<<n - 1))
	r.bit >>= n
	r.nbit -= n
	return v, nil
}

type huffman struct {
	count  [16]int
	symbol []int
}

func newHuffman(lengths []int) *huffman {
	h := &huffman{symbol: make([]int, len(lengths))}
	for _, l := range lengths {
		h.count[l]++
	}
	var offs [16]int
	for l := 1; l < 15; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for s, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = s
			offs[l]++
		}
	}
	return h
}

func (r *bitReader) decode(h *huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := r.bits(1)
		if err != nil {
			return 0, err
		}
		code |= b
		count := h.count[l]
		if code-count < first {
			return h.symbol[index+(code-first)], nil
		}
		index += count
		first += count
		first <<= 1
		code <<= 1
	}
	return 0, errInspect
}

var (
	lenBase  = [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [...]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [...]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
		1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [...]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder   = [...]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inspectDeflate decodes a message payload as RFC 7692 §7.2.2 does
// (appending 00 00 ff ff) and returns the decoded length and the largest
// distance of any back-reference. prior is the length of the window
// available before the message (0 without context takeover).
func inspectDeflate(payload []byte) (n, maxDist int, err error) {
	r := &bitReader{b: append(append([]byte(nil), payload...), 0, 0, 0xff, 0xff)}
	for {
		if r.pos >= len(r.b) && r.nbit < 8 {
			return n, maxDist, nil // the stream ended after a sync flush
		}
		final, err := r.bits(1)
		if err != nil {
			return 0, 0, err
		}
		typ, err := r.bits(2)
		if err != nil {
			return 0, 0, err
		}
		switch typ {
		case 0:
			r.bit, r.nbit = 0, 0
			if r.pos+4 > len(r.b) {
				return 0, 0, errInspect
			}
			l := int(r.b[r.pos]) | int(r.b[r.pos+1])<<8
			r.pos += 4 + l
			if r.pos > len(r.b) {
				return 0, 0, errInspect
			}
			n += l
		case 1, 2:
			var lit, dist *huffman
			if typ == 1 {
				ls := make([]int, 288)
				for i := range ls {
					switch {
					case i < 144:
						ls[i] = 8
					case i < 256:
						ls[i] = 9
					case i < 280:
						ls[i] = 7
					default:
						ls[i] = 8
					}
				}
				ds := make([]int, 30)
				for i := range ds {
					ds[i] = 5
				}
				lit, dist = newHuffman(ls), newHuffman(ds)
			} else if lit, dist, err = r.dynamic(); err != nil {
				return 0, 0, err
			}
			for {
				sym, err := r.decode(lit)
				if err != nil {
					return 0, 0, err
				}
				if sym < 256 {
					n++
					continue
				}
				if sym == 256 {
					break
				}
				sym -= 257
				if sym >= 29 {
					return 0, 0, errInspect
				}
				e, err := r.bits(lenExtra[sym])
				if err != nil {
					return 0, 0, err
				}
				length := lenBase[sym] + e
				ds, err := r.decode(dist)
				if err != nil || ds >= 30 {
					return 0, 0, errInspect
				}
				e, err = r.bits(distExtra[ds])
				if err != nil {
					return 0, 0, err
				}
				maxDist = max(maxDist, distBase[ds]+e)
				n += length
			}
		default:
			return 0, 0, errInspect
		}
		if final == 1 {
			return n, maxDist, nil
		}
	}
}

func (r *bitReader) dynamic() (*huffman, *huffman, error) {
	nlen, err := r.bits(5)
	if err != nil {
		return nil, nil, err
	}
	ndist, err := r.bits(5)
	if err != nil {
		return nil, nil, err
	}
	ncode, err := r.bits(4)
	if err != nil {
		return nil, nil, err
	}
	nlen, ndist, ncode = nlen+257, ndist+1, ncode+4
	cl := make([]int, 19)
	for i := 0; i < ncode; i++ {
		if cl[clOrder[i]], err = r.bits(3); err != nil {
			return nil, nil, err
		}
	}
	h := newHuffman(cl)
	lengths := make([]int, nlen+ndist)
	for i := 0; i < len(lengths); {
		sym, err := r.decode(h)
		if err != nil {
			return nil, nil, err
		}
		if sym < 16 {
			lengths[i] = sym
			i++
			continue
		}
		var l, rep int
		switch sym {
		case 16:
			if i == 0 {
				return nil, nil, errInspect
			}
			l = lengths[i-1]
			rep, err = r.bits(2)
			rep += 3
		case 17:
			rep, err = r.bits(3)
			rep += 3
		default:
			rep, err = r.bits(7)
			rep += 11
		}
		if err != nil || i+rep > len(lengths) {
			return nil, nil, errInspect
		}
		for ; rep > 0; rep-- {
			lengths[i] = l
			i++
		}
	}
	return newHuffman(lengths[:nlen]), newHuffman(lengths[nlen:]), nil
}
