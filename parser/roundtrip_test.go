package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

const allRsv = frame.Rsv1 | frame.Rsv2 | frame.Rsv3

// randSize returns a payload size in 0..70000, biased to the boundaries of
// the length encodings.
func randSize(rng *rand.Rand) int {
	switch rng.IntN(10) {
	case 0, 1, 2:
		return []int{0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 65537}[rng.IntN(10)]
	case 3:
		return rng.IntN(70001)
	default:
		return rng.IntN(300)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b[:n:n]
}

var validCloseCodes = []frame.CloseCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}

// randFrame returns a random legal frame.
func randFrame(rng *rand.Rand) frame.Frame {
	rsv := byte(rng.IntN(8)) << 4
	fin := rng.IntN(2) == 0
	switch rng.IntN(8) {
	case 0:
		return &frame.Text{Fin: fin, Rsv: rsv, Payload: randBytes(rng, randSize(rng))}
	case 1, 2:
		return &frame.Binary{Fin: fin, Rsv: rsv, Payload: randBytes(rng, randSize(rng))}
	case 3:
		return &frame.Continuation{Fin: fin, Rsv: rsv, Payload: randBytes(rng, randSize(rng))}
	case 4:
		return &frame.Ping{Payload: randBytes(rng, rng.IntN(126))}
	case 5:
		return &frame.Pong{Payload: randBytes(rng, rng.IntN(126))}
	default:
		if rng.IntN(4) == 0 {
			return &frame.Close{}
		}
		reason := strings.Repeat("é", rng.IntN(62)) // 2 bytes each: at most 122
		return &frame.Close{Code: validCloseCodes[rng.IntN(len(validCloseCodes))], Reason: reason}
	}
}

// randStream encodes n random frames with the ways frame offers (Append,
// AppendMasked, Write, WriteMasked) and returns the stream and what a parser
// must return for it.
func randStream(t testing.TB, rng *rand.Rand, n int) ([]byte, []frametest.Frame) {
	t.Helper()
	var buf bytes.Buffer
	var want []frametest.Frame
	for range n {
		f := randFrame(rng)
		var k [4]byte
		masked := rng.IntN(2) == 0
		if masked {
			k = [4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
		}
		var err error
		switch rng.IntN(4) {
		case 0:
			if masked {
				_, err = frame.WriteMasked(&buf, f, k)
			} else {
				_, err = frame.Write(&buf, f)
			}
		case 1:
			var b []byte
			if masked {
				b, err = frame.AppendMasked(buf.AvailableBuffer(), f, k)
			} else {
				b, err = frame.Append(buf.AvailableBuffer(), f)
			}
			buf.Write(b)
		default:
			if masked {
				b, _ := frame.AppendMasked(nil, f, k)
				buf.Write(b)
			} else {
				b, _ := f.(interface{ AppendBinary([]byte) ([]byte, error) }).AppendBinary(nil)
				buf.Write(b)
			}
		}
		if err != nil {
			t.Fatalf("encoding %T: %v", f, err)
		}
		want = append(want, wantRec(f, masked, k))
	}
	return buf.Bytes(), want
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(6455, 1))
	cases, perStream := 3000, 50
	if testing.Short() {
		cases = 500
	}
	for s := 0; s < cases/perStream; s++ {
		stream, want := randStream(t, rng, perStream)
		size := []int{64, 1000, parser.DefaultBufferSize, 1 << 17}[s%4]
		p := parser.New(bytes.NewReader(stream), parser.AllowRsv(allRsv), parser.BufferSize(size))
		got, err := readAll(p)
		if err != io.EOF {
			t.Fatalf("stream %d: Next error = %v after %d frames, want io.EOF", s, err, len(got))
		}
		if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
			t.Fatalf("stream %d, BufferSize(%d): Next mismatch (-want +got):\n%s", s, size, diff)
		}

		// Push mode in random chunks sees the same frames.
		p = parser.New(nil, parser.AllowRsv(allRsv))
		got, err = feedChunks(p, bytes.Clone(stream), func() int { return 1 + rng.IntN(1+rng.IntN(100000)) })
		if err != nil {
			t.Fatalf("stream %d: Feed error = %v", s, err)
		}
		if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
			t.Fatalf("stream %d: Feed mismatch (-want +got):\n%s", s, diff)
		}
		if p.Buffered() != 0 {
			t.Errorf("stream %d: Buffered() = %d after Feed, want 0", s, p.Buffered())
		}
	}
}

func TestRoundTripStreamer(t *testing.T) {
	// Messages sent by a Streamer parse back to fragments that join to the
	// message: the first carries the opcode and RSV bits, the last FIN.
	rng := rand.New(rand.NewPCG(6455, 2))
	n := 300
	if testing.Short() {
		n = 50
	}
	var buf bytes.Buffer
	type msg struct {
		op     frame.Opcode
		rsv    byte
		masked bool
		data   []byte
	}
	var msgs []msg
	var s streamer.Streamer
	for range n {
		m := msg{op: frame.OpText, rsv: byte(rng.IntN(8)) << 4, masked: rng.IntN(2) == 0, data: randBytes(rng, randSize(rng)*rng.IntN(3))}
		if rng.IntN(2) == 0 {
			m.op = frame.OpBinary
		}
		fs := []int{1, 125, 126, 1000, 65535, 65536, 1 << 20}[rng.IntN(7)]
		if fs == 1 {
			m.data = m.data[:min(len(m.data), 300)]
		}
		opts := []streamer.Option{streamer.Rsv(m.rsv), streamer.FrameSize(fs)}
		if m.masked {
			opts = append(opts, streamer.Masked())
		}
		s.Reset(&buf, m.op, opts...)
		var err error
		if rng.IntN(2) == 0 {
			_, err = s.ReadFrom(iotest.HalfReader(bytes.NewReader(m.data)))
		} else {
			for d := m.data; len(d) > 0 && err == nil; {
				k := min(len(d), rng.IntN(3000))
				_, err = s.Write(d[:k])
				d = d[k:]
			}
		}
		if err == nil {
			err = s.Close()
		}
		if err != nil {
			t.Fatalf("streamer: %v", err)
		}
		msgs = append(msgs, m)
	}

	p := parser.New(bytes.NewReader(buf.Bytes()), parser.AllowRsv(allRsv))
	for i, m := range msgs {
		var data []byte
		for j := 0; ; j++ {
			f, err := p.Next()
			if err != nil {
				t.Fatalf("message %d: Next: %v", i, err)
			}
			h := f.Header()
			wantOp, wantRsv := frame.OpContinuation, byte(0)
			if j == 0 {
				wantOp, wantRsv = m.op, m.rsv
			}
			if h.Opcode != wantOp || h.Rsv != wantRsv || h.Masked != m.masked {
				t.Fatalf("message %d, frame %d: opcode %v, rsv %#x, masked %v; want %v, %#x, %v", i, j, h.Opcode, h.Rsv, h.Masked, wantOp, wantRsv, m.masked)
			}
			p, _ := f.AppendPayload(nil)
			if len(p) == 0 && !h.Fin || len(p) == 0 && j > 0 {
				t.Fatalf("message %d, frame %d: an empty fragment (fin %v)", i, j, h.Fin)
			}
			data = append(data, p...)
			if h.Fin {
				break
			}
		}
		if diff := cmp.Diff(m.data, data, cmpBytes); diff != "" {
			t.Fatalf("message %d: data mismatch (-want +got):\n%s", i, diff)
		}
	}
	if _, err := p.Next(); err != io.EOF {
		t.Errorf("Next at the end = %v, want io.EOF", err)
	}
}
