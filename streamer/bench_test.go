package streamer_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"fmt"
	"io"
	"testing"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/streamer"
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

// BenchmarkStreamer sends one message of size bytes per op as one frame
// (FrameSize is the message size) into io.Discard, reusing the Streamer.
func BenchmarkStreamer(b *testing.B) {
	for _, masked := range []bool{false, true} {
		for _, size := range frametest.BenchSizes {
			name := "unmasked/" + sizeName(size)
			opts := []streamer.Option{streamer.FrameSize(size)}
			if masked {
				name = "masked/" + sizeName(size)
				opts = append(opts, streamer.Masked())
			}
			b.Run(name, func(b *testing.B) {
				data := make([]byte, size)
				var s streamer.Streamer
				send := func() {
					s.Reset(io.Discard, frame.OpBinary, opts...)
					if _, err := s.Write(data); err != nil {
						b.Fatal(err)
					}
					if err := s.Close(); err != nil {
						b.Fatal(err)
					}
				}
				send() // warm the buffer pool
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					send()
				}
			})
		}
	}
}

// BenchmarkStreamerFragmented sends 1 MiB messages in default-size frames.
func BenchmarkStreamerFragmented(b *testing.B) {
	data := make([]byte, 1<<20)
	var s streamer.Streamer
	send := func() {
		s.Reset(io.Discard, frame.OpBinary, streamer.Masked())
		if _, err := s.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	send()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
}
