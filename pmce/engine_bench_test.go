package pmce

import (
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	kpflate "github.com/klauspost/compress/flate"
)

// The engine benchmarks compare DEFLATE implementations as the codec uses
// them, outside the codec: compress/flate and
// github.com/klauspost/compress/flate, each compressing messages with and
// without context takeover into a reused buffer and inflating them with a
// reset decompressor. docs/pmce.md records the result that chose the
// codec's engine.

var proseWords = strings.Fields(`It was the best of times, it was the worst of times, it was the age
of wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness, it was the spring of
hope, it was the winter of despair, we had everything before us, we had nothing before us.
Messages travel between a browser and a server; each one carries a name, a time, a place and
some text that people wrote to each other about the weather, the news, their plans and work.`)

// engineMsgs returns 64 messages of size bytes of JSON-like ("json") or
// prose ("text") data.
func engineMsgs(kind string, size int) [][]byte {
	if kind == "json" {
		return benchText(64, size)
	}
	r := rand.New(rand.NewPCG(uint64(size), 3))
	msgs := make([][]byte, 64)
	for i := range msgs {
		var b []byte
		for len(b) < size {
			b = append(b, proseWords[r.IntN(len(proseWords))]...)
			b = append(b, ' ')
		}
		msgs[i] = b[:size]
	}
	return msgs
}

// flusher is what both engines' writers offer.
type flusher interface {
	io.Writer
	Flush() error
	Reset(io.Writer)
}

type engine struct {
	name string
	// newWriter returns a compressor at level 1 writing to w.
	newWriter func(w io.Writer) flusher
	// newReader returns a decompressor and its reset.
	newReader func() (io.Reader, func(r io.Reader, dict []byte))
}

var engines = []engine{
	{"std",
		func(w io.Writer) flusher { fw, _ := stdflate.NewWriter(w, 1); return fw },
		func() (io.Reader, func(io.Reader, []byte)) {
			fr := stdflate.NewReader(nil)
			return fr, func(r io.Reader, d []byte) { fr.(stdflate.Resetter).Reset(r, d) }
		}},
	{"klauspost",
		func(w io.Writer) flusher { fw, _ := kpflate.NewWriter(w, 1); return fw },
		func() (io.Reader, func(io.Reader, []byte)) {
			fr := kpflate.NewReader(nil)
			return fr, func(r io.Reader, d []byte) { fr.(kpflate.Resetter).Reset(r, d) }
		}},
}

// BenchmarkEngineCompress compresses one message per operation at level 1:
// "takeover" with one writer kept and flushed after each message,
// "nocontext" with the writer reset before each. The klauspost variants
// "stateless" (StatelessDeflate, no state between calls) and "dict8K" (a
// pooled writer reset with the last 8 KiB sent as its dictionary, which is
// context takeover without a kept compressor) are measured beside them.
func BenchmarkEngineCompress(b *testing.B) {
	for _, kind := range []string{"json", "text"} {
		for _, size := range []int{1 << 10, 16 << 10} {
			msgs := engineMsgs(kind, size)
			run := func(name string, compress func(out *appendWriter, msg []byte)) {
				b.Run(fmt.Sprintf("kind=%s/size=%dKiB/%s", kind, size>>10, name), func(b *testing.B) {
					out := &appendWriter{b: make([]byte, 0, 2*size)}
					var total int
					b.SetBytes(int64(size))
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						out.b = out.b[:0]
						compress(out, msgs[i%len(msgs)])
						total += len(out.b)
						i++
					}
					b.ReportMetric(float64(total)/float64(i*size), "ratio")
				})
			}
			for _, e := range engines {
				out := &appendWriter{}
				w := e.newWriter(out)
				run("engine="+e.name+"/mode=takeover", func(o *appendWriter, msg []byte) {
					out.b = o.b
					w.Write(msg)
					w.Flush()
					o.b = out.b
				})
				w2 := e.newWriter(out)
				run("engine="+e.name+"/mode=nocontext", func(o *appendWriter, msg []byte) {
					w2.Reset(o)
					w2.Write(msg)
					w2.Flush()
				})
			}
			run("engine=klauspost/mode=stateless", func(o *appendWriter, msg []byte) {
				kpflate.StatelessDeflate(o, msg, false, nil)
			})
			kw, _ := kpflate.NewWriter(nil, 1)
			var hist []byte
			run("engine=klauspost/mode=dict8K", func(o *appendWriter, msg []byte) {
				kw.ResetDict(o, hist)
				kw.Write(msg)
				kw.Flush()
				hist = append(hist, msg...)
				if len(hist) > 8<<10 {
					hist = hist[len(hist)-8<<10:]
				}
			})
		}
	}
}

// BenchmarkEngineDecompress inflates one message per operation, "takeover"
// with the previous 32 KiB as the dictionary, "nocontext" without one.
func BenchmarkEngineDecompress(b *testing.B) {
	for _, kind := range []string{"json", "text"} {
		for _, size := range []int{1 << 10, 16 << 10} {
			msgs := engineMsgs(kind, size)
			for _, takeover := range []bool{true, false} {
				// Compress the sequence once, with compress/flate.
				var wire [][]byte
				var dicts [][]byte
				out := &appendWriter{}
				fw, _ := stdflate.NewWriter(out, 1)
				var hist []byte
				for _, m := range msgs {
					out.b = nil
					if !takeover {
						fw.Reset(out)
					}
					fw.Write(m)
					fw.Flush()
					wire = append(wire, out.b[:len(out.b)-len(syncMarker)])
					if takeover {
						dicts = append(dicts, hist)
						hist = append(hist, m...)
						if len(hist) > 32<<10 {
							hist = append([]byte(nil), hist[len(hist)-32<<10:]...)
						}
					} else {
						dicts = append(dicts, nil)
					}
				}
				mode := map[bool]string{true: "takeover", false: "nocontext"}[takeover]
				for _, e := range engines {
					b.Run(fmt.Sprintf("kind=%s/size=%dKiB/engine=%s/mode=%s", kind, size>>10, e.name, mode), func(b *testing.B) {
						fr, reset := e.newReader()
						var in msgInput
						buf := make([]byte, size+1)
						b.SetBytes(int64(size))
						b.ReportAllocs()
						i := 0
						for b.Loop() {
							k := i % len(wire)
							in = msgInput{b: wire[k]}
							reset(&in, dicts[k])
							n, err := io.ReadFull(fr, buf)
							if n != size || err != io.ErrUnexpectedEOF {
								b.Fatal(n, err)
							}
							i++
						}
					})
				}
			}
		}
	}
}
