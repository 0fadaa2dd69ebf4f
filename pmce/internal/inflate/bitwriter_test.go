package inflate

import "math/bits"

// bitWriter builds DEFLATE streams bit by bit for the tests.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// bits writes the low n bits of v, least significant first (RFC 1951
// §3.1.1: header fields and extra bits).
func (w *bitWriter) bits(v uint64, n uint) *bitWriter {
	w.acc |= (v & (1<<n - 1)) << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
	return w
}

// code writes an n-bit Huffman code, most significant bit first.
func (w *bitWriter) code(c uint16, n uint) *bitWriter {
	return w.bits(uint64(bits.Reverse16(c)>>(16-n)), n)
}

// header writes a block header.
func (w *bitWriter) header(final bool, typ uint64) *bitWriter {
	f := uint64(0)
	if final {
		f = 1
	}
	return w.bits(f, 1).bits(typ, 2)
}

// stored writes a whole stored block.
func (w *bitWriter) stored(final bool, data string) *bitWriter {
	w.header(final, 0).align()
	n := uint64(len(data))
	w.bits(n, 16).bits(^n, 16)
	w.out = append(w.out, data...)
	return w
}

func (w *bitWriter) align() *bitWriter {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
	return w
}

// bytes returns the stream, its last byte padded with zeros.
func (w *bitWriter) bytes() []byte {
	w.align()
	return w.out
}

// huff is a canonical Huffman code given by its lengths.
type huff struct {
	lens  []uint8
	codes []uint16
}

func newHuff(lens []uint8) huff {
	var count [16]uint16
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [16]uint16
	c := uint16(0)
	for l := 1; l < 16; l++ {
		c = (c + count[l-1]) << 1
		next[l] = c
	}
	h := huff{lens: lens, codes: make([]uint16, len(lens))}
	for s, l := range lens {
		if l > 0 {
			h.codes[s] = next[l]
			next[l]++
		}
	}
	return h
}

// sym writes symbol s's code.
func (w *bitWriter) sym(h huff, s int) *bitWriter {
	if h.lens[s] == 0 {
		panic("symbol without a code")
	}
	return w.code(h.codes[s], uint(h.lens[s]))
}

// fixedLit and fixedDist are the fixed codes (RFC 1951 §3.2.6).
var fixedLit, fixedDist = func() (huff, huff) {
	l := make([]uint8, 288)
	for s := range l {
		l[s] = map[bool]uint8{true: 8, false: 9}[s < 144 || s >= 280]
		if s >= 256 && s < 280 {
			l[s] = 7
		}
	}
	d := make([]uint8, 32)
	for s := range d {
		d[s] = 5
	}
	return newHuff(l), newHuff(d)
}()

// clenItem is one code length code symbol and its extra bits.
type clenItem struct{ sym, extra uint8 }

var testClenOrder = []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamic writes a dynamic block's header: HLIT, HDIST, all 19 code length
// code lengths, then items coded with them.
func (w *bitWriter) dynamic(final bool, nlit, ndist int, clen []uint8, items []clenItem) *bitWriter {
	clen = append(clen[:len(clen):len(clen)], make([]uint8, 19-len(clen))...)
	w.header(final, 2)
	w.bits(uint64(nlit-257), 5).bits(uint64(ndist-1), 5).bits(19-4, 4)
	for _, s := range testClenOrder {
		w.bits(uint64(clen[s]), 3)
	}
	h := newHuff(clen)
	for _, it := range items {
		w.sym(h, int(it.sym))
		switch it.sym {
		case 16:
			w.bits(uint64(it.extra), 2)
		case 17:
			w.bits(uint64(it.extra), 3)
		case 18:
			w.bits(uint64(it.extra), 7)
		}
	}
	return w
}

// flatClen codes the lengths 0-15 in 4 bits each, with no repeats.
var flatClen = func() []uint8 {
	c := make([]uint8, 19)
	for s := range 16 {
		c[s] = 4
	}
	return c
}()

// lensItems codes each length as itself (for flatClen).
func lensItems(lens ...[]uint8) []clenItem {
	var it []clenItem
	for _, l := range lens {
		for _, x := range l {
			it = append(it, clenItem{sym: x})
		}
	}
	return it
}

// litLens returns nlit literal/length code lengths with the given ones
// set.
func litLens(nlit int, set map[int]uint8) []uint8 {
	l := make([]uint8, nlit)
	for s, n := range set {
		l[s] = n
	}
	return l
}
