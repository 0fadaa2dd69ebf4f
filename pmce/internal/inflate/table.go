package inflate

import (
	"math/bits"
	"sync"
)

// A table entry is a uint32 packing what one lookup tells the decoder:
//
//	bits 0-7    bits to consume: the code's and the extra bits after it (a
//	            length's or a distance's); for a link, the primary table's
//	            bits; in a subtable, counting only the code's remaining bits
//	bits 8-11   the code's own bits, where the extra bits start; for a
//	            link, the index bits of the subtable it points to
//	bits 12-15  kind: literal, end of block, link to a subtable, or bad
//	            (no code, or a code the format forbids); none for a length
//	            or distance
//	bits 16-31  the literal byte, the base length or distance, the code
//	            length symbol, or the subtable's offset
const (
	kLit  = 1 << 12
	kEOB  = 1 << 13
	kSub  = 1 << 14
	kBad  = 1 << 15
	kAny  = kLit | kEOB | kSub | kBad
	vShft = 16
)

// entry returns the entry of a symbol whose code has n bits, from its
// entry in litEntry or distEntry (which counts only the extra bits).
func entry(sym uint32, n uint) uint32 {
	return sym + uint32(n) + uint32(n)<<8
}

// Primary table sizes: codes up to this many bits resolve in one lookup;
// longer ones go through a subtable of at most 2^(15-bits) entries.
const (
	litBits   = 10
	litMask   = 1<<litBits - 1
	distBits  = 8
	distMask  = 1<<distBits - 1
	clenBits  = 7 // code length codes are at most 7 bits: no subtables
	clenMask  = 1<<clenBits - 1
	maxLitSym = 286 // HLIT is at most 286 (RFC 1951 §3.2.7)
	maxDstSym = 30  // klauspost (like zlib) rejects HDIST above 30
	maxCode   = 15
)

// litEntry and distEntry hold each symbol's entry without its code
// length.
var litEntry, distEntry = func() (l [288]uint32, d [32]uint32) {
	for s := range 256 {
		l[s] = kLit | uint32(s)<<vShft
	}
	l[256] = kEOB
	base, extra := uint32(3), uint32(0)
	for s := 257; s < 286; s++ {
		if s >= 265 && (s-261)%4 == 0 {
			extra++
		}
		l[s] = base<<vShft | extra
		base += 1 << extra
	}
	l[285] = 258 << vShft // not 259: RFC 1951 §3.2.5
	l[286], l[287] = kBad, kBad
	base, extra = 1, 0
	for s := range 30 {
		if s >= 4 && s%2 == 0 {
			extra++
		}
		d[s] = base<<vShft | extra
		base += 1 << extra
	}
	d[30], d[31] = kBad, kBad
	return
}()

// builder is the scratch space of table construction.
type builder struct {
	count  [maxCode + 1]uint16
	sorted [288]uint16 // symbols by code length, then value
	codes  [288]uint16 // canonical code of sorted[i]
}

