package endpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

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
		msgs, err, out := fuzzRun(t, bytes.NewReader(in), mode)
		if !isTyped(err) && mode&2 == 0 {
			t.Fatalf("untyped error %v", err)
		}
		decodeAll(t, frame.Server, out)
		// The same bytes one at a time: the frames arrive in pieces, and
		// NextMessage reads text frames as they come. The messages and the
		// final error are the same, except that a violation in a frame the
		// stream cuts short may be seen before the end: in its header, or
		// in text checked as it arrives.
		msgs2, err2, out2 := fuzzRun(t, iotest.OneByteReader(bytes.NewReader(in)), mode)
		var ce *CloseError
		var fe *frame.Error
		early := errors.As(err, &ce) && ce.Code == frame.CloseAbnormal && errors.As(err2, &fe)
		if fmt.Sprint(msgs2) != fmt.Sprint(msgs) || fmt.Sprint(err2) != fmt.Sprint(err) && !early {
			t.Fatalf("whole: %q, %v\none byte at a time: %q, %v", msgs, err, msgs2, err2)
		}
		decodeAll(t, frame.Server, out2)
	})
}

// fuzzRun reads every message from r with NextMessage (mode&1 == 0) or
// NextReader, with the xor extension when mode&2 != 0.
func fuzzRun(t *testing.T, r io.Reader, mode uint8) ([]Message, error, []byte) {
	var w bytes.Buffer
	opts := []Option{MaxMessage(1 << 16), MaxFragments(8)}
	if mode&2 != 0 {
		opts = append(opts, Extensions(xorExt{}))
	}
	e := New(frame.Server, r, &w, opts...)
	msgs, err := readAllMessages(e, mode&1 != 0)
	return msgs, err, w.Bytes()
}
