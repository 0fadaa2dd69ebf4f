package inflate

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/flate"
)

// tail is what pmce appends to a message: the sync marker the sender
// removed and an empty final stored block.
const tail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

var fuzzLevels = []int{flate.HuffmanOnly, flate.ConstantCompression, flate.NoCompression, 1, 2, 4, 6, 9}

// compressFor returns data compressed by klauspost at a level chosen by
// sel, with dict as the preset dictionary, ended by a sync flush as
// pmce's codec sends it (marker removed) or closed with a final block.
func compressFor(data, dict []byte, sel uint8) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriterDict(&buf, fuzzLevels[int(sel)%len(fuzzLevels)], dict)
	if err != nil {
		panic(err)
	}
	w.Write(data)
	if sel&0x80 != 0 {
		w.Close()
		return buf.Bytes()
	}
	w.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte(tail[:4]))
}

// FuzzInflate checks Decode against klauspost's decompressor on raw bytes
// and on klauspost's own streams, mutated. mode's bits: 1 compress data
// (else data is the stream), 2 append pmce's tail, 4 flip the bit at
// flip, 8 cut the stream to cut bytes, 16 use a dict (the first dictLen
// bytes of data, shared by the compressor). level picks the compressor's
// level and whether it closes the stream.
func FuzzInflate(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte("\x01\x00\x00\xff\xff"), uint16(0), uint32(100), uint32(0), uint16(0))
	f.Add(uint8(3), uint8(3), []byte(`{"id":1,"user":{"id":100200,"name":"user42"},"text":"deploy build review merge"}`), uint16(0), uint32(1<<20), uint32(0), uint16(0))
	f.Add(uint8(1|2|4|16), uint8(4), bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog "), 40), uint16(300), uint32(1<<20), uint32(1234), uint16(0))
	f.Add(uint8(1|8), uint8(0x85), bytes.Repeat([]byte("abcabcabd"), 100), uint16(0), uint32(500), uint32(0), uint16(40))
	f.Add(uint8(1|2), uint8(1), bytes.Repeat([]byte{0}, 3000), uint16(0), uint32(2999), uint32(0), uint16(0))
	d := new(Decoder)
	f.Fuzz(func(t *testing.T, mode, level uint8, data []byte, dictLen uint16, limit uint32, flip uint32, cut uint16) {
		var dict []byte
		if mode&16 != 0 {
			n := min(int(dictLen), len(data))
			dict, data = data[:n], data[n:]
		}
		src := data
		if mode&1 != 0 {
			src = compressFor(data, dict, level)
		}
		if mode&8 != 0 && int(cut) < len(src) {
			src = src[:cut]
		}
		if mode&2 != 0 {
			src = append(src[:len(src):len(src)], tail...)
		}
		if mode&4 != 0 && len(src) > 0 {
			src = bytes.Clone(src)
			i := int(flip % uint32(8*len(src)))
			src[i/8] ^= 1 << (i % 8)
		}
		lim := int(limit % (1 << 22))
		// Capacities: none (Decode grows dst), and one that often ends
		// inside the data (its slow path near the end of room).
		agree(t, d, src, dict, lim, 0)
		agree(t, d, src, dict, lim, int(flip%4096))
	})
}
