package pmce

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wskit/wskit/frame"
)

// writePieces writes m to w in pieces of the given size.
func writePieces(t *testing.T, w io.Writer, m []byte, size int) {
	t.Helper()
	for len(m) > 0 {
		n := min(size, len(m))
		if k, err := w.Write(m[:n]); err != nil || k != n {
			t.Fatalf("Write: %d, %v", k, err)
		}
		m = m[n:]
	}
}

// TestWriterMatchesCompress checks that a message compressed in pieces is
// the same payload as compressed whole, in every mode.
func TestWriterMatchesCompress(t *testing.T) {
	msgs := texts(40, 5000, 2)
	msgs = append(msgs, nil, bytes.Repeat([]byte("xyz"), 3000))
	for _, p := range []Params{
		fullWindow,
		{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		{ServerMaxWindowBits: 15, ClientMaxWindowBits: 9},
		{ServerMaxWindowBits: 15, ClientMaxWindowBits: 13},
	} {
		for _, size := range []int{1, 7, 512, 1 << 20} {
			t.Run(fmt.Sprintf("%+v/%d", p, size), func(t *testing.T) {
				whole := newCodec(false, p, 6, 0)
				streamed := newCodec(false, p, 6, 0)
				server := newCodec(true, p, 6, 0)
				for i, m := range msgs {
					want, err := whole.Compress(nil, m)
					if err != nil {
						t.Fatal(err)
					}
					var got bytes.Buffer
					w := streamed.NewWriter(&got)
					writePieces(t, w, m, size)
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Bytes(), want) {
						t.Fatalf("message %d: streamed payload differs (%d bytes, want %d)", i, got.Len(), len(want))
					}
					back, err := server.Decompress(nil, got.Bytes(), 0)
					if err != nil || !bytes.Equal(back, m) {
						t.Fatalf("message %d: round trip: %v", i, err)
					}
				}
			})
		}
	}
}

func TestWriterClosed(t *testing.T) {
	c := newCodec(false, fullWindow, 1, 0)
	w := c.NewWriter(io.Discard)
	w.Close()
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestWriterDestinationError(t *testing.T) {
	boom := errors.New("boom")
	c := newCodec(false, fullWindow, 1, 0)
	w := c.NewWriter(errWriter{boom})
	_, err := w.Write(bytes.Repeat([]byte("abc"), 100000))
	if err == nil {
		err = w.Close()
	}
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	// The compressor's state went out of step with the peer's.
	if _, err := c.Compress(nil, []byte("x")); !errors.Is(err, boom) {
		t.Errorf("Compress after a failed Writer: %v", err)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestReader(t *testing.T) {
	msgs := texts(40, 5000, 3)
	for _, p := range []Params{
		fullWindow,
		{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15},
	} {
		t.Run(fmt.Sprintf("%+v", p), func(t *testing.T) {
			server := newCodec(true, p, 6, 0)
			client := newCodec(false, p, 6, 0)
			for i, m := range msgs {
				wire, err := server.Compress(nil, m)
				if err != nil {
					t.Fatal(err)
				}
				var src io.Reader = bytes.NewReader(wire)
				if i%2 == 0 {
					src = iotest.OneByteReader(src) // not an io.ByteReader
				}
				r := client.NewReader(src, 0)
				got, err := io.ReadAll(iotest.HalfReader(r))
				if err != nil || !bytes.Equal(got, m) {
					t.Fatalf("message %d: %v", i, err)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestReaderCloseEarly checks that with context takeover, a message closed
// before its end still feeds the window, so the next one decodes.
func TestReaderCloseEarly(t *testing.T) {
	server, client := newCodec(true, fullWindow, 6, 0), newCodec(false, fullWindow, 6, 0)
	m := []byte(strings.Repeat("the same words again and again, ", 200))
	first, _ := server.Compress(nil, m)
	second, _ := server.Compress(nil, m)
	r := client.NewReader(bytes.NewReader(first), 0)
	buf := make([]byte, 10)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := client.Decompress(nil, second, 0); err != nil || !bytes.Equal(got, m) {
		t.Fatalf("second message: %v", err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
}

func TestReaderLimit(t *testing.T) {
	payload := bomb(t, 4)
	c := newCodec(true, fullWindow, 6, 0)
	r := c.NewReader(bytes.NewReader(payload), 100000)
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, ErrTooBig) || frame.CloseCodeOf(err) != frame.CloseMessageTooBig {
		t.Fatalf("err %v", err)
	}
	if n != 100000 {
		t.Errorf("read %d bytes before the error, want the limit", n)
	}
	r.Close()
}

func TestReaderErrors(t *testing.T) {
	c := newCodec(true, fullWindow, 6, 0)
	r := c.NewReader(bytes.NewReader([]byte{0xff}), 0)
	if _, err := io.ReadAll(r); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt: %v", err)
	}
	r.Close()
	if _, err := c.Decompress(nil, []byte{0}, 0); !errors.Is(err, ErrCorrupt) {
		t.Errorf("after corrupt data: %v", err)
	}

	boom := errors.New("boom")
	c = newCodec(true, fullWindow, 6, 0)
	r = c.NewReader(iotest.ErrReader(boom), 0)
	if _, err := io.ReadAll(r); !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) {
		t.Errorf("source error: %v", err)
	}
	r.Close()
}
