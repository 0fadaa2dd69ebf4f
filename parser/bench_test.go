package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// benchStream returns masked binary frames of size bytes, as a client sends
// them: at least 256 KiB of them, and how many there are.
func benchStream(b *testing.B, size int) ([]byte, int) {
	n := max(1, (256<<10)/size)
	var s []byte
	f := &frame.Binary{Fin: true, Payload: make([]byte, size)}
	for i := range n {
		var err error
		if s, err = frame.AppendMasked(s, f, [4]byte{byte(i), 1, 2, 3}); err != nil {
			b.Fatal(err)
		}
	}
	return s, n
}

// settle collects the garbage of a benchmark's setup before it starts, so
// that a collection in the measured loop does not empty the buffer pools.
// One collection only: a second would drop the pools' warm buffers.
func settle() { runtime.GC() }

// BenchmarkNext reads frames as a server does, from a reader that loops over
// a prebuilt stream and allocates nothing. One op is one frame.
func BenchmarkNext(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			stream, _ := benchStream(b, size)
			p := parser.New(&loopReader{b: stream}, parser.Role(frame.Server))
			for range 4 { // warm the pools
				if _, err := p.Next(); err != nil {
					b.Fatal(err)
				}
			}
			settle()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNextHeaderRead streams each payload through a 32 KiB buffer.
func BenchmarkNextHeaderRead(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			stream, _ := benchStream(b, size)
			p := parser.New(&loopReader{b: stream}, parser.Role(frame.Server))
			buf := make([]byte, 32<<10)
			read := func() {
				if _, err := p.NextHeader(); err != nil {
					b.Fatal(err)
				}
				for {
					_, err := p.Read(buf)
					if err == io.EOF {
						return
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			read()
			settle()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				read()
			}
		})
	}
}

// BenchmarkFeed pushes a prebuilt stream through Feed: whole (every frame
// decoded in place) and in 4 KiB chunks, as reads from a socket arrive (frames
// cut by a chunk boundary are assembled). One op is one pass over the stream;
// ns/frame is the cost per frame.
func BenchmarkFeed(b *testing.B) {
	noop := func(frame.Frame) error { return nil }
	for _, chunk := range []int{0, 4 << 10} {
		for _, size := range frametest.BenchSizes {
			name := "whole/" + sizeName(size)
			if chunk > 0 {
				name = sizeName(chunk) + "-chunks/" + sizeName(size)
			}
			b.Run(name, func(b *testing.B) {
				stream, n := benchStream(b, size)
				p := parser.New(nil, parser.Role(frame.Server))
				c := chunk
				if c == 0 {
					c = len(stream)
				}
				feed := func() {
					for s := stream; len(s) > 0; s = s[min(c, len(s)):] {
						if err := p.Feed(s[:min(c, len(s))], noop); err != nil {
							b.Fatal(err)
						}
					}
				}
				feed()
				settle()
				b.SetBytes(int64(n * size))
				b.ReportAllocs()
				for b.Loop() {
					feed()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/frame")
			})
		}
	}
}
