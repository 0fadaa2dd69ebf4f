package inflate

import (
	"bytes"
	"errors"
	"math/bits"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/flate"
)

// The RFC 1951 §3.2.5 tables, written out again for the tests.
var (
	testLenBase  = []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	testLenExtra = []uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	testDstBase  = []int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	testDstExtra = []uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// match writes a length and distance with the codes lit and dist.
func (w *bitWriter) match(lit, dist huff, length, distance int) *bitWriter {
	c := len(testLenBase) - 1
	for length < testLenBase[c] || (c == 28 && length != 258) {
		c--
	}
	w.sym(lit, 257+c).bits(uint64(length-testLenBase[c]), testLenExtra[c])
	c = len(testDstBase) - 1
	for distance < testDstBase[c] {
		c--
	}
	return w.sym(dist, c).bits(uint64(distance-testDstBase[c]), testDstExtra[c])
}

// lits writes s's bytes as literals of the code lit.
func (w *bitWriter) lits(lit huff, s string) *bitWriter {
	for i := 0; i < len(s); i++ {
		w.sym(lit, int(s[i]))
	}
	return w
}

func fixedBlock(final bool) *bitWriter { return new(bitWriter).header(final, 1) }

// small is a complete dynamic literal/length code: 'a', 'b' and end of
// block in 2 bits, lengths 3 (257) and 258 (285) in 3; smallDist codes
// distances 1 and 2 in one bit each.
var (
	smallLitLens = litLens(286, map[int]uint8{'a': 2, 'b': 2, 256: 2, 257: 3, 285: 3})
	smallLit     = newHuff(smallLitLens)
	smallDstLens = []uint8{1, 1}
	smallDist    = newHuff(smallDstLens)
)

// smallBlock starts a dynamic block with the small codes.
func smallBlock(final bool) *bitWriter {
	return new(bitWriter).dynamic(final, 286, 2, flatClen, lensItems(smallLitLens, smallDstLens))
}

func TestDecodeEdgeCases(t *testing.T) {
	long := strings.Repeat("x", 40<<10)
	tests := []struct {
		name  string
		src   []byte
		dict  string
		limit int // 0: 1 MiB
		want  outcome
	}{
		{"empty src", nil, "", 0, outcome{[]byte{}, "corrupt"}},
		{"stored", new(bitWriter).stored(true, "hello").bytes(), "", 0, outcome{[]byte("hello"), "ok"}},
		{"stored empty", new(bitWriter).stored(true, "").bytes(), "", 0, outcome{[]byte{}, "ok"}},
		{"stored then stored", new(bitWriter).stored(false, "ab").stored(true, "cd").bytes(), "", 0, outcome{[]byte("abcd"), "ok"}},
		{"stored length complement wrong", []byte{1, 5, 0, 0xfa, 0xfe, 'h', 'e', 'l', 'l', 'o'}, "", 0, outcome{[]byte{}, "corrupt"}},
		{"stored header cut", []byte{1, 5, 0, 0xfa}, "", 0, outcome{[]byte{}, "corrupt"}},
		{"stored data cut: the part there is handed on", new(bitWriter).stored(true, "hello").bytes()[:8], "", 0, outcome{[]byte("hel"), "corrupt"}},
		{"stored over the limit", new(bitWriter).stored(true, "hello").bytes(), "", 3, outcome{[]byte("hell"), "limit"}},
		{"stored at the limit", new(bitWriter).stored(true, "hello").bytes(), "", 5, outcome{[]byte("hello"), "ok"}},
		{"reserved block type", new(bitWriter).header(true, 3).bytes(), "", 0, outcome{[]byte{}, "corrupt"}},
		{"no final block", new(bitWriter).stored(false, "ab").bytes(), "", 0, outcome{[]byte("ab"), "corrupt"}},
		{"bytes after the final block ignored", append(new(bitWriter).stored(true, "ab").bytes(), 0xff, 0xff, 0xff), "", 0, outcome{[]byte("ab"), "ok"}},
		{"pmce tail after a sync flush", append(new(bitWriter).stored(false, "ab").header(false, 0).bytes(), tail...), "", 0, outcome{[]byte("ab"), "ok"}},
		{"fixed literals", fixedBlock(true).lits(fixedLit, "hi\xff").sym(fixedLit, 256).bytes(), "", 0, outcome{[]byte("hi\xff"), "ok"}},
		{"fixed length 258 (code 285)", fixedBlock(true).lits(fixedLit, "a").match(fixedLit, fixedDist, 258, 1).sym(fixedLit, 256).bytes(), "", 0,
			outcome{bytes.Repeat([]byte("a"), 259), "ok"}},
		{"code 284 with extra 31 is 258, as zlib and klauspost read it",
			fixedBlock(true).lits(fixedLit, "a").sym(fixedLit, 284).bits(31, 5).sym(fixedDist, 0).sym(fixedLit, 256).bytes(), "", 0,
			outcome{bytes.Repeat([]byte("a"), 259), "ok"}},
		{"overlapping match", fixedBlock(true).lits(fixedLit, "abc").match(fixedLit, fixedDist, 10, 3).sym(fixedLit, 256).bytes(), "", 0,
			outcome{[]byte("abcabcabcabca"), "ok"}},
		{"length code 286", fixedBlock(true).lits(fixedLit, "a").sym(fixedLit, 286).sym(fixedDist, 0).bytes(), "", 0, outcome{[]byte("a"), "corrupt"}},
		{"length code 287", fixedBlock(true).lits(fixedLit, "a").sym(fixedLit, 287).sym(fixedDist, 0).bytes(), "", 0, outcome{[]byte("a"), "corrupt"}},
		{"distance code 30", fixedBlock(true).lits(fixedLit, "a").sym(fixedLit, 257).sym(fixedDist, 30).bits(0, 14).bytes(), "", 0, outcome{[]byte("a"), "corrupt"}},
		{"distance code 31", fixedBlock(true).lits(fixedLit, "a").sym(fixedLit, 257).sym(fixedDist, 31).bits(0, 14).bytes(), "", 0, outcome{[]byte("a"), "corrupt"}},
		{"distance before the data", fixedBlock(true).lits(fixedLit, "ab").match(fixedLit, fixedDist, 3, 3).sym(fixedLit, 256).bytes(), "", 0, outcome{[]byte("ab"), "corrupt"}},
		{"distance into the dict", fixedBlock(true).lits(fixedLit, "ab").match(fixedLit, fixedDist, 5, 4).sym(fixedLit, 256).bytes(), "xyz", 0,
			outcome{[]byte("abyzaby"), "ok"}},
		{"distance to the dict's first byte", fixedBlock(true).lits(fixedLit, "ab").match(fixedLit, fixedDist, 3, 5).sym(fixedLit, 256).bytes(), "xyz", 0,
			outcome{[]byte("abxyz"), "ok"}},
		{"distance one before the dict", fixedBlock(true).lits(fixedLit, "ab").match(fixedLit, fixedDist, 3, 6).sym(fixedLit, 256).bytes(), "xyz", 0,
			outcome{[]byte("ab"), "corrupt"}},
		{"distance 32768 into a longer dict", fixedBlock(true).match(fixedLit, fixedDist, 4, 32768).sym(fixedLit, 256).bytes(), "abcd" + long, 0,
			outcome{[]byte(long[len(long)-32768 : len(long)-32768+4]), "ok"}},
		{"match over the limit", fixedBlock(true).lits(fixedLit, "a").match(fixedLit, fixedDist, 258, 1).sym(fixedLit, 256).bytes(), "", 100,
			outcome{bytes.Repeat([]byte("a"), 101), "limit"}},
		{"limit before a fault", fixedBlock(true).lits(fixedLit, "abc").sym(fixedLit, 286).bytes(), "", 2, outcome{[]byte("abc"), "limit"}},
		{"fault before the limit", fixedBlock(true).lits(fixedLit, "abc").sym(fixedLit, 286).bytes(), "", 3, outcome{[]byte("abc"), "corrupt"}},
		{"dynamic", smallBlock(true).lits(smallLit, "ab").match(smallLit, smallDist, 3, 2).sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte("ababa"), "ok"}},
		{"HLIT 287", new(bitWriter).dynamic(true, 287, 2, flatClen, lensItems(append(bytes.Clone(smallLitLens), 0), smallDstLens)).sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"HDIST 30", new(bitWriter).dynamic(true, 286, 30, flatClen, lensItems(smallLitLens, append([]uint8{1, 1}, make([]uint8, 28)...))).lits(smallLit, "a").sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte("a"), "ok"}},
		{"HDIST 31: RFC 1951 allows it, klauspost and zlib do not", new(bitWriter).dynamic(true, 286, 31, flatClen, lensItems(smallLitLens, append([]uint8{1, 1}, make([]uint8, 29)...))).lits(smallLit, "a").sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"over-subscribed literal/length code", new(bitWriter).dynamic(true, 286, 2, flatClen, lensItems(litLens(286, map[int]uint8{'a': 1, 'b': 1, 256: 1}), smallDstLens)).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"incomplete literal/length code", new(bitWriter).dynamic(true, 286, 2, flatClen, lensItems(litLens(286, map[int]uint8{'a': 2, 256: 2}), smallDstLens)).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"one literal/length code of one bit", new(bitWriter).dynamic(true, 286, 2, flatClen, lensItems(litLens(286, map[int]uint8{256: 1}), smallDstLens)).code(0, 1).bytes(), "", 0,
			outcome{[]byte{}, "ok"}},
		{"one literal/length code of one bit, its missing code", new(bitWriter).dynamic(true, 286, 2, flatClen, lensItems(litLens(286, map[int]uint8{256: 1}), smallDstLens)).code(1, 1).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"one distance code of one bit", new(bitWriter).dynamic(true, 286, 1, flatClen, lensItems(smallLitLens, []uint8{1})).lits(smallLit, "a").sym(smallLit, 257).code(0, 1).sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte("aaaa"), "ok"}},
		{"one distance code of one bit, its missing code", new(bitWriter).dynamic(true, 286, 1, flatClen, lensItems(smallLitLens, []uint8{1})).lits(smallLit, "a").sym(smallLit, 257).code(1, 1).sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte("a"), "corrupt"}},
		{"no distance codes, literals only", new(bitWriter).dynamic(true, 286, 1, flatClen, lensItems(smallLitLens, []uint8{0})).lits(smallLit, "ab").sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte("ab"), "ok"}},
		{"no distance codes, a match", new(bitWriter).dynamic(true, 286, 1, flatClen, lensItems(smallLitLens, []uint8{0})).lits(smallLit, "ab").sym(smallLit, 257).bits(0, 8).bytes(), "", 0,
			outcome{[]byte("ab"), "corrupt"}},
		{"incomplete distance code", new(bitWriter).dynamic(true, 286, 3, flatClen, lensItems(smallLitLens, []uint8{2, 2, 0})).lits(smallLit, "a").sym(smallLit, 256).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"repeat 16 with no previous length", new(bitWriter).dynamic(true, 286, 2, []uint8{16: 1, 0: 1}, []clenItem{{16, 0}}).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
		{"repeat across HLIT and HDIST", new(bitWriter).dynamic(true, 260, 1, []uint8{0: 2, 1: 2, 17: 2, 18: 2},
			[]clenItem{{18, 127}, {18, 107}, {1, 0}, {1, 0}, {17, 0}}).code(0, 1).bytes(), "", 0, outcome{[]byte{}, "ok"}},
		{"code lengths overflow HLIT+HDIST", new(bitWriter).dynamic(true, 260, 1, []uint8{0: 2, 1: 2, 17: 2, 18: 2},
			[]clenItem{{18, 127}, {18, 107}, {1, 0}, {1, 0}, {17, 1}}).code(0, 1).bytes(), "", 0, outcome{[]byte{}, "corrupt"}},
		{"incomplete code length code", new(bitWriter).dynamic(true, 286, 2, []uint8{0: 2, 1: 2}, nil).bytes(), "", 0, outcome{[]byte{}, "corrupt"}},
		{"over-subscribed code length code", new(bitWriter).dynamic(true, 286, 2, []uint8{0: 1, 1: 1, 2: 1}, nil).bytes(), "", 0, outcome{[]byte{}, "corrupt"}},
		{"one code length code of one bit (klauspost takes it, zlib does not)", new(bitWriter).dynamic(true, 286, 2, []uint8{18: 1}, []clenItem{{18, 127}, {18, 127}, {18, 20}}).bytes(), "", 0,
			outcome{[]byte{}, "corrupt"}},
	}
	d := new(Decoder)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			for _, dcap := range []int{0, 3, 1 << 16} {
				got := agree(t, d, tt.src, []byte(tt.dict), limit, dcap)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("dst capacity %d (-want +got):\n%s", dcap, diff)
				}
			}
		})
	}
}

