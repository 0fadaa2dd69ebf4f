package pmce

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/wskit/wskit/frame"
)

// FuzzInflate decompresses arbitrary payloads, with and without context
// takeover, whole and streamed: it must never panic, never return more
// than the limit, fail only with ErrCorrupt or ErrTooBig, and agree between
// the whole and the streamed forms.
func FuzzInflate(f *testing.F) {
	for _, s := range []string{
		"f248cdc9c90700", "f20011 0000", "000500faff48656c6c6f00", "f348cdc9c9070000",
		"f2480500000 0ffffcac9c90700", "00", "", "ff", "04c02100 00",
	} {
		f.Add(unhexLoose(s), uint16(100))
	}
	f.Add(bomb(f, 2), uint16(5000))
	f.Fuzz(func(t *testing.T, payload []byte, limit16 uint16) {
		limit := int(limit16) + 1
		for _, p := range []Params{fullWindow, {ServerNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}} {
			whole := newCodec(false, p, 1, 0)
			streamed := newCodec(false, p, 1, 0)
			for range 2 { // twice, so the second sees the first's window
				out, err := whole.Decompress(nil, payload, limit)
				if len(out) > limit {
					t.Fatalf("%d bytes over the limit %d", len(out), limit)
				}
				if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooBig) {
					t.Fatalf("unexpected error %v", err)
				}
				r := streamed.NewReader(bytes.NewReader(payload), int64(limit))
				var buf bytes.Buffer
				_, serr := buf.ReadFrom(r)
				r.Close()
				if buf.Len() > limit {
					t.Fatalf("streamed %d bytes over the limit %d", buf.Len(), limit)
				}
				if (err == nil) != (serr == nil) || err == nil && !bytes.Equal(out, buf.Bytes()) {
					t.Fatalf("whole %v, streamed %v", err, serr)
				}
				if err != nil {
					break
				}
			}
		}
	})
}

func unhexLoose(s string) []byte {
	var b []byte
	var hi int = -1
	for _, c := range s {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		default:
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			b = append(b, byte(hi<<4|v))
			hi = -1
		}
	}
	return b
}

// pieces is a source that yields its data in pieces of the sizes cuts
// gives in turn (1 to 256 bytes), as frames of a message arrive.
type pieces struct {
	b    []byte
	cuts []byte
	i    int
}

func (p *pieces) Read(q []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	n := len(p.b)
	if len(p.cuts) > 0 {
		n = int(p.cuts[p.i%len(p.cuts)]) + 1
		p.i++
	}
	n = min(n, len(p.b), len(q))
	copy(q, p.b[:n])
	p.b = p.b[n:]
	return n, nil
}

// bytePieces is pieces that is also an io.ByteReader, which NewReader
// reads without a bufio.Reader of its own.
type bytePieces struct{ pieces }

func (p *bytePieces) ReadByte() (byte, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	c := p.b[0]
	p.b = p.b[1:]
	return c, nil
}