// build fills primary (2^pbits entries) and appends subtables to sub for
// the Huffman code whose lengths are lens (by symbol), each symbol's
// entry taken from syms. It returns the extended sub, the shortest code
// length (0 for an empty code) and false if the lengths do not make a
// code klauspost accepts: a complete one, a single code of one bit, or
// none at all (an empty code fails when it is used).
func (bd *builder) build(primary []uint32, pbits uint, sub []uint32, lens []uint8, syms []uint32) ([]uint32, uint, bool) {
	bd.count = [maxCode + 1]uint16{}
	for _, l := range lens {
		bd.count[l]++
	}
	bd.count[0] = 0
	// Check the code's space: left is what the lengths leave unused.
	left := 1
	minLen := uint(0)
	for l := 1; l <= maxCode; l++ {
		left = left<<1 - int(bd.count[l])
		if left < 0 {
			return sub, 0, false // over-subscribed
		}
		if minLen == 0 && bd.count[l] > 0 {
			minLen = uint(l)
		}
	}
	total := 0
	for l := 1; l <= maxCode; l++ {
		total += int(bd.count[l])
	}
	if left > 0 {
		// Incomplete: klauspost takes only no code, or one code of 1 bit.
		if !(total == 0 || (total == 1 && bd.count[1] == 1)) {
			return sub, 0, false
		}
		for i := range primary {
			primary[i] = kBad
		}
		if total == 0 {
			return sub, 0, true
		}
	}
	// Sort the symbols by length (counting sort, stable by value).
	var offs [maxCode + 2]uint16
	for l := 1; l <= maxCode; l++ {
		offs[l+1] = offs[l] + bd.count[l]
	}
	for s, l := range lens {
		if l != 0 {
			bd.sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	// Canonical codes, in sorted order (RFC 1951 §3.2.2).
	code := uint16(0)
	i := 0
	for l := 1; l <= maxCode; l++ {
		for range bd.count[l] {
			bd.codes[i] = code
			code++
			i++
		}
		code <<= 1
	}
	// Short codes, shortest first: the entry of a code of l bits goes at
	// its bit-reversed value (the stream delivers a code's first bit
	// lowest) in a table of 2^l entries, which is then doubled by copying
	// for l+1 bits, so that it repeats wherever the bits after the code
	// vary. Entries no code covers get overwritten by longer codes or
	// links (the code is complete), or were set bad above (it is not).
	size := 1
	i = 0
	for ; i < total; i++ {
		s := bd.sorted[i]
		l := uint(lens[s])
		if l > pbits {
			break
		}
		for size < 1<<l {
			copy(primary[size:2*size], primary[:size])
			size *= 2
		}
		primary[reverse(bd.codes[i], l)] = entry(syms[s], l)
	}
	for size < 1<<pbits {
		copy(primary[size:2*size], primary[:size])
		size *= 2
	}
	// Long codes: those that share their first pbits bits are adjacent in
	// sorted order and form a complete subtree, one subtable as deep as
	// the last (longest) of them.
	for i < total {
		l := uint(lens[bd.sorted[i]])
		prefix := bd.codes[i] >> (l - pbits)
		end := i + 1
		for end < total {
			le := uint(lens[bd.sorted[end]])
			if bd.codes[end]>>(le-pbits) != prefix {
				break
			}
			end++
		}
		depth := uint(lens[bd.sorted[end-1]]) - pbits
		off := len(sub)
		for range 1 << depth {
			sub = append(sub, kBad)
		}
		primary[reverse(prefix, pbits)] = kSub | uint32(off)<<vShft | uint32(depth)<<8 | uint32(pbits)
		for ; i < end; i++ {
			s := bd.sorted[i]
			rest := uint(lens[s]) - pbits
			e := entry(syms[s], rest)
			low := bd.codes[i] & (1<<rest - 1)
			for j := int(reverse(low, rest)); j < 1<<depth; j += 1 << rest {
				sub[off+j] = e
			}
		}
	}
	return sub, minLen, true
}

// reverse returns the low n bits of c in reverse order: Huffman codes are
// packed from their most significant bit (RFC 1951 §3.1.1), the bit reader
// delivers the stream's first bit lowest.
func reverse(c uint16, n uint) uint16 {
	return bits.Reverse16(c) >> (16 - n)
}

// fixed holds the tables of the fixed Huffman codes (RFC 1951 §3.2.6),
// built once.
var fixed struct {
	once   sync.Once
	lit    [1 << litBits]uint32
	litSub []uint32
	dist   [1 << distBits]uint32
}

func fixedTables() *[1 << litBits]uint32 {
	fixed.once.Do(func() {
		var lens [288]uint8
		for s := range lens {
			switch {
			case s < 144:
				lens[s] = 8
			case s < 256:
				lens[s] = 9
			case s < 280:
				lens[s] = 7
			default:
				lens[s] = 8
			}
		}
		var bd builder
		fixed.litSub, _, _ = bd.build(fixed.lit[:], litBits, nil, lens[:], litEntry[:])
		var dl [32]uint8
		for s := range dl {
			dl[s] = 5
		}
		bd.build(fixed.dist[:], distBits, nil, dl[:], distEntry[:])
	})
	return &fixed.lit
}
