package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// timeoutStream returns a masked stream of 1,000 frames, some of them 10 KiB
// and more, and the frames a server parser returns for it.
func timeoutStream(t testing.TB) ([]byte, []frametest.Frame) {
	rng := rand.New(rand.NewPCG(6455, 3))
	var b []byte
	var want []frametest.Frame
	for i := range 1000 {
		var f frame.Frame
		switch {
		case i%50 == 7:
			f = &frame.Binary{Fin: true, Payload: randBytes(rng, 10<<10+rng.IntN(10<<10))}
		case i%10 == 3:
			f = &frame.Ping{Payload: randBytes(rng, rng.IntN(126))}
		case i%97 == 5:
			f = &frame.Close{Code: frame.CloseNormal, Reason: "bye"}
		default:
			f = &frame.Text{Fin: rng.IntN(2) == 0, Payload: randBytes(rng, rng.IntN(200))}
		}
		k := [4]byte{byte(i), byte(i >> 8), 0xa5, 0x5a}
		var err error
		if b, err = frame.AppendMasked(b, f, k); err != nil {
			t.Fatal(err)
		}
		want = append(want, wantRec(f, true, k))
	}
	return b, want
}

func TestTimeoutsNext(t *testing.T) {
	stream, want := timeoutStream(t)
	for _, size := range []int{64, 1000, parser.DefaultBufferSize} {
		tr := &timeoutReader{r: bytes.NewReader(stream)}
		p := parser.New(tr, parser.Role(frame.Server), parser.BufferSize(size))
		var got []frametest.Frame
		for tries := 0; ; tries++ {
			if tries > 2*len(stream) {
				t.Fatalf("BufferSize(%d): no end after %d calls", size, tries)
			}
			f, err := p.Next()
			if isTimeout(err) {
				continue
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("BufferSize(%d): Next after %d frames: %v", size, len(got), err)
			}
			got = append(got, frametest.Record(f))
		}
		if tr.fails < len(stream)/3-1 {
			t.Errorf("BufferSize(%d): the reader failed only %d times", size, tr.fails)
		}
		if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
			t.Errorf("BufferSize(%d): Next mismatch (-want +got):\n%s", size, diff)
		}
	}
}

