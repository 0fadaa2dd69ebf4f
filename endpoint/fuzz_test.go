package endpoint

import (
	"bytes"
	"io"
	"testing"

	"github.com/wskit/wskit/frame"
)

// FuzzEndpoint feeds arbitrary bytes to a server Endpoint in both read modes:
// it must never panic, must end with a typed error, and must only ever send
// valid frames.
func FuzzEndpoint(f *testing.F) {
	f.Add(enc(f, frame.Client, text(false, "a\xf0\x9f"), ping("x"), cont(true, "\x98\x80"), closeFrame(1000, "")), uint8(0))
	f.Add(enc(f, frame.Client, bin(true, "x"), pong("y"), closeFrame(0, "")), uint8(1))
	f.Add([]byte{0x81, 0x85, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'}, uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, mode uint8) {
		var w bytes.Buffer
		opts := []Option{MaxMessage(1 << 16), MaxFragments(8)}
		if mode&2 != 0 {
			opts = append(opts, Extensions(xorExt{}))
		}
		e := New(frame.Server, bytes.NewReader(in), &w, opts...)
		var err error
		if mode&1 == 0 {
			for err == nil {
				_, err = e.NextMessage()
			}
		} else {
			for err == nil {
				var r io.Reader
				if _, r, err = e.NextReader(); err == nil {
					_, err = io.Copy(io.Discard, r)
				}
			}
		}
		if !isTyped(err) && mode&2 == 0 {
			t.Fatalf("untyped error %v", err)
		}
		decodeAll(t, frame.Server, w.Bytes())
	})
}