// TestTruncatedLikeKlauspost cuts a non-final dynamic block of one-bit
// literals at every bit: klauspost stops short of the end by the bits it
// wants before each symbol, and Decode must hand on as much, and choose
// ErrLimit or ErrCorrupt as it does.
func TestTruncatedLikeKlauspost(t *testing.T) {
	lens := litLens(286, map[int]uint8{'a': 1, 256: 2, 257: 2})
	w := new(bitWriter).dynamic(false, 286, 1, flatClen, lensItems(lens, []uint8{1}))
	w.lits(newHuff(lens), strings.Repeat("a", 100)).sym(newHuff(lens), 256)
	full := w.stored(true, "").bytes()
	d := new(Decoder)
	ends := map[string]int{}
	for cut := range len(full) + 1 {
		for _, limit := range []int{0, 40, 95, 1000} {
			o := agree(t, d, full[:cut], nil, limit, 0)
			ends[o.End]++
		}
	}
	if ends["ok"] == 0 || ends["limit"] == 0 || ends["corrupt"] == 0 {
		t.Errorf("outcomes %v: want some of each", ends)
	}
}

// TestKlauspostStreams decodes klauspost's own streams of several kinds of
// data at every level, with and without a dict, into dst of several
// capacities.
func TestKlauspostStreams(t *testing.T) {
	datas := map[string][]byte{
		"json":  echoJSON(1, 20<<10),
		"prose": prose(2, 40<<10),
		"zeros": make([]byte, 40<<10),
	}
	rnd := make([]byte, 20<<10)
	x := uint32(1)
	for i := range rnd {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		rnd[i] = byte(x)
	}
	datas["random"] = rnd
	// Skewed: byte k about half as often as byte k-1, for codes longer
	// than the primary tables (subtables).
	skew := make([]byte, 30<<10)
	for i := range skew {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		skew[i] = byte(bits.TrailingZeros32(x|1<<31)) * 7
	}
	datas["skewed"] = skew
	d := new(Decoder)
	for name, data := range datas {
		for _, level := range fuzzLevels {
			for _, dictLen := range []int{0, 1000, 33 << 10} {
				dict := prose(9, dictLen)
				for _, closed := range []bool{false, true} {
					sel := uint8(0)
					for int(sel) < len(fuzzLevels) && fuzzLevels[sel] != level {
						sel++
					}
					if closed {
						sel |= 0x80
					}
					src := compressFor(data, dict, sel)
					if !closed {
						src = append(src, tail...)
					}
					for _, dcap := range []int{0, 100, len(data), 1 << 20} {
						got := agree(t, d, src, dict, 1<<20, dcap)
						if got.End != "ok" || !bytes.Equal(got.Out, data) {
							t.Fatalf("%s level %d dict %d closed %v cap %d: %d bytes, %s", name, level, dictLen, closed, dcap, len(got.Out), got.End)
						}
					}
					// And over the limit by one.
					agree(t, d, src, dict, len(data)-1, 0)
					// The last block's tables: the cases reach the
					// subtables.
					if name == "skewed" && level == 1 && len(d.litSub) == 0 {
						t.Errorf("skewed data at level 1 made no literal/length subtables")
					}
					if name == "json" && level == 1 && len(d.distSub) == 0 {
						t.Errorf("json at level 1 made no distance subtables")
					}
				}
			}
		}
	}
}

// TestDecodeErrors checks the errors' types.
func TestDecodeErrors(t *testing.T) {
	d := new(Decoder)
	_, err := d.Decode(nil, []byte{0xff}, nil, 100)
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLimit) {
		t.Errorf("corrupt data: %v, want an error wrapping ErrCorrupt", err)
	}
	_, err = d.Decode(nil, new(bitWriter).stored(true, "hello").bytes(), nil, 2)
	if err != ErrLimit {
		t.Errorf("data over the limit: %v, want ErrLimit", err)
	}
}

// TestSteadyStateAllocs: with dst large enough, Decode allocates nothing.
func TestSteadyStateAllocs(t *testing.T) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, 1)
	msg := echoJSON(3, 16<<10)
	w.Write(msg)
	w.Close()
	src := buf.Bytes()
	d := new(Decoder)
	dst := make([]byte, 0, len(msg))
	allocs := testing.AllocsPerRun(20, func() {
		out, err := d.Decode(dst[:0], src, nil, 1<<20)
		if err != nil || !bytes.Equal(out, msg) {
			t.Fatalf("Decode: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Decode, want 0", allocs)
	}
}