func TestTimeoutsNextHeaderRead(t *testing.T) {
	stream, want := timeoutStream(t)
	// Small reads go through the read-ahead buffer, large ones bypass it.
	for _, readSize := range []int{7, 100 << 10} {
		tr := &timeoutReader{r: bytes.NewReader(stream)}
		p := parser.New(tr, parser.Role(frame.Server), parser.BufferSize(64))
		var got []frametest.Frame
		buf := make([]byte, readSize)
		calls := 0
		for {
			calls++
			if calls > 4*len(stream) {
				t.Fatalf("read size %d: no end after %d calls", readSize, calls)
			}
			h, err := p.NextHeader()
			if isTimeout(err) {
				continue
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("read size %d: NextHeader after %d frames: %v", readSize, len(got), err)
			}
			var payload []byte
			for {
				calls++
				if calls > 4*len(stream) {
					t.Fatalf("read size %d: no end after %d calls", readSize, calls)
				}
				n, err := p.Read(buf)
				payload = append(payload, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil && !isTimeout(err) {
					t.Fatalf("read size %d: Read in frame %d: %v", readSize, len(got), err)
				}
			}
			got = append(got, frametest.Frame{Header: h, Payload: payload})
		}
		if diff := cmp.Diff(headersAndPayloads(want), got, cmpBytes); diff != "" {
			t.Errorf("read size %d: NextHeader+Read mismatch (-want +got):\n%s", readSize, diff)
		}
	}
}

// headersAndPayloads drops the types, which NextHeader does not know.
func headersAndPayloads(rs []frametest.Frame) []frametest.Frame {
	out := make([]frametest.Frame, len(rs))
	for i, r := range rs {
		out[i] = frametest.Frame{Header: r.Header, Payload: r.Payload}
	}
	return out
}

func TestNextHeaderSkipsUnreadPayload(t *testing.T) {
	frames := []frame.Frame{
		&frame.Binary{Fin: true, Payload: repeat('a', 10000)},
		&frame.Text{Fin: true, Payload: []byte("second")},
		&frame.Binary{Fin: true, Payload: repeat('b', 300)},
		&frame.Text{Fin: true, Payload: []byte("fourth")},
	}
	stream := encode(t, true, frames...)
	p := parser.New(iotest.HalfReader(bytes.NewReader(stream)), parser.BufferSize(64))
	// Read part of the first payload, then move on.
	h, err := p.NextHeader()
	if err != nil || h.Length != 10000 {
		t.Fatalf("NextHeader = %+v, %v", h, err)
	}
	buf := make([]byte, 10)
	if n, err := io.ReadFull(p, buf); n != 10 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	if diff := cmp.Diff(repeat('a', 10), buf); diff != "" {
		t.Errorf("Read mismatch (-want +got):\n%s", diff)
	}
	f, err := p.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if diff := cmp.Diff(wantRec(frames[1], true, key), frametest.Record(f)); diff != "" {
		t.Errorf("Next after a partly read payload mismatch (-want +got):\n%s", diff)
	}
	// Skip a whole payload with NextHeader.
	if _, err := p.NextHeader(); err != nil {
		t.Fatal(err)
	}
	h, err = p.NextHeader()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(frametest.Frame{Header: frames[3].Header(), Payload: []byte("fourth")}, frametest.Frame{Header: unmask(h), Payload: got}); diff != "" {
		t.Errorf("NextHeader after a skipped payload mismatch (-want +got):\n%s", diff)
	}
	if _, err := p.NextHeader(); err != io.EOF {
		t.Errorf("NextHeader at the end = %v, want io.EOF", err)
	}
}

// timeouts returns a timeoutReader over b.
func timeouts(b []byte) io.Reader { return &timeoutReader{r: bytes.NewReader(b), fails: 1} }

func unmask(h frame.Header) frame.Header {
	h.Masked, h.Mask = false, [4]byte{}
	return h
}

func TestReadTruncated(t *testing.T) {
	stream := encode(t, true, &frame.Binary{Fin: true, Payload: repeat('a', 1000)})
	for _, readSize := range []int{10, 5000} {
		p := parser.New(bytes.NewReader(stream[:500]), parser.BufferSize(64))
		if _, err := p.NextHeader(); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.LimitReader(readerFunc(func(b []byte) (int, error) {
			return p.Read(b[:min(len(b), readSize)])
		}), 1<<20))
		if err != io.ErrUnexpectedEOF {
			t.Errorf("read size %d: Read error = %v, want io.ErrUnexpectedEOF", readSize, err)
		}
		if diff := cmp.Diff(repeat('a', 500-8), got, cmpBytes); diff != "" {
			t.Errorf("read size %d: Read mismatch (-want +got):\n%s", readSize, diff)
		}
		if _, err := p.NextHeader(); err != io.ErrUnexpectedEOF {
			t.Errorf("read size %d: NextHeader in a truncated payload = %v, want io.ErrUnexpectedEOF", readSize, err)
		}
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

func TestMidFrame(t *testing.T) {
	// Next stopped by a timeout inside a large frame: NextHeader must not
	// start a new frame there, and Next resumes it.
	frames := []frame.Frame{&frame.Binary{Fin: true, Payload: repeat('x', 5000)}, &frame.Ping{}}
	stream := encode(t, false, frames...)
	r := io.MultiReader(bytes.NewReader(stream[:100]), timeouts(stream[100:]))
	p := parser.New(r, parser.BufferSize(64))
	var got []frametest.Frame
	sawMidFrame := false
	for calls := 0; calls < 10000; calls++ {
		f, err := p.Next()
		if isTimeout(err) {
			if len(got) == 0 {
				if _, err := p.NextHeader(); err != parser.ErrMidFrame {
					t.Fatalf("NextHeader inside a frame = %v, want ErrMidFrame", err)
				}
				sawMidFrame = true
			}
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, frametest.Record(f))
	}
	if !sawMidFrame {
		t.Error("never saw ErrMidFrame")
	}
	want := []frametest.Frame{wantRec(frames[0], false, key), wantRec(frames[1], false, key)}
	if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
		t.Errorf("Next mismatch (-want +got):\n%s", diff)
	}
}
