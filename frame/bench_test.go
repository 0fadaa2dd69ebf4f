package frame_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"fmt"
	"io"
	"testing"

	"github.com/wskit/wskit/frame"
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

func BenchmarkWrite(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		f := &frame.Binary{Fin: true, Payload: make([]byte, size)}
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			frame.Write(io.Discard, f) // warm the buffer pool
			for b.Loop() {
				if _, err := frame.Write(io.Discard, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteMasked(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		f := &frame.Binary{Fin: true, Payload: make([]byte, size)}
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			frame.WriteMasked(io.Discard, f, key) // warm the buffer pool
			for b.Loop() {
				if _, err := frame.WriteMasked(io.Discard, f, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppend(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		f := &frame.Binary{Fin: true, Payload: make([]byte, size)}
		buf := make([]byte, 0, size+frame.MaxHeaderSize)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = frame.Append(buf[:0], f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendMasked(b *testing.B) {
	for _, size := range frametest.BenchSizes {
		f := &frame.Binary{Fin: true, Payload: make([]byte, size)}
		buf := make([]byte, 0, size+frame.MaxHeaderSize)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = frame.AppendMasked(buf[:0], f, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseHeader(b *testing.B) {
	wire := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Mask: key, Length: 70000}.AppendTo(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := frame.ParseHeader(wire); err != nil {
			b.Fatal(err)
		}
	}
}
