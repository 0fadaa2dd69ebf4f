package pmce

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
)

var benchWords = strings.Fields(`{"type": "update", "id": 1234, "user": "alice", "text": "the quick
brown fox jumps over the lazy dog", "tags": ["news", "sport", "weather"], "ts": 1700000000,
"price": 12.5, "ok": true, "items": [{"sku": "A-100", "qty": 3}, {"sku": "B-200", "qty": 1}]}`)

// benchText returns n messages of size bytes of JSON-like text.
func benchText(n, size int) [][]byte {
	r := rand.New(rand.NewPCG(uint64(size), 9))
	msgs := make([][]byte, n)
	for i := range msgs {
		var b []byte
		for len(b) < size {
			b = append(b, benchWords[r.IntN(len(benchWords))]...)
			b = append(b, ' ')
		}
		msgs[i] = b[:size]
	}
	return msgs
}

type benchMode struct {
	name  string
	p     Params
	class Class // the Send class, if not Dedicated
}

// codec returns a codec of the mode.
func (m benchMode) codec(server bool, level int) *Codec {
	c := newCodec(server, m.p, level, 0)
	c.enc.setClass(m.class, DefaultLeaseIdle)
	return c
}

var benchModes = []benchMode{
	{"takeover", fullWindow, 0},
	{"nocontext", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 0},
	{"window10", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 10}, 0},
	{"window10takeover", Params{ServerMaxWindowBits: 10, ClientMaxWindowBits: 10}, 0},
	{"sliding15", fullWindow, SlidingWindow(15)},
	{"sliding12", fullWindow, SlidingWindow(12)},
	{"sliding10", fullWindow, SlidingWindow(10)},
	{"leased15", fullWindow, Leased(15)},
}

func BenchmarkCompress(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		msgs := benchText(64, size)
		for _, m := range benchModes {
			for _, level := range []int{flate.BestSpeed, flate.DefaultCompression} {
				b.Run(fmt.Sprintf("%dKiB/%s/level%d", size>>10, m.name, level), func(b *testing.B) {
					c := m.codec(false, level)
					dst := make([]byte, 0, 2*size)
					var out int
					b.SetBytes(int64(size))
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						dst, _ = c.Compress(dst[:0], msgs[i%len(msgs)])
						out += len(dst)
						i++
					}
					b.ReportMetric(float64(out)/float64(i*size), "ratio")
				})
			}
		}
	}
}

func BenchmarkDecompress(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		msgs := benchText(64, size)
		for _, m := range benchModes {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, m.name), func(b *testing.B) {
				wire := compressAll(m, msgs)
				c := newCodec(true, m.p, flate.BestSpeed, 0)
				dst := make([]byte, 0, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i%len(wire) == 0 {
						c.dec.window.buf = c.dec.window.buf[:0] // start the sequence again
					}
					var err error
					if dst, err = c.Decompress(dst[:0], wire[i%len(wire)], 0); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkStream compresses and decompresses 64 KiB messages through
// Writer and Reader, in 4 KiB pieces.
func BenchmarkStream(b *testing.B) {
	msgs := benchText(64, 64<<10)
	for _, m := range benchModes[:2] {
		b.Run("Writer/"+m.name, func(b *testing.B) {
			c := newCodec(false, m.p, flate.BestSpeed, 0)
			var out bytes.Buffer
			b.SetBytes(64 << 10)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				out.Reset()
				w := c.NewWriter(&out)
				msg := msgs[i%len(msgs)]
				for len(msg) > 0 {
					w.Write(msg[:4096])
					msg = msg[4096:]
				}
				w.Close()
				i++
			}
		})
		b.Run("Reader/"+m.name, func(b *testing.B) { benchReader(b, m, compressAll(m, msgs), 4096) })
	}
}

// compressAll returns msgs compressed in turn by a codec of mode m at
// level 1, as a peer sends them.
func compressAll(m benchMode, msgs [][]byte) [][]byte {
	enc := newCodec(false, m.p, flate.BestSpeed, 0)
	wire := make([][]byte, len(msgs))
	for i, msg := range msgs {
		wire[i], _ = enc.Compress(nil, msg)
	}
	return wire
}

// benchReader inflates wire (64 KiB messages), message after message,
// through NewReader into a buffer of bufSize bytes; the window starts
// again with the sequence.
func benchReader(b *testing.B, m benchMode, wire [][]byte, bufSize int) {
	c := newCodec(true, m.p, flate.BestSpeed, 0)
	buf := make([]byte, bufSize)
	var src bytes.Reader
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%len(wire) == 0 {
			c.dec.window.buf = c.dec.window.buf[:0]
		}
		src.Reset(wire[i%len(wire)])
		r := c.NewReader(&src, 0)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
		i++
	}
}

// TestSteadyStateAllocs checks what the benchmarks report: once warm, a
// codec compresses and decompresses a message of 1 KiB or 16 KiB, whole or
// streamed, with or without context takeover and with a small window,
// without allocating.
func TestSteadyStateAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector makes sync.Pool drop values at random: counts are not exact")
	}
	for _, size := range []int{1 << 10, 16 << 10} {
		msgs := benchText(8, size)
		for _, m := range benchModes {
			t.Run(fmt.Sprintf("%dKiB/%s", size>>10, m.name), func(t *testing.T) {
				enc := m.codec(false, flate.BestSpeed)
				dec := m.codec(true, flate.BestSpeed)
				wire := make([]byte, 0, 2*size)
				back := make([]byte, 0, size+1)
				var sink bytes.Buffer
				sink.Grow(4 * size)
				var src bytes.Reader
				buf := make([]byte, 4096)
				i := 0
				one := func() {
					msg := msgs[i%len(msgs)]
					i++
					var err error
					if wire, err = enc.Compress(wire[:0], msg); err != nil {
						t.Fatal(err)
					}
					if back, err = dec.Decompress(back[:0], wire, 0); err != nil || !bytes.Equal(back, msg) {
						t.Fatalf("round trip: %v", err)
					}
					// The same message again, streamed both ways.
					sink.Reset()
					w := enc.NewWriter(&sink)
					w.Write(msg[:size/2])
					w.Write(msg[size/2:])
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					src.Reset(sink.Bytes())
					r := dec.NewReader(&src, 0)
					n := 0
					for {
						k, err := r.Read(buf)
						n += k
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatal(err)
						}
					}
					if err := r.Close(); err != nil || n != size {
						t.Fatalf("streamed %d bytes: %v", n, err)
					}
				}
				for range 20 {
					one()
				}
				if got := testing.AllocsPerRun(50, one); got != 0 {
					t.Errorf("%v allocations per message", got)
				}
			})
		}
	}
}

// BenchmarkSmallMessages compresses JSON-like messages of a few sizes at
// the default level, with context takeover (a kept compressor, as the
// default Leased class while a connection sends) and without it (Shared,
// and a Leased connection's first message after a pause): the "ratio"
// (compressed/original, over 64 messages) and the time are what
// DefaultThreshold weighs.
func BenchmarkSmallMessages(b *testing.B) {
	for _, mode := range benchModes[:2] {
		for _, size := range []int{40, 64, 128, 256, 512, 1024} {
			msgs := benchText(64, size)
			b.Run(fmt.Sprintf("%s/size=%d", mode.name, size), func(b *testing.B) {
				c := mode.codec(false, DefaultLevel)
				dst := make([]byte, 0, 2*size+16)
				var out, n int
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					dst, _ = c.Compress(dst[:0], msgs[n%len(msgs)])
					out += len(dst)
					n++
				}
				b.ReportMetric(float64(out)/float64(n*size), "ratio")
			})
		}
	}
}