// FuzzStreamInflate feeds the streaming inflater (NewReader) a payload in
// pieces and reads it into buffers of varying size, over two messages so
// that the second uses the first's window: the bytes and the error must be
// those of Decompress on the whole payload, the output never passes the
// limit, and a payload that inflates past the limit yields exactly limit
// bytes and then ErrTooBig, with close code 1009.
func FuzzStreamInflate(f *testing.F) {
	f.Add(unhexLoose("f248cdc9c90700"), []byte{0, 3}, []byte{7}, uint16(100), false)
	f.Add(unhexLoose("f248cdc90200 0000ffff cac9070000"), []byte{1}, []byte{0, 1}, uint16(3), true)
	f.Add(unhexLoose("00 05 00 fa ff 48 65 6c 6c 6f 00"), []byte{}, []byte{255}, uint16(5), false)
	f.Add(bomb(f, 1)[:300], []byte{17, 200}, []byte{9, 90}, uint16(4000), true)
	f.Fuzz(func(t *testing.T, payload, cuts, reads []byte, limit16 uint16, byteReader bool) {
		limit := int(limit16) + 1
		whole := newCodec(false, fullWindow, 1, 0)
		streamed := newCodec(false, fullWindow, 1, 0)
		pushed := newCodec(false, fullWindow, 1, 0)
		for msg := range 2 {
			want, werr := whole.Decompress(nil, payload, limit)
			var src io.Reader = &pieces{b: payload, cuts: cuts}
			if byteReader {
				src = &bytePieces{pieces{b: payload, cuts: cuts}}
			}
			r := streamed.NewReader(src, int64(limit))
			var got []byte
			var serr error
			for i := 0; ; i++ {
				n := 64
				if len(reads) > 0 {
					n = int(reads[i%len(reads)]) + 1
				}
				buf := make([]byte, n)
				k, err := r.Read(buf)
				got = append(got, buf[:k]...)
				if len(got) > limit {
					t.Fatalf("message %d: %d bytes streamed, limit %d", msg, len(got), limit)
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					serr = err
					break
				}
				if i > 10*limit+1000 {
					t.Fatal("the reader makes no progress")
				}
			}
			r.Close()
			// The same payload fed to an Inflater in the pieces cuts makes.
			pr := pushed.NewInflater(int64(limit))
			var pgot []byte
			var perr error
			emit := func(p []byte) error { pgot = append(pgot, p...); return nil }
			for rest, i := payload, 0; ; i++ {
				n := len(rest)
				if len(cuts) > 0 {
					n = min(n, int(cuts[i%len(cuts)]))
				}
				if n == 0 && i >= len(cuts) {
					n = min(1, len(rest)) // empty pieces once each, then progress
				}
				last := n == len(rest)
				perr = pr.Feed(rest[:n], last, emit)
				rest = rest[n:]
				if perr != nil || last {
					break
				}
			}
			pr.Close()
			for _, way := range []struct {
				name string
				got  []byte
				err  error
			}{{"streamed", got, serr}, {"pushed", pgot, perr}} {
				got, serr := way.got, way.err
				if len(got) > limit {
					t.Fatalf("message %d: %d bytes %s, limit %d", msg, len(got), way.name, limit)
				}
				switch {
				case werr == nil && serr == nil:
					if !bytes.Equal(want, got) {
						t.Fatalf("message %d: whole and %s differ", msg, way.name)
					}
				case errors.Is(werr, ErrTooBig):
					if !errors.Is(serr, ErrTooBig) || frame.CloseCodeOf(serr) != frame.CloseMessageTooBig {
						t.Fatalf("message %d: whole %v, %s %v", msg, werr, way.name, serr)
					}
					if len(got) != limit {
						t.Fatalf("message %d: %d bytes before ErrTooBig (%s), limit %d", msg, len(got), way.name, limit)
					}
				case errors.Is(werr, ErrCorrupt):
					if !errors.Is(serr, ErrCorrupt) || frame.CloseCodeOf(serr) != frame.CloseInvalidPayload {
						t.Fatalf("message %d: whole %v, %s %v", msg, werr, way.name, serr)
					}
				default:
					t.Fatalf("message %d: whole %v, %s %v", msg, werr, way.name, serr)
				}
			}
			if werr != nil {
				return
			}
		}
	})
}

// TestStreamBomb streams a message of about 1 MiB that would inflate to
// 1 GiB through NewReader with a limit of 32 MiB: it must stop at the
// limit with ErrTooBig (1009), having allocated a small fraction of the
// limit, whatever the message's size.
func TestStreamBomb(t *testing.T) {
	if race.Enabled || testing.Short() {
		t.Skip("inflates 32 MiB: not under -race or -short")
	}
	payload := bomb(t, 1024)
	t.Logf("1 GiB of zeros in %d bytes", len(payload))
	const limit = 32 << 20
	var n int64
	var err error
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := newCodec(true, fullWindow, 1, 0)
			r := c.NewReader(bytes.NewReader(payload), limit)
			n, err = io.Copy(io.Discard, r)
			r.Close()
		}
	})
	if n != limit || !errors.Is(err, ErrTooBig) || frame.CloseCodeOf(err) != frame.CloseMessageTooBig {
		t.Fatalf("%d bytes, %v", n, err)
	}
	if per := res.AllocedBytesPerOp(); per > 1<<20 {
		t.Errorf("a refused 1 GiB message allocates %d bytes", per)
	}
}
