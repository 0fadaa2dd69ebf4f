package bench

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gobwas/ws"
	"github.com/wskit/wskit/frame"
)

// Sizes are the message sizes of the read and write workloads.
var Sizes = []int{16, 128, 1 << 10, 16 << 10, 1 << 20}

// MaskSizes are the buffer sizes of the masking workload.
var MaskSizes = []int{64, 1 << 10, 64 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// TestServerRead checks that every contestant delivers the messages whole.
func TestServerRead(t *testing.T) {
	for _, lib := range Libs {
		for _, frags := range []int{1, 4} {
			for _, size := range []int{16, 1 << 10, 100 << 10} {
				payload := Text(size)
				stream := Frames(payload, frame.OpText, frags, true)
				c := &Conn{Stream: stream, Limit: -1}
				run, err := ServerReader(lib, c, size)
				if err != nil {
					t.Fatal(lib, err)
				}
				c.Limit = 3 * int64(len(stream))
				n := 0
				if err := run(3, func(m []byte) {
					n++
					if !bytes.Equal(m, payload) {
						t.Errorf("%s frags=%d size=%d: message %d differs", lib, frags, size, n)
					}
				}); err != nil {
					t.Fatal(lib, frags, size, err)
				}
				if n != 3 {
					t.Errorf("%s: %d messages", lib, n)
				}
			}
		}
	}
}

// TestWrite checks that every contestant writes the frames wskit would.
func TestWrite(t *testing.T) {
	for _, lib := range Libs {
		for _, client := range []bool{false, true} {
			for _, size := range []int{16, 1 << 10, 100 << 10} {
				c := &Conn{}
				write, err := Writer(lib, c, client)
				if err != nil {
					t.Fatal(lib, err)
				}
				c.Written = 0
				p := Text(size)
				op := frame.OpText
				if client {
					op = frame.OpBinary
				}
				if err := write(op, p); err != nil {
					t.Fatal(lib, err)
				}
				want := len(Frames(p, op, 1, client))
				// gorilla's client sends a message in frames of its write
				// buffer's size (4 KiB); the others in one frame.
				if c.Written != int64(want) && !(lib == "gorilla" && c.Written > int64(want) && c.Written < int64(want+size/256)) {
					t.Errorf("%s client=%v size=%d: wrote %d bytes, want %d", lib, client, size, c.Written, want)
				}
				if !bytes.Equal(p, Text(size)) {
					t.Errorf("%s changed the payload", lib)
				}
			}
		}
	}
}

// BenchmarkServerRead reads masked text messages as a server: unmask,
// validate UTF-8, deliver each whole message.
func BenchmarkServerRead(b *testing.B) {
	for _, size := range Sizes {
		for _, frags := range []int{1, 4} {
			payload := Text(size)
			stream := Frames(payload, frame.OpText, frags, true)
			for _, lib := range Libs {
				b.Run(fmt.Sprintf("size=%s/frags=%d/lib=%s", sizeName(size), frags, lib), func(b *testing.B) {
					c := &Conn{Stream: stream, Limit: -1}
					run, err := ServerReader(lib, c, size)
					if err != nil {
						b.Fatal(err)
					}
					c.Limit = int64(b.N) * int64(len(stream))
					b.SetBytes(int64(size))
					b.ReportAllocs()
					b.ResetTimer()
					bad := 0
					if err := run(b.N, func(m []byte) {
						if len(m) != size {
							bad++
						}
					}); err != nil {
						b.Fatal(err)
					}
					if bad > 0 {
						b.Fatal(bad, "short messages")
					}
				})
			}
		}
	}
}

func benchWrite(b *testing.B, name string, client bool, op frame.Opcode) {
	for _, size := range Sizes {
		p := Text(size)
		for _, lib := range Libs {
			b.Run(fmt.Sprintf("size=%s/lib=%s", sizeName(size), lib), func(b *testing.B) {
				c := &Conn{}
				write, err := Writer(lib, c, client)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := write(op, p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkServerWrite writes unmasked text messages into a discarding
// connection.
func BenchmarkServerWrite(b *testing.B) { benchWrite(b, "server", false, frame.OpText) }

// BenchmarkClientWrite writes masked binary messages into a discarding
// connection.
func BenchmarkClientWrite(b *testing.B) { benchWrite(b, "client", true, frame.OpBinary) }

// BenchmarkMask masks a buffer in place, beside copy() of the same buffer.
// Of the peers only gobwas/ws exports its masking function (ws.Cipher).
func BenchmarkMask(b *testing.B) {
	for _, size := range MaskSizes {
		buf := Text(size)
		dst := make([]byte, size)
		for _, lib := range []string{"wskit", "gobwas", "copy"} {
			b.Run(fmt.Sprintf("size=%s/lib=%s", sizeName(size), lib), func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				switch lib {
				case "wskit":
					for range b.N {
						frame.Mask(buf, Key, 0)
					}
				case "gobwas":
					for range b.N {
						ws.Cipher(buf, Key, 0)
					}
				case "copy":
					for range b.N {
						copy(dst, buf)
					}
				}
			})
		}
	}
}
